package dev.coffer.examples.derby;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DerbyBackupExampleTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.coffer.examples.TestRepositories#providers")
  void example_runsTheWholeCycle_andReportsBothRestoresOk(String provider) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Path work = tmp.resolve("work");

    new DerbyBackupExample(new PrintStream(bytes, true, StandardCharsets.UTF_8), 100)
        .run(provider, work);

    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("5. FULL backup "), out);
    assertTrue(out.contains("6. INCREMENTAL backup "), out);
    assertTrue(
        out.lines().filter(l -> l.contains("SYSCS_CHECK_TABLE=1") && l.endsWith("-> OK")).count()
            == 2,
        out);
    assertTrue(
        out.endsWith(
            "Done: both backups restore to every row committed before their freeze."
                + System.lineSeparator()),
        out);
    assertTrue(
        Files.isDirectory(work.resolve("restored-full").resolve("seg0")),
        "a restored Derby database");
  }
}
