package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.testkit.LogCapture;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the archive provider tells a host through System.Logger ({@code dev.coffer.archive}). */
class ArchiveLoggingTest {

  @TempDir Path tmp;

  private Map<String, String> options() {
    return TestSupport.plainOptions();
  }

  @Test
  void anArchiveThatFailsItsChecks_isLeftOutOfTheListing_withAWarningNamingIt() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "alpha\n".repeat(100));
    Path repoDir = tmp.resolve("repo");
    BackupMetadata b;
    try (ArchiveRepository repo = TestSupport.open(repoDir, options())) {
      b = repo.backup(src);
    }
    Path archive = repoDir.resolve(b.backupId() + Format.FILE_SUFFIX);
    try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    try (ArchiveRepository repo = TestSupport.open(repoDir, options());
        LogCapture log = LogCapture.start("dev.coffer.archive")) {
      assertTrue(repo.list().isEmpty());
      assertTrue(
          log.contains(
              Level.WARNING, b.backupId() + Format.FILE_SUFFIX + " left out of the listing"),
          log.entries()::toString);
      assertEquals("dev.coffer.archive", log.entries().get(0).logger());
    }
  }

  @Test
  void anAbandonedTemporaryFile_isRemovedAtOpen_withAnInfoLine_andARunningOneIsKept()
      throws IOException {
    Path repoDir = tmp.resolve("repo");
    TestSupport.open(repoDir, options()).close();
    Path stale = Files.writeString(repoDir.resolve(Format.TEMP_PREFIX + "stale"), "partial");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
    try (TemporaryArchive running = TemporaryArchive.begin(repoDir, "fresh");
        LogCapture log = LogCapture.start("dev.coffer.archive")) {
      Path fresh = Files.writeString(running.file(), "running");
      TestSupport.open(repoDir, options()).close();
      assertFalse(Files.exists(stale));
      assertTrue(Files.exists(fresh), "a backup still running is writing it");
      assertTrue(
          log.contains(Level.INFO, "removed the leftovers of backup stale"),
          log.entries()::toString);
      assertFalse(log.entries().toString().contains("fresh"), log.entries()::toString);
    }
  }
}
