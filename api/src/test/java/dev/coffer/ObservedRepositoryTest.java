package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every repository {@link BackupProviders} opens is observed: a Flight Recorder event per
 * operation, read back from a real recording, and a DEBUG line on the {@code dev.coffer} logger
 * (through the JDK's default {@code System.Logger}, which bridges to java.util.logging), never with
 * a path.
 */
class ObservedRepositoryTest {

  static final BackupId ID = BackupId.of("20261206T010203Z-a1b2c3");
  static final String SECRET_PATH = "/srv/customer-acme/s3cr3t";

  @TempDir Path dir;

  private final List<LogRecord> logged = new ArrayList<>();
  private final Logger jul = Logger.getLogger("dev.coffer");
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Level previousLevel;

  @BeforeEach
  void captureLog() {
    previousLevel = jul.getLevel();
    jul.setLevel(Level.FINE); // System.Logger's DEBUG is java.util.logging's FINE
    jul.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    jul.removeHandler(capture);
    jul.setLevel(previousLevel);
  }

  /** A repository that stores nothing but answers like one that holds {@link #ID}. */
  static class Memory implements BackupRepository {
    @Override
    public RepositoryInfo info() {
      return new RepositoryInfo("memory", java.util.Set.of(), "memory:");
    }

    BackupMetadata metadata() {
      return new BackupMetadata(
          ID.value(),
          Instant.parse("2026-12-06T01:02:03Z"),
          SECRET_PATH,
          3,
          3000,
          BackupType.FULL,
          null,
          "memory",
          "test",
          Map.of());
    }

    @Override
    public BackupMetadata backup(BackupRequest request) {
      return metadata();
    }

    @Override
    public BackupMetadata restore(RestoreRequest request) throws IOException {
      throw new CorruptBackupException("crc32c mismatch for " + SECRET_PATH + "/data/a", "data/a");
    }

    @Override
    public VerifyReport verify(BackupId backupId) {
      return new VerifyReport(
          backupId.value(),
          List.of(new VerifyReport.Problem("a", VerifyReport.Kind.CORRUPT, "bad")),
          3,
          3000);
    }

    @Override
    public long storedBytes(BackupId backupId) {
      return 1234;
    }

    @Override
    public Optional<BackupMetadata> find(BackupId backupId) {
      return Optional.of(metadata());
    }

    @Override
    public void delete(BackupId backupId) {}

    @Override
    public List<BackupMetadata> prune(RetentionPolicy policy) {
      return List.of(metadata());
    }

    @Override
    public List<BackupMetadata> list() {
      return List.of(metadata());
    }

    @Override
    public void close() {}
  }

  private List<RecordedEvent> record(IoAction action) throws IOException {
    Path file = dir.resolve("coffer.jfr");
    try (Recording r = new Recording()) {
      for (String e : List.of("Backup", "Restore", "Verify", "Delete", "Prune")) {
        r.enable("dev.coffer." + e);
      }
      r.start();
      action.run();
      r.stop();
      r.dump(file);
    }
    return RecordingFile.readAllEvents(file);
  }

  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }

  private static RecordedEvent only(List<RecordedEvent> events, String name) {
    List<RecordedEvent> named =
        events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    assertEquals(1, named.size(), name + " in " + events);
    return named.get(0);
  }

  @Test
  void backupRestoreVerifyDeleteAndPrune_eachCommitOneEvent_withCountsSizesAndOutcome()
      throws IOException {
    BackupRepository repo = ObservedRepository.wrap(new Memory(), "memory");
    List<RecordedEvent> events =
        record(
            () -> {
              repo.backup(Path.of("/var/lib/db"));
              assertThrows(
                  CorruptBackupException.class, () -> repo.restore(ID, dir.resolve("restored")));
              assertFalse(repo.verify(ID).ok());
              repo.delete(ID);
              repo.prune(RetentionPolicy.keepLast(1));
            });

    RecordedEvent backup = only(events, "dev.coffer.Backup");
    assertEquals("memory", backup.getString("provider"));
    assertEquals(ID.value(), backup.getString("backupId"));
    assertEquals(3, backup.getLong("files"));
    assertEquals(3000, backup.getLong("logicalBytes"));
    assertEquals(1234, backup.getLong("storedBytes"));
    assertEquals("ok", backup.getString("outcome"));
    assertFalse(backup.getBoolean("incremental"));
    assertFalse(backup.getDuration().isNegative());

    RecordedEvent restore = only(events, "dev.coffer.Restore");
    assertEquals("CorruptBackupException", restore.getString("outcome"));
    assertEquals(ID.value(), restore.getString("backupId"));

    RecordedEvent verify = only(events, "dev.coffer.Verify");
    assertEquals("problems", verify.getString("outcome"));
    assertEquals(1, verify.getInt("problems"));
    assertEquals(3000, verify.getLong("logicalBytes"));

    RecordedEvent delete = only(events, "dev.coffer.Delete");
    assertEquals(1234, delete.getLong("storedBytes"), "what the delete frees, read before it");
    assertEquals(3, delete.getLong("files"));

    RecordedEvent prune = only(events, "dev.coffer.Prune");
    assertEquals(1, prune.getInt("backupsDeleted"));
    assertEquals(3000, prune.getLong("logicalBytes"));

    for (RecordedEvent e : events) {
      assertFalse(e.toString().contains("customer-acme"), "an event names a path: " + e);
    }
  }

  @Test
  void eachOperation_logsOneDebugLine_withoutPaths() throws IOException {
    BackupRepository repo = ObservedRepository.wrap(new Memory(), "memory");
    repo.backup(Path.of("/var/lib/db"));
    assertThrows(CorruptBackupException.class, () -> repo.restore(ID, dir.resolve("restored")));

    assertEquals(2, logged.size(), logged.toString());
    assertEquals(Level.FINE, logged.get(0).getLevel());
    assertEquals("dev.coffer", logged.get(0).getLoggerName());
    // no recording is running, so the backup's stored size is not measured (no extra size() call)
    assertEquals(
        "backup " + ID + " by memory: ok, 3 files, 3000 bytes", logged.get(0).getMessage());
    assertEquals(
        "restore of " + ID + " by memory: CorruptBackupException", logged.get(1).getMessage());
    logged.forEach(r -> assertFalse(r.getMessage().contains("customer-acme"), r.getMessage()));
  }

  @Test
  void repositoriesOpenedThroughBackupProviders_areObserved_andFailuresRecordTheExceptionClass()
      throws IOException {
    Files.createDirectories(dir.resolve("repo"));
    List<RecordedEvent> events =
        record(
            () -> {
              try (BackupRepository repo =
                  BackupProviders.open("coffer:fake:" + dir.resolve("repo").toUri())) {
                assertThrows(
                    NoSuchBackupException.class, () -> repo.verify(ID, ProgressListener.NONE));
              }
              try (BackupRepository repo =
                  BackupProviders.open("fake", dir.resolve("repo"), Map.of())) {
                assertThrows(NoSuchBackupException.class, () -> repo.delete(ID));
              }
            });
    RecordedEvent verify = only(events, "dev.coffer.Verify");
    assertEquals("fake", verify.getString("provider"));
    assertEquals("NoSuchBackupException", verify.getString("outcome"));
    assertEquals("NoSuchBackupException", only(events, "dev.coffer.Delete").getString("outcome"));
  }

  @Test
  void wrappingTwice_keepsOneWrapper() {
    BackupRepository once = ObservedRepository.wrap(new Memory(), "memory");
    assertSame(once, ObservedRepository.wrap(once, "memory"));
    assertEquals(((ObservedRepository) once).delegate().toString(), once.toString());
  }

  @Test
  void defaultVerifyWithListener_reportsStartAndEnd_andAThrowingListenerAbortsBeforeVerifying()
      throws IOException {
    List<Progress> seen = new ArrayList<>();
    VerifyReport report = new Memory().verify(ID, seen::add);
    assertEquals(
        List.of(
            new Progress(Progress.Phase.VERIFY, 0, -1, 0, -1, ""),
            new Progress(Progress.Phase.VERIFY, 3, 3, 3000, 3000, "")),
        seen);
    assertEquals(3, report.filesChecked());

    int[] verifies = {0};
    Memory counting =
        new Memory() {
          @Override
          public VerifyReport verify(BackupId backupId) {
            verifies[0]++;
            return super.verify(backupId);
          }
        };
    IllegalStateException cancel = new IllegalStateException("cancelled");
    assertSame(
        cancel,
        assertThrows(
            IllegalStateException.class,
            () ->
                counting.verify(
                    ID,
                    p -> {
                      throw cancel;
                    })));
    assertEquals(0, verifies[0]);
  }
}
