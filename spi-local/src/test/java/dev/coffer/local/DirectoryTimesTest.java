package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.RestoreRequest;
import dev.coffer.testkit.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Directories get their last-modified times back, including empty ones, after everything inside
 * them.
 */
class DirectoryTimesTest {

  @TempDir Path tmp;

  private static final Map<String, Instant> TIMES =
      Map.of(
          "a", Instant.parse("2001-02-03T04:05:06Z"),
          "a/b", Instant.parse("2002-03-04T05:06:07.123Z"),
          "a/b/empty", Instant.parse("2003-04-05T06:07:08.123456789Z"),
          "c", Instant.parse("2004-05-06T07:08:09Z"));

  private static Path source(Path root) throws Exception {
    Path source = root.resolve("source");
    Trees.write(source, "a/b/file.txt", "deep");
    Trees.write(source, "a/top.txt", "top");
    Trees.write(source, "c/other.txt", "other");
    Files.createDirectories(Layout.under(source, "a/b/empty"));
    Files.createSymbolicLink(
        Layout.under(source, "c/link"), source.getFileSystem().getPath("other.txt"));
    for (Map.Entry<String, Instant> e : TIMES.entrySet()) { // after their content was made
      Files.setLastModifiedTime(Layout.under(source, e.getKey()), FileTime.from(e.getValue()));
    }
    return source;
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void fullAndIncrementalRestoresGiveDirectoriesTheirTimes(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = source(root);
    try (BackupRepository repo = Trees.open(root.resolve("repo"))) {
      BackupMetadata full = repo.backup(source);
      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, full.id()));
      for (BackupMetadata m : List.of(full, inc)) {
        Path out = root.resolve("out-" + m.backupId());
        repo.restore(RestoreRequest.of(m.id(), out));
        for (Map.Entry<String, Instant> e : TIMES.entrySet()) {
          assertEquals(
              FileTime.from(e.getValue()).toMillis(),
              Files.getLastModifiedTime(Layout.under(out, e.getKey())).toMillis(),
              e.getKey());
        }
        assertEquals(Snapshot.withTimes(source), Snapshot.withTimes(out));
      }
    }
  }

  @Test
  void theManifestRecordsThem_andRefusesTimesForDirectoriesItDoesNotRecord() throws Exception {
    Path source = source(tmp);
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata full = repo.backup(source);
      Path meta = repoDir.resolve(full.backupId()).resolve(Layout.METADATA);
      Manifest m = Manifest.parse(Files.readAllBytes(meta), full.backupId());
      assertEquals(List.of("a", "a/b", "a/b/empty", "c"), List.copyOf(m.directoryTimes().keySet()));
      assertEquals(TIMES.get("a/b/empty"), m.directoryTimes().get("a/b/empty"));
      String json = Files.readString(meta);
      assertTrue(json.contains("\"directory_mtimes\""));
      String stray =
          json.replace(
              "\"directory_mtimes\" : {",
              "\"directory_mtimes\" : {\n    \"zz\" : \"2001-01-01T00:00:00Z\",");
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class,
              () -> Manifest.parse(stray.getBytes(StandardCharsets.UTF_8), full.backupId()));
      assertTrue(e.getMessage().contains("zz"), e.getMessage());
      String malformed = json.replace("2001-02-03T04:05:06Z", "2001-02-30T04:05:06Z");
      assertThrows(
          CorruptBackupException.class,
          () -> Manifest.parse(malformed.getBytes(StandardCharsets.UTF_8), full.backupId()));
      // a manifest from before directory times existed still reads, without them
      String old = json.replaceAll("(?s)\"directory_mtimes\" : \\{.*?\\},\n\\s*", "");
      assertFalse(old.contains("directory_mtimes"));
      Manifest withoutTimes = Manifest.parse(old.getBytes(StandardCharsets.UTF_8), full.backupId());
      assertTrue(withoutTimes.directoryTimes().isEmpty());
      assertEquals(m.files(), withoutTimes.files());
    }
  }
}
