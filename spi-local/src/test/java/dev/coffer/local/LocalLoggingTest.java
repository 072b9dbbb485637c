package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupRepository;
import dev.coffer.testkit.LogCapture;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the local provider tells a host through System.Logger ({@code dev.coffer.local}). */
class LocalLoggingTest {

  @TempDir Path tmp;

  @Test
  void anInterruptedDeletion_isFinishedAtOpen_withAnInfoLineNamingIt() throws IOException {
    Path repoDir = tmp.resolve("repo");
    new LocalBackupProvider().open(repoDir, Map.of()).close();
    Path leftover =
        Files.createDirectories(repoDir.resolve(".deleting-20261206T010203Z-a1b2c3/data/sub"));
    Files.writeString(leftover.resolve("f"), "half deleted");
    try (LogCapture log = LogCapture.start("dev.coffer.local")) {
      try (BackupRepository repo = new LocalBackupProvider().open(repoDir, Map.of())) {
        assertTrue(repo.list().isEmpty());
      }
      assertFalse(Files.exists(repoDir.resolve(".deleting-20261206T010203Z-a1b2c3")));
      assertTrue(
          log.contains(
              Level.INFO,
              "finished the interrupted deletion "
                  + repoDir.resolve(".deleting-20261206T010203Z-a1b2c3")),
          log.entries()::toString);
    }
  }
}
