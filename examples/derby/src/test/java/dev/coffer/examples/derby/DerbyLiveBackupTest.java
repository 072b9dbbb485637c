package dev.coffer.examples.derby;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupSource;
import dev.coffer.BackupType;
import dev.coffer.NoSuchBackupException;
import dev.coffer.examples.DemoWriter;
import dev.coffer.examples.TestRepositories;
import dev.coffer.spi.support.BackupIds;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Apache Derby, embedded and written to continuously, backed up live through each provider with
 * freeze / copy / unfreeze, then restored, booted (crash recovery) and checked.
 */
class DerbyLiveBackupTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int ROWS_PER_PHASE = 300;

  @TempDir Path tmp;

  /** What a restore must show: every row committed before the freeze, none started after it. */
  private record Expected(
      BackupMetadata backup, long committedBefore, long startedBeforeUnfreeze) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.coffer.examples.TestRepositories#providers")
  void liveDatabase_fullThenIncremental_restoresEveryRowCommittedBeforeEachFreeze(String provider)
      throws Exception {
    Path db = tmp.resolve("derby-" + provider);
    Expected full;
    Expected incremental;
    try (BackupRepository repo = TestRepositories.open(provider, tmp.resolve("repo"))) {
      try (Connection admin = Derby.create(db);
          DemoWriter writer =
              DemoWriter.start(Derby.open(db), Derby.INSERT, "derby-writer-" + provider)) {
        writer.awaitCommitted(ROWS_PER_PHASE, WAIT);
        full = backUpLive(repo, admin, db, writer, null);
        writer.awaitCommitted(full.startedBeforeUnfreeze() + ROWS_PER_PHASE, WAIT);
        incremental = backUpLive(repo, admin, db, writer, full.backup().backupId());
        writer.awaitCommitted(
            incremental.startedBeforeUnfreeze() + 10, WAIT); // the writer survived both freezes
      }
      Derby.shutdown(db);

      assertEquals(BackupType.FULL, full.backup().backupType());
      assertEquals(BackupType.INCREMENTAL, incremental.backup().backupType());
      assertEquals(full.backup().backupId(), incremental.backup().baseBackupId());
      assertTrue(
          incremental.committedBefore() > full.startedBeforeUnfreeze(),
          "the incremental backup must hold rows written after the full one");
      for (Expected e : new Expected[] {full, incremental}) {
        String id = e.backup().backupId();
        assertTrue(repo.verify(BackupId.of(id)).ok(), () -> "verify " + id);
        Map<String, String> stored = repo.find(BackupId.of(id)).orElseThrow().labels();
        assertEquals(
            Long.toString(e.committedBefore()), stored.get("rows.committed-before-freeze"));
        assertTrue(
            stored.get(DerbyBackupSource.LABEL_LOG_FILE).matches("log\\d+\\.dat"),
            stored::toString);
        assertTrue(stored.containsKey(DerbyBackupSource.LABEL_VERSION), stored::toString);

        Path restored =
            tmp.resolve(
                "restored-" + provider + "-" + e.backup().backupType().name().toLowerCase());
        repo.restore(BackupId.of(id), restored);
        assertRestoredRows(restored, e);
      }
    }
  }

  /** Reads the high-water mark, freezes, copies, unfreezes: what a host does for every backup. */
  private static Expected backUpLive(
      BackupRepository repo, Connection admin, Path db, DemoWriter writer, String base)
      throws IOException, SQLException {
    long committedBefore = Derby.countAndMax(admin)[1];
    DerbyBackupSource frozen =
        DerbyBackupSource.freeze(
            admin, db, Map.of("rows.committed-before-freeze", Long.toString(committedBefore)));
    AtomicLong startedWhileFrozen = new AtomicLong();
    BackupSource observed =
        new BackupSource() {
          @Override
          public Path directory() {
            return frozen.directory();
          }

          @Override
          public Map<String, String> labels() {
            return frozen.labels();
          }

          @Override
          public void completed(BackupMetadata backup) {
            startedWhileFrozen.set(
                writer.started()); // still frozen: the copy is done, the unfreeze not yet
          }

          @Override
          public void close() throws IOException {
            frozen.close();
          }
        };
    BackupMetadata backup = repo.backup(observed, base == null ? null : BackupId.of(base));
    return new Expected(backup, committedBefore, startedWhileFrozen.get());
  }

  private static void assertRestoredRows(Path restored, Expected e) throws SQLException {
    try (Connection c = Derby.open(restored)) {
      assertEquals(1, Derby.checkTable(c), "SYSCS_CHECK_TABLE on " + restored);
      long[] countAndMax = Derby.countAndMax(c);
      long rows = countAndMax[0];
      assertEquals(rows, countAndMax[1], "ids must be exactly 1..n, without gaps");
      assertTrue(
          rows >= e.committedBefore(),
          "restored "
              + rows
              + " rows, but "
              + e.committedBefore()
              + " had committed before the freeze");
      assertTrue(
          rows <= e.startedBeforeUnfreeze(),
          "restored "
              + rows
              + " rows, but only "
              + e.startedBeforeUnfreeze()
              + " had been started while frozen");
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT ID, PAYLOAD FROM " + Derby.TABLE)) {
        while (rs.next()) {
          assertEquals(DemoWriter.payload(rs.getLong(1)), rs.getString(2));
        }
      }
    } finally {
      Derby.shutdown(restored);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.coffer.examples.TestRepositories#providers")
  void backup_whenTheProviderFails_stillUnfreezesTheDatabase(String provider) throws Exception {
    Path db = tmp.resolve("derby-fail-" + provider);
    try (BackupRepository repo = TestRepositories.open(provider, tmp.resolve("repo"));
        Connection admin = Derby.create(db);
        DemoWriter writer =
            DemoWriter.start(Derby.open(db), Derby.INSERT, "derby-fail-writer-" + provider)) {
      writer.awaitCommitted(20, WAIT);
      String unknownBase = BackupIds.newId().value();
      DerbyBackupSource frozen = DerbyBackupSource.freeze(admin, db, Map.of());

      assertThrows(
          NoSuchBackupException.class, () -> repo.backup(frozen, BackupId.of(unknownBase)));

      // Writers block while Derby is frozen, so progress proves the unfreeze happened.
      writer.awaitCommitted(writer.started() + 20, WAIT);
      assertTrue(repo.list().isEmpty());
    } finally {
      Derby.shutdown(db);
    }
  }

  /**
   * Why labels are read before the freeze: a READ COMMITTED reader inside the freeze waits for the
   * lock of a writer that cannot commit until the unfreeze, so a host that reads and then unfreezes
   * on one thread waits out the lock timeout. READ UNCOMMITTED does not wait, but counts a row that
   * is not committed.
   */
  @Test
  void readingInsideTheFreeze_waitsForAWriterTheFreezeBlocks() throws Exception {
    Path db = tmp.resolve("derby-read-inside");
    try (Connection admin = Derby.create(db);
        Connection writer = Derby.open(db);
        Connection reader = Derby.open(db)) {
      try (Statement s = admin.createStatement()) {
        s.execute("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.waitTimeout', '1')");
      }
      writer.setAutoCommit(false);
      try (Statement s = writer.createStatement()) {
        s.executeUpdate("INSERT INTO " + Derby.TABLE + " VALUES (1, 'uncommitted at the freeze')");
      }
      Thread committer;
      AtomicLong committedAtNanos = new AtomicLong();
      try (DerbyBackupSource frozen = DerbyBackupSource.freeze(admin, db, Map.of())) {
        committer =
            new Thread(
                () -> {
                  try {
                    writer.commit();
                    committedAtNanos.set(System.nanoTime());
                  } catch (SQLException e) {
                    throw new IllegalStateException(e);
                  }
                });
        committer.start();

        SQLException timeout = assertThrows(SQLException.class, () -> Derby.countAndMax(reader));
        assertEquals("40XL1", timeout.getSQLState(), timeout::toString); // lock wait timeout
        assertEquals(0, committedAtNanos.get(), "the commit must wait for the unfreeze");

        reader.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
        assertEquals(
            1, Derby.countAndMax(reader)[0], "a dirty read sees the row the freeze holds back");
        assertTrue(frozen.directory().equals(db));
      }
      committer.join(WAIT.toMillis());
      assertTrue(committedAtNanos.get() != 0, "the commit completes after the unfreeze");
      reader.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      assertEquals(1, Derby.countAndMax(reader)[0]);
    } finally {
      Derby.shutdown(db);
    }
  }
}
