package dev.coffer.examples.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3BackupExampleTest {

  @TempDir Path tmp;

  @Test
  void example_backsUpListsVerifiesAndRestoresThroughS3_andTheRestoreEqualsTheSource()
      throws Exception {
    Path source = S3BackupExample.sampleTree(tmp.resolve("source"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    int compared =
        new S3BackupExample(new PrintStream(bytes, true, StandardCharsets.UTF_8))
            .run(source, tmp.resolve("restored"));

    String out = bytes.toString(StandardCharsets.UTF_8);
    // root, base, base/1, pg_wal, pg_wal/archive_status and four files
    assertEquals(9, compared, out);
    assertTrue(out.contains("4. verify: OK"), out);
    assertTrue(out.contains("6. compared: 9 files and directories equal"), out);
    assertEquals(
        Files.size(source.resolve("base/1/16384")),
        Files.size(tmp.resolve("restored/base/1/16384")));
  }

  @Test
  void tree_seesAChangedByte() throws Exception {
    Path source = S3BackupExample.sampleTree(tmp.resolve("a"));
    var before = S3BackupExample.tree(source);
    Files.writeString(source.resolve("PG_VERSION"), "16\n");
    assertTrue(!before.equals(S3BackupExample.tree(source)));
  }

  @Test
  void aRestoreThatDiffers_failsTheExample() throws Exception {
    Path source = Files.createDirectories(tmp.resolve("small"));
    Files.writeString(source.resolve("one"), "1\n");
    Path target = tmp.resolve("restored");
    Files.createDirectories(target);
    Files.writeString(target.resolve("extra"), "x");
    // restore refuses a non-empty target: the example fails with the provider's message
    assertThrows(
        Exception.class,
        () ->
            new S3BackupExample(
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .run(source, target));
  }
}
