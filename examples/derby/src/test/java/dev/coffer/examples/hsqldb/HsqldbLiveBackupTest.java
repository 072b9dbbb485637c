package dev.coffer.examples.hsqldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupType;
import dev.coffer.NoSuchBackupException;
import dev.coffer.examples.DemoWriter;
import dev.coffer.examples.TestRepositories;
import dev.coffer.spi.support.BackupIds;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HSQLDB, embedded and written to continuously, backed up live through each provider from its own
 * {@code BACKUP DATABASE ... AS FILES} output, then restored, opened and checked: the same {@link
 * dev.coffer.BackupSource} surface as Derby over a different mechanism.
 */
class HsqldbLiveBackupTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int ROWS_PER_PHASE = 300;
  private static final String NAME = "demo";

  @TempDir Path tmp;

  /**
   * What a restore must show: every row committed before the backup, none started after it
   * returned.
   */
  private record Expected(BackupMetadata backup, long committedBefore, long startedAfter) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.coffer.examples.TestRepositories#providers")
  void liveDatabase_fullThenIncremental_restoresEveryRowCommittedBeforeEachBackup(String provider)
      throws Exception {
    Path db = tmp.resolve("hsqldb-" + provider);
    Files.createDirectories(db);
    Expected full;
    Expected incremental;
    try (BackupRepository repo = TestRepositories.open(provider, tmp.resolve("repo"))) {
      Connection admin = Hsqldb.create(db, NAME);
      try (DemoWriter writer =
          DemoWriter.start(Hsqldb.open(db, NAME), Hsqldb.INSERT, "hsqldb-writer-" + provider)) {
        writer.awaitCommitted(ROWS_PER_PHASE, WAIT);
        full = backUpLive(repo, admin, writer, null, tmp.resolve("staging-full-" + provider));
        writer.awaitCommitted(full.startedAfter() + ROWS_PER_PHASE, WAIT);
        incremental =
            backUpLive(
                repo,
                admin,
                writer,
                full.backup().backupId(),
                tmp.resolve("staging-incr-" + provider));
        writer.awaitCommitted(incremental.startedAfter() + 10, WAIT);
      } finally {
        Hsqldb.shutdown(admin);
        admin.close();
      }

      assertEquals(BackupType.INCREMENTAL, incremental.backup().backupType());
      assertEquals(full.backup().backupId(), incremental.backup().baseBackupId());
      for (Expected e : List.of(full, incremental)) {
        String id = e.backup().backupId();
        assertTrue(repo.verify(BackupId.of(id)).ok(), () -> "verify " + id);
        Map<String, String> stored = repo.find(BackupId.of(id)).orElseThrow().labels();
        assertEquals(
            Long.toString(e.committedBefore()), stored.get("rows.committed-before-backup"));
        assertEquals(NAME, stored.get(HsqldbBackupSource.LABEL_DATABASE));

        Path restored =
            tmp.resolve(
                "restored-" + provider + "-" + e.backup().backupType().name().toLowerCase());
        repo.restore(BackupId.of(id), restored);
        assertRestoredRows(restored, stored.get(HsqldbBackupSource.LABEL_DATABASE), e);
      }
    }
  }

  private static Expected backUpLive(
      BackupRepository repo, Connection admin, DemoWriter writer, String base, Path staging)
      throws IOException, SQLException {
    long committedBefore = Hsqldb.countAndMax(admin)[1];
    HsqldbBackupSource source =
        HsqldbBackupSource.backupAsFiles(
            admin,
            NAME,
            staging,
            Map.of("rows.committed-before-backup", Long.toString(committedBefore)));
    // BLOCKING: other sessions waited while HSQLDB wrote the copy; nothing started from here on is
    // in it.
    long startedAfter = writer.started();
    assertTrue(
        Files.isRegularFile(staging.resolve(NAME + ".script")),
        "HSQLDB wrote its files into " + staging);
    BackupMetadata backup = repo.backup(source, base == null ? null : BackupId.of(base));
    assertFalse(Files.exists(staging), "closing the source removes the staging copy");
    return new Expected(backup, committedBefore, startedAfter);
  }

  private static void assertRestoredRows(Path restored, String name, Expected e)
      throws SQLException {
    try (Connection c = Hsqldb.open(restored, name)) {
      try {
        assertEquals(
            List.of(), Hsqldb.checkIndexes(c), "PERFORM CHECK ALL TABLE INDEX on " + restored);
        long[] countAndMax = Hsqldb.countAndMax(c);
        long rows = countAndMax[0];
        assertEquals(rows, countAndMax[1], "ids must be exactly 1..n, without gaps");
        assertTrue(
            rows >= e.committedBefore(),
            "restored "
                + rows
                + " rows, but "
                + e.committedBefore()
                + " had committed before the backup");
        assertTrue(
            rows <= e.startedAfter(),
            "restored "
                + rows
                + " rows, but only "
                + e.startedAfter()
                + " had been started when it returned");
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT ID, PAYLOAD FROM " + Hsqldb.TABLE)) {
          while (rs.next()) {
            assertEquals(DemoWriter.payload(rs.getLong(1)), rs.getString(2));
          }
        }
      } finally {
        Hsqldb.shutdown(c);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.coffer.examples.TestRepositories#providers")
  void backup_whenTheProviderFails_stillRemovesTheStagingCopy(String provider) throws Exception {
    Path db = tmp.resolve("hsqldb-fail-" + provider);
    Files.createDirectories(db);
    Path staging = tmp.resolve("staging-fail");
    try (BackupRepository repo = TestRepositories.open(provider, tmp.resolve("repo"));
        Connection admin = Hsqldb.create(db, NAME)) {
      try {
        HsqldbBackupSource source =
            HsqldbBackupSource.backupAsFiles(admin, NAME, staging, Map.of());
        assertTrue(Files.isDirectory(staging));

        assertThrows(NoSuchBackupException.class, () -> repo.backup(source, BackupIds.newId()));

        assertFalse(Files.exists(staging));
        assertTrue(repo.list().isEmpty());
      } finally {
        Hsqldb.shutdown(admin);
      }
    }
  }

  @Test
  void backupAsFiles_intoAnExistingDirectory_isRefusedBeforeHsqldbWritesAnything()
      throws Exception {
    Path staging = Files.createDirectories(tmp.resolve("staging-exists"));
    Files.writeString(staging.resolve("keep.txt"), "not HSQLDB's");
    try (Connection c = DriverManager.getConnection("jdbc:hsqldb:mem:refuse", "SA", "")) {
      assertThrows(
          FileAlreadyExistsException.class,
          () -> HsqldbBackupSource.backupAsFiles(c, NAME, staging, Map.of()));
      Hsqldb.shutdown(c);
    }
    try (Stream<Path> left = Files.list(staging)) {
      assertEquals(List.of(staging.resolve("keep.txt")), left.toList());
    }
  }
}
