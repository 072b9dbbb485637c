package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupSource;
import dev.coffer.SourceEnd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * counter) backed up online with {@link PostgresBackupSource} as ONE backup, restored while the
 * original keeps running, started, recovered, and checked: the backup's labels (read back with
 * {@code list()}) carry the start and stop LSN and the timeline; what PostgreSQL documents as
 * excluded is not in it; every counter row committed before {@code pg_backup_stop} is there,
 * pgbench's balances add up, and {@code pg_amcheck} finds no corruption.
 *
 * <p>Two cases, one per provider, to stay within seconds: a plain cluster through the {@link
 * BackupSource} handshake ({@code repo.backup(source)}) with {@code local}, restored by a plain
 * {@code repo.restore}; and a cluster with a separate WAL directory and the counter in a tablespace
 * through {@link PostgresBackupSource#request()} with {@code archive}, restored with {@link
 * PostgresRestore} (which moves the tablespace out). The stopped-cluster test covers every provider
 * with every layout.
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
      cluster.client(
          "pgbench",
          ws.resolve(layout.fileName() + "-pgbench-init.log"),
          "-i",
          "-q",
          "-s",
          "1",
          "postgres");
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
    return Stream.of(
        Arguments.of("local", ClusterLayout.PLAIN),
        Arguments.of("archive", ClusterLayout.WALDIR_AND_TABLESPACE));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void runningClusterUnderLoad_backedUpOnline_recoversEveryTransactionCommittedBeforeTheStop(
      String provider, ClusterLayout layout) throws Exception {
    PgCluster cluster = CLUSTERS.get(layout);
    String name = provider + "-" + layout.fileName();
    PgCluster restored = null;
    Writer writer = null;
    Process pgbench = null;
    try {
      writer = new Writer(cluster.connect());
      writer.start();
      writer.awaitCommitted(writer.first() + 50);
      pgbench =
          cluster.startClient(
              "pgbench",
              ws.resolve(name + "-pgbench.log"),
              "-n",
              "-c",
              "2",
              "-j",
              "1",
              "-T",
              "2",
              "postgres");

      long committedBeforeStop;
      try (BackupRepository repo = Workspaces.repository(provider, ws.resolve(name + "-repo"));
          Connection admin = cluster.connect()) {
        long beforeStart = writer.committed();
        PostgresBackupSource source =
            PostgresBackupSource.start(
                admin,
                cluster.dataDirectory(),
                ws,
                "coffer-test",
                Map.of("counter.committed-before-start", Long.toString(beforeStart)));
        StopProbe probe = new StopProbe(source, writer, beforeStart + WRITES_DURING_BACKUP);
        BackupMetadata taken;
        if (layout == ClusterLayout.PLAIN) {
          taken = repo.backup(probe);
        } else {
          try (source) {
            taken = repo.backup(source.request().withFinisher(probe::finish));
          }
        }
        committedBeforeStop = probe.committedBeforeStop;
        assertTrue(
            committedBeforeStop >= beforeStart + WRITES_DURING_BACKUP,
            "rows committed in backup mode");
        assertEquals(
            "0", cluster.query("SELECT count(*) FROM pg_replication_slots"), "the slot is dropped");

        // one backup per run, its start and stop positions among the labels list() shows
        List<BackupMetadata> listed = repo.list();
        assertEquals(
            List.of(taken.backupId()),
            listed.stream().map(BackupMetadata::backupId).toList(),
            "one backup");
        Map<String, String> labels = listed.get(0).labels();
        String startLsn = labels.get(PostgresBackupSource.LABEL_START_LSN);
        String stopLsn = labels.get(PostgresBackupSource.LABEL_STOP_LSN);
        assertTrue(
            WalFiles.lsn(stopLsn) > WalFiles.lsn(startLsn), "stop LSN after start LSN: " + labels);
        assertEquals("1", labels.get(PostgresBackupSource.LABEL_TIMELINE));
        assertEquals(
            cluster.query("SELECT pg_walfile_name('" + stopLsn + "')"),
            labels.get(PostgresBackupSource.LABEL_STOP_WAL_FILE));
        assertEquals(Long.toString(beforeStart), labels.get("counter.committed-before-start"));

        writer.finish();
        assertEquals(0, pgbench.waitFor(), "pgbench exit status (see " + name + "-pgbench.log)");
        pgbench = null;

        // the original keeps running: its postmaster.pid must not come back in the restore
        Path target = ws.resolve(name + "-restored");
        if (layout == ClusterLayout.PLAIN) {
          repo.restore(taken.id(), target);
        } else {
          PostgresRestore.restore(repo, taken.id(), target);
        }
        for (String excluded : List.of("postmaster.pid", "postmaster.opts")) {
          assertFalse(
              Files.exists(target.resolve(excluded), LinkOption.NOFOLLOW_LINKS),
              excluded + " not in the backup");
        }
        for (String emptied : List.of("pg_replslot", "pg_stat_tmp", "pg_subtrans", "pg_notify")) {
          assertEquals(
              List.of(), names(target.resolve(emptied)), emptied + "'s contents not in the backup");
        }
        assertFalse(
            Files.isSymbolicLink(target.resolve("pg_wal")), "the restore's pg_wal is its own");
        assertEquals(
            WalFiles.range(
                labels.get(PostgresBackupSource.LABEL_START_WAL_FILE),
                labels.get(PostgresBackupSource.LABEL_STOP_WAL_FILE),
                16L << 20),
            names(target.resolve("pg_wal")),
            "pg_wal holds exactly the backup's segments, start to stop");
        assertTrue(
            Files.readString(target.resolve("backup_label"))
                .contains("START WAL LOCATION: " + startLsn + " "),
            "backup_label from pg_backup_stop");
        restored = PgCluster.existing(ws, name + "-restored", target);
      }
      restored.start();
      assertEquals("f", restored.query("SELECT pg_is_in_recovery()"), "recovery ended");
      assertTrue(
          restored.log().contains("completed backup recovery with redo LSN"),
          "recovery ran from backup_label to the backup's end:\n" + restored.log());
      long n = committedBeforeStop;
      assertEquals(
          Long.toString(n),
          restored.query("SELECT count(*) FROM counter WHERE id <= " + n),
          "every counter row committed before pg_backup_stop");
      assertEquals(
          "t",
          restored.query(
              "SELECT (SELECT sum(abalance) FROM pgbench_accounts) = "
                  + "(SELECT coalesce(sum(delta), 0) FROM pgbench_history) AND (SELECT sum(bbalance) FROM pgbench_branches) = "
                  + "(SELECT coalesce(sum(delta), 0) FROM pgbench_history)"),
          "pgbench's balances add up");
      assertTrue(
          Long.parseLong(restored.query("SELECT count(*) FROM pgbench_history")) > 0,
          "pgbench wrote");
      if (layout == ClusterLayout.WALDIR_AND_TABLESPACE) {
        String oid = restored.query("SELECT oid FROM pg_tablespace WHERE spcname = 'space'");
        assertEquals(
            restored
                .dataDirectory()
                .resolveSibling(name + "-restored.tablespaces")
                .resolve(oid)
                .toString(),
            restored.query(
                "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'space'"),
            "the restore's tablespace is a directory of its own");
        assertTrue(
            Files.isSymbolicLink(restored.dataDirectory().resolve("pg_tblspc").resolve(oid)),
            "PostgreSQL linked the tablespace from the rewritten tablespace_map");
      }
      restored.client(
          "pg_amcheck",
          ws.resolve(name + "-amcheck.log"),
          "--install-missing",
          "--heapallindexed",
          "--all");
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

  /** The names in a directory, sorted. */
  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * Passes the source through and, once the copy is done and before {@code finish()} (which runs
   * {@code pg_backup_stop}), waits for the writer to have committed rows during backup mode and
   * reads how many it committed: a lower bound of what the restore must hold.
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
    public Set<String> excluded() {
      return source.excluded();
    }

    @Override
    public SourceEnd finish() throws IOException {
      writer.awaitCommitted(awaited);
      committedBeforeStop = writer.committed();
      return source.finish();
    }

    @Override
    public void close() throws IOException {
      source.close();
    }
  }

  /**
   * Commits counter rows n, n + 1... one transaction each, remembering the last commit that
   * returned.
   */
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
      try (var s = connection.createStatement();
          var r = s.executeQuery("SELECT coalesce(max(id), 0) FROM counter")) {
        r.next();
        first = r.getLong(1) + 1;
      }
      committed = new AtomicLong(first - 1);
      setDaemon(true);
    }

    @Override
    public void run() {
      try (connection;
          PreparedStatement insert =
              connection.prepareStatement("INSERT INTO counter VALUES (?)")) {
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
          throw new IOException(
              "counter writer reached only " + committed.get() + " of " + rows + " rows in 60 s");
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
