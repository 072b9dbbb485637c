package dev.coffer.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupSource;
import dev.coffer.BackupType;
import dev.coffer.NoSuchBackupException;
import dev.coffer.spi.support.BackupIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link BackupSource} life cycle as {@link BackupRepository#backup(BackupSource, String)}
 * drives it with a real provider, in every outcome.
 */
class BackupSourceLifecycleTest {

  @TempDir Path tmp;

  /** Records the calls a host would see. */
  private static final class RecordingSource implements BackupSource {
    final List<String> calls = new ArrayList<>();
    final Path dir;
    IOException failOnCompleted;
    IOException failOnClose;

    RecordingSource(Path dir) {
      this.dir = dir;
    }

    @Override
    public Path directory() {
      return dir;
    }

    @Override
    public Map<String, String> labels() {
      return Map.of("lsn", "0/16B3748", "rows", "42");
    }

    @Override
    public void completed(BackupMetadata backup) throws IOException {
      calls.add("completed " + backup.backupId());
      if (failOnCompleted != null) {
        throw failOnCompleted;
      }
    }

    @Override
    public void close() throws IOException {
      calls.add("close");
      if (failOnClose != null) {
        throw failOnClose;
      }
    }
  }

  private Path snapshot() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("snapshot"));
    Files.writeString(dir.resolve("data.db"), "pages", StandardCharsets.UTF_8);
    return dir;
  }

  private BackupRepository repo() throws IOException {
    return TestRepositories.open(TestRepositories.providers().get(0), tmp.resolve("repo"));
  }

  @Test
  void backup_recordsTheHostLabels_thenTellsCompletedBeforeClose() throws IOException {
    RecordingSource source = new RecordingSource(snapshot());
    try (BackupRepository repo = repo()) {
      BackupMetadata full = repo.backup(source, null);
      BackupMetadata incremental = repo.backup(new RecordingSource(source.dir), full.id());

      assertEquals(List.of("completed " + full.backupId(), "close"), source.calls);
      assertEquals(
          Map.of("lsn", "0/16B3748", "rows", "42"), repo.find(full.id()).orElseThrow().labels());
      assertEquals(BackupType.INCREMENTAL, incremental.backupType());
      assertEquals(full.backupId(), incremental.baseBackupId());
      Path restored = tmp.resolve("restored");
      repo.restore(incremental.id(), restored);
      assertArrayEquals(
          "pages".getBytes(StandardCharsets.UTF_8),
          Files.readAllBytes(restored.resolve("data.db")));
    }
  }

  @Test
  void backup_whenTheCopyFails_closesTheSourceWithoutCompleted() throws IOException {
    RecordingSource missing = new RecordingSource(tmp.resolve("absent"));
    RecordingSource unknownBase = new RecordingSource(snapshot());
    try (BackupRepository repo = repo()) {
      assertThrows(NoSuchFileException.class, () -> repo.backup(missing, null));
      assertThrows(NoSuchBackupException.class, () -> repo.backup(unknownBase, BackupIds.newId()));
      assertThrows(
          IllegalArgumentException.class, () -> repo.backup(unknownBase, BackupId.of("../bad")));
      assertTrue(repo.list().isEmpty());
    }
    assertEquals(List.of("close"), missing.calls);
    assertEquals(
        List.of("close"),
        unknownBase.calls,
        "a malformed base fails in BackupId.of, before any backup");
  }

  @Test
  void backup_whenCloseFailsAfterAFailedCopy_keepsTheCopyFailureAndSuppressesTheCloseFailure()
      throws IOException {
    RecordingSource source = new RecordingSource(tmp.resolve("absent"));
    source.failOnClose = new IOException("unfreeze failed");
    try (BackupRepository repo = repo()) {
      NoSuchFileException e =
          assertThrows(NoSuchFileException.class, () -> repo.backup(source, null));

      assertSame(source.failOnClose, e.getSuppressed()[0]);
    }
  }

  @Test
  void backup_whenCompletedFails_stillCloses_andTheBackupExists() throws IOException {
    RecordingSource source = new RecordingSource(snapshot());
    source.failOnCompleted = new IOException("catalog write failed");
    try (BackupRepository repo = repo()) {
      IOException e = assertThrows(IOException.class, () -> repo.backup(source, null));

      assertSame(source.failOnCompleted, e);
      assertEquals("close", source.calls.get(source.calls.size() - 1));
      assertEquals(1, repo.list().size());
    }
  }
}
