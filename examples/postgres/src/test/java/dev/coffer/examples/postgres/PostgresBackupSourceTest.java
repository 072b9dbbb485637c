package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The source's refusals and its clean-up, on one running cluster. */
class PostgresBackupSourceTest {

  private static Path ws;
  private static PgCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    PgCluster.requireBinaries();
    ws = PgCluster.workspace("source");
    cluster = PgCluster.create(ws, "data", null);
    cluster.start();
  }

  @AfterAll
  static void stopCluster() throws IOException {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      Workspaces.remove(ws);
    }
  }

  @Test
  void start_onAnotherDirectoryThanTheServers_failsAndLeavesNoBackupModeNorSlot() throws Exception {
    Path other = Files.createDirectory(ws.resolve("not-the-data-directory"));
    try (Connection conn = cluster.connect()) {
      IOException e =
          assertThrows(
              IOException.class,
              () -> PostgresBackupSource.start(conn, other, ws, "wrong", Map.of()));
      assertTrue(e.getMessage().contains(cluster.dataDirectory().toString()), e.getMessage());
      assertNotInBackup(conn);
    }
  }

  @Test
  void start_onAConnectionOutsideAutoCommit_isRefused() throws Exception {
    try (Connection conn = cluster.connect()) {
      conn.setAutoCommit(false);
      assertThrows(
          IllegalArgumentException.class,
          () -> PostgresBackupSource.start(conn, cluster.dataDirectory(), ws, "tx", Map.of()));
    }
  }

  @Test
  void aFailedBackup_endsBackupMode_andTheSlotGoesWithTheConnection() throws Exception {
    try (BackupRepository repo = Workspaces.repository("local", ws.resolve("repo-failed"))) {
      try (Connection conn = cluster.connect()) {
        PostgresBackupSource source =
            PostgresBackupSource.start(conn, cluster.dataDirectory(), ws, "failing", Map.of());
        assertEquals(
            "1",
            query(conn, "SELECT count(*) FROM pg_replication_slots WHERE temporary"),
            "WAL reserved");
        // labels that break the request's rules fail the backup before anything is copied
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () ->
                    repo.backup(
                        new BackupSource() {
                          @Override
                          public Path directory() {
                            return source.directory();
                          }

                          @Override
                          public Map<String, String> labels() {
                            return Map.of(" ", "blank keys are refused");
                          }

                          @Override
                          public void close() throws IOException {
                            source.close();
                          }
                        }));
        assertTrue(e.getMessage().contains("label key"), e.getMessage());
        assertNotInBackup(conn);
        assertTrue(repo.list().isEmpty(), "nothing listed");
      }
      assertEquals("0", cluster.query("SELECT count(*) FROM pg_replication_slots"), "no slot left");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "archive"})
  void handshakeBackup_ofAClusterWithATablespace_failsInFinish_publishesNothing_andEndsBackupMode(
      String provider) throws Exception {
    Path location = PgCluster.postgresDirectory(ws.resolve(provider + "-tablespace"));
    cluster.execute("CREATE TABLESPACE handshake LOCATION '" + location + "'");
    try (BackupRepository repo =
            Workspaces.repository(provider, ws.resolve(provider + "-repo-links"));
        Connection conn = cluster.connect()) {
      PostgresBackupSource source =
          PostgresBackupSource.start(conn, cluster.dataDirectory(), ws, "links", Map.of());
      // the handshake stores pg_tblspc/<oid> as a link: a restore would use the source's tablespace
      IOException e = assertThrows(IOException.class, () -> repo.backup(source));
      assertTrue(e.getMessage().contains("source.request()"), e.getMessage());
      assertTrue(repo.list().isEmpty(), "nothing listed");
      assertNotInBackup(conn);
      assertEquals("0", query(conn, "SELECT count(*) FROM pg_replication_slots"), "slot dropped");
      try (Stream<Path> left = Files.list(ws)) {
        assertEquals(
            List.of(),
            left.filter(p -> p.getFileName().toString().startsWith("coffer-pg-end-")).toList(),
            "the gathered files are removed");
      }
    } finally {
      cluster.execute("DROP TABLESPACE handshake");
    }
  }

  @Test
  void restore_ofABackupThatIsNotAnOnlinePostgresBackup_isRefusedAndCreatesNoTarget()
      throws Exception {
    Path dir = Files.createDirectory(ws.resolve("plain"));
    Files.writeString(dir.resolve("f"), "x");
    try (BackupRepository repo = Workspaces.repository("local", ws.resolve("repo-plain"))) {
      BackupMetadata plain = repo.backup(dir);
      Path target = ws.resolve("never");
      BackupException e =
          assertThrows(
              BackupException.class, () -> PostgresRestore.restore(repo, plain.id(), target));
      assertTrue(e.getMessage().contains(PostgresBackupSource.LABEL_STOP_LSN), e.getMessage());
      assertTrue(Files.notExists(target));
    }
  }

  private static void assertNotInBackup(Connection conn) throws Exception {
    // pg_backup_stop fails when this session is not in backup mode
    Exception e =
        assertThrows(Exception.class, () -> query(conn, "SELECT lsn FROM pg_backup_stop(false)"));
    assertTrue(e.getMessage().contains("backup is not in progress"), e.getMessage());
  }

  private static String query(Connection conn, String sql) throws Exception {
    try (var s = conn.createStatement();
        var r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }
}
