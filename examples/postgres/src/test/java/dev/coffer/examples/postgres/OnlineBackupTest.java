package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 22 end to end: a running PostgreSQL cluster under load (pgbench, and a writer committing a
 * counter) backed up online with {@link PostgresBackupSource}, restored with {@link PostgresRestore} while
 * the original keeps running, started, recovered, and checked: every counter row committed before
 * {@code pg_backup_stop} is there, pgbench's balances add up, and {@code pg_amcheck} finds no corruption.
 *
 * <p>Two cases, one per provider, to stay within seconds: a plain cluster through the {@link BackupSource}
 * handshake ({@code repo.backup(source)}) with {@code local}, and a cluster with a separate WAL directory
 * and the counter in a tablespace through {@link PostgresBackupSource#dataRequest()} with {@code archive}.
 * The stopped-cluster test covers every provider with every layout.
 */
class OnlineBackupTest {

  /** Counter rows the writer must commit while the cluster is in backup mode, before the stop. */
  private static final long WRITES_DURING_BACKUP = 200;

  private static Path ws;
  private static final Map<ClusterLayout, PgCluster> CLUSTERS = new EnumMap<>(ClusterLayout.class);

  /** The running clusters, with pgbench's tables and the counter. */
  @BeforeAll
  static void startClusters() throws Exception {
    PgCluster.requireBinaries();
    ws = PgCluster.workspace("online");
    for (ClusterLayout layout : ClusterLayout.values()) {
      PgCluster cluster = PgCluster.startNew(ws, layout);
      CLUSTERS.put(layout, cluster);
      cluster.client("pgbench", ws.resolve(layout.fileName() + "-pgbench-init.log"), "-i", "-q", "-s", "1", "postgres");
      cluster.execute("CREATE TABLE counter (id bigint PRIMARY KEY)" + layout.tableClause());
    }
  }

  @AfterAll
  static void stopClusters() throws IOException {
    try {
      for (PgCluster cluster : CLUSTERS.values()) {
        cluster.close();
      }
    } finally {
      Workspaces.remove(ws);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(Arguments.of("local", ClusterLayout.PLAIN), Arguments.of("archive", ClusterLayout.WALDIR_AND_TABLESPACE));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void runningClusterUnderLoad_backedUpOnline_recoversEveryTransactionCommittedBeforeTheStop(String provider,
      ClusterLayout layout) throws Exception {
    PgCluster cluster = CLUSTERS.get(layout);
    String name = provider + "-" + layout.fileName();
    PgCluster restored = null;
    Writer writer = null;
    Process pgbench = null;
    try {
      writer = new Writer(cluster.connect());
      writer.start();
      writer.awaitCommitted(writer.first() + 50);
      pgbench = cluster.startClient("pgbench", ws.resolve(name + "-pgbench.log"), "-n", "-c", "2", "-j", "1", "-T", "2",
          "postgres");

      long committedBeforeStop;
      BackupMetadata data;
      BackupMetadata wal;
      try (BackupRepository repo = Workspaces.repository(provider, ws.resolve(name + "-repo"));
           Connection admin = cluster.connect()) {
        long beforeStart = writer.committed();
        PostgresBackupSource source = PostgresBackupSource.start(admin, cluster.dataDirectory(), ws, "coffer-test",
            Map.of("counter.committed-before-start", Long.toString(beforeStart)));
        StopProbe probe = new StopProbe(source, writer, beforeStart + WRITES_DURING_BACKUP);
        if (layout == ClusterLayout.PLAIN) {
          data = repo.backup(probe);
        } else {
          try (probe) {
            data = repo.backup(source.dataRequest());
            probe.completed(data);
          }
        }
        committedBeforeStop = probe.committedBeforeStop;
        wal = source.backupWal(repo, data);
        assertTrue(WalFiles.lsn(wal.labels().get(PostgresBackupSource.LABEL_STOP_LSN))
            > WalFiles.lsn(data.labels().get(PostgresBackupSource.LABEL_START_LSN)), "stop LSN after start LSN: " + wal.labels());
        assertEquals(data.backupId(), wal.labels().get(PostgresBackupSource.LABEL_DATA_BACKUP));
        assertEquals("1", data.labels().get(PostgresBackupSource.LABEL_TIMELINE));

        writer.finish();
        assertEquals(0, pgbench.waitFor(), "pgbench exit status (see " + name + "-pgbench.log)");
        pgbench = null;

        // the original keeps running: its postmaster.pid must not come back in the restore
        Path target = ws.resolve(name + "-restored");
        PostgresRestore.restore(repo, wal.backupId(), target);
        assertFalse(Files.isSymbolicLink(target.resolve("pg_wal")), "the restore's pg_wal is its own");
        restored = PgCluster.existing(ws, name + "-restored", target);
      }
      restored.start();
      assertEquals("f", restored.query("SELECT pg_is_in_recovery()"), "recovery ended");
      long n = committedBeforeStop;
      assertEquals(Long.toString(n), restored.query("SELECT count(*) FROM counter WHERE id <= " + n),
          "every counter row committed before pg_backup_stop");
      assertEquals("t", restored.query("SELECT (SELECT sum(abalance) FROM pgbench_accounts) = "
          + "(SELECT coalesce(sum(delta), 0) FROM pgbench_history) AND (SELECT sum(bbalance) FROM pgbench_branches) = "
          + "(SELECT coalesce(sum(delta), 0) FROM pgbench_history)"), "pgbench's balances add up");
      assertTrue(Long.parseLong(restored.query("SELECT count(*) FROM pgbench_history")) > 0, "pgbench wrote");
      if (layout == ClusterLayout.WALDIR_AND_TABLESPACE) {
        String oid = restored.query("SELECT oid FROM pg_tablespace WHERE spcname = 'space'");
        assertEquals(restored.dataDirectory().resolveSibling(name + "-restored.tablespaces").resolve(oid).toString(),
            restored.query("SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'space'"),
            "the restore's tablespace is a directory of its own");
      }
      restored.client("pg_amcheck", ws.resolve(name + "-amcheck.log"), "--install-missing", "--heapallindexed", "--all");
    } finally {
      if (writer != null) {
        writer.stopQuietly();
      }
      if (pgbench != null) {
        pgbench.destroy();
      }
      if (restored != null) {
        restored.close();
      }
    }
  }

  /**
   * Passes the source through and, once the copy is done and before {@code close()} (which runs
   * {@code pg_backup_stop}), waits for the writer to have committed rows during backup mode and reads how
   * many it committed: a lower bound of what the restore must hold.
   */
  private static final class StopProbe implements BackupSource {
    private final PostgresBackupSource source;
    private final Writer writer;
    private final long awaited;
    long committedBeforeStop = -1;

    StopProbe(PostgresBackupSource source, Writer writer, long awaited) {
      this.source = source;
      this.writer = writer;
      this.awaited = awaited;
    }

    @Override
    public Path directory() {
      return source.directory();
    }

    @Override
    public Map<String, String> labels() {
      return source.labels();
    }

    @Override
    public void completed(BackupMetadata backup) throws IOException {
      writer.awaitCommitted(awaited);
      committedBeforeStop = writer.committed();
    }

    @Override
    public void close() throws IOException {
      source.close();
    }
  }

  /** Commits counter rows n, n + 1... one transaction each, remembering the last commit that returned. */
  private static final class Writer extends Thread {
    private final Connection connection;
    private final long first;
    private final AtomicLong committed;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    Writer(Connection connection) throws SQLException {
      super("counter-writer");
      this.connection = connection;
      try (var s = connection.createStatement(); var r = s.executeQuery("SELECT coalesce(max(id), 0) FROM counter")) {
        r.next();
        first = r.getLong(1) + 1;
      }
      committed = new AtomicLong(first - 1);
      setDaemon(true);
    }

    @Override
    public void run() {
      try (connection; PreparedStatement insert = connection.prepareStatement("INSERT INTO counter VALUES (?)")) {
        for (long id = first; !stopping; id++) {
          insert.setLong(1, id);
          insert.executeUpdate(); // auto-commit: returns once committed
          committed.set(id);
        }
      } catch (SQLException e) {
        failure.set(e);
      } finally {
        stopped.countDown();
      }
    }

    long first() {
      return first;
    }

    void stopQuietly() {
      stopping = true;
    }

    long committed() {
      return committed.get();
    }

    void awaitCommitted(long rows) throws IOException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (committed.get() < rows) {
        if (failure.get() != null || stopped.getCount() == 0) {
          throw new IOException("counter writer stopped at " + committed.get(), failure.get());
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("counter writer reached only " + committed.get() + " of " + rows + " rows in 60 s");
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }

    void finish() throws InterruptedException, SQLException {
      stopping = true;
      if (!stopped.await(30, TimeUnit.SECONDS)) {
        throw new SQLException("counter writer did not stop");
      }
      if (failure.get() instanceof SQLException e) {
        throw e;
      }
    }
  }
}
