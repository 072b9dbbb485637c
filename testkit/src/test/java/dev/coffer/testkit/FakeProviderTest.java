package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.CorruptBackupException;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FakeProviderTest {

  private static final Map<String, String> KEY = Map.of("key", "00".repeat(32));

  @Test
  void aBackupRestoresItsSource_andAChangedStoredFileIsCorrupt() throws IOException {
    Path root = JimfsRoots.of(Fs.WINDOWS);
    Path source = Files.createDirectories(root.resolve("src").resolve("a"));
    Files.writeString(source.resolve("one.txt"), "one");
    try (BackupRepository repo = new FakeProvider().open(root.resolve("repo"), KEY)) {
      BackupMetadata b = repo.backup(source.getParent());
      assertEquals(List.of(b), repo.list());
      repo.restore(b.id(), root.resolve("out"));
      assertEquals(Snapshot.of(source.getParent()), Snapshot.of(root.resolve("out")));
      Files.writeString(
          root.resolve("repo")
              .resolve(b.backupId())
              .resolve("data")
              .resolve("a")
              .resolve("one.txt"),
          "0ne");
      VerifyReport r = repo.verify(b.id());
      assertFalse(r.ok());
      assertEquals(VerifyReport.Kind.CORRUPT, r.problems().get(0).kind());
      assertThrows(CorruptBackupException.class, () -> repo.restore(b.id(), root.resolve("out2")));
      assertFalse(Files.exists(root.resolve("out2")));
    }
  }

  @Test
  void aWrongOrMissingKey_isRefused() throws IOException {
    Path repo = JimfsRoots.of(Fs.UNIX).resolve("repo");
    new FakeProvider().open(repo, KEY).close();
    WrongKeyException wrong =
        assertThrows(
            WrongKeyException.class,
            () -> new FakeProvider().open(repo, Map.of("key", "11".repeat(32))));
    assertFalse(wrong.getMessage().contains("11".repeat(32)));
    assertThrows(WrongKeyException.class, () -> new FakeProvider().open(repo, Map.of()));
    try (BackupRepository again = new FakeProvider().open(repo, KEY)) {
      assertTrue(again.list().isEmpty());
    }
  }
}
