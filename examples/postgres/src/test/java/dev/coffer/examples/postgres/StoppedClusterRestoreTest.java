package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14 end to end: a stopped PostgreSQL cluster made by {@code initdb}, backed up with each
 * provider, restored by the same user, must start and hold its rows. One cluster is plain; the
 * other has its WAL elsewhere ({@code initdb --waldir}: {@code pg_wal} is a symbolic link) and a
 * tablespace (a link under {@code pg_tblspc}), whose targets must come back as directories of the
 * restore, not as links to the source's directories.
 */
class StoppedClusterRestoreTest {

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String provider : List.of("local", "archive", "archive-format-2")) {
      for (ClusterLayout layout : ClusterLayout.values()) {
        cases.add(Arguments.of(provider, layout));
      }
    }
    return cases.stream();
  }

  private static Path ws;
  private static final Map<ClusterLayout, Path> DATA = new EnumMap<>(ClusterLayout.class);
  private static final Map<ClusterLayout, String> DIGESTS = new EnumMap<>(ClusterLayout.class);

  /**
   * One stopped cluster per layout, shared by the providers' cases (each restores into its own
   * target).
   */
  @BeforeAll
  static void createStoppedClusters() throws Exception {
    PgCluster.requireBinaries();
    ws = PgCluster.workspace("stopped");
    for (ClusterLayout layout : ClusterLayout.values()) {
      try (PgCluster source = PgCluster.startNew(ws, layout)) {
        source.execute(
            "CREATE TABLE facts (id int PRIMARY KEY, note text)" + layout.tableClause(),
            "INSERT INTO facts SELECT i, md5(i::text) FROM generate_series(1, 5000) i",
            "CREATE TABLE more (id int PRIMARY KEY)",
            "INSERT INTO more SELECT generate_series(1, 777)");
        DIGESTS.put(layout, source.query(DIGEST));
        DATA.put(layout, source.dataDirectory());
      }
    }
  }

  @AfterAll
  static void removeWorkspace() throws IOException {
    Workspaces.remove(ws);
  }

  private static final String DIGEST = "SELECT count(*) || ':' || sum(hashtext(note)) FROM facts";

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void stoppedCluster_backedUpAndRestored_startsAndHoldsItsRows(
      String provider, ClusterLayout layout) throws Exception {
    Path data = DATA.get(layout);
    PosixFileAttributes sourceRoot = Files.readAttributes(data, PosixFileAttributes.class);
    String name = provider + "-" + layout.fileName();
    Path target = ws.resolve(name + "-restored");
    try (BackupRepository repo = Workspaces.repository(provider, ws.resolve(name + "-repo"))) {
      // pg_wal and the tablespaces are stored as their targets' contents, restored as directories
      BackupMetadata backup =
          repo.backup(BackupRequest.full(data).withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*")));
      repo.restore(backup.id(), target);
    }

    PosixFileAttributes root =
        Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    assertEquals(
        PosixFilePermissions.toString(sourceRoot.permissions()),
        PosixFilePermissions.toString(root.permissions()),
        "mode of the restored data directory");
    assertEquals(sourceRoot.owner(), root.owner(), "owner of the restored data directory");
    assertFalse(
        Files.isSymbolicLink(target.resolve("pg_wal")),
        "restored pg_wal must be a directory of the restore, not a link to the source's WAL directory");
    for (Path link : children(target.resolve("pg_tblspc"))) {
      assertFalse(
          Files.isSymbolicLink(link),
          "restored " + link + " must be a directory, not a link to " + "the source's tablespace");
    }

    try (PgCluster restored = PgCluster.existing(ws, name, target)) {
      restored.start();
      assertEquals(DIGESTS.get(layout), restored.query(DIGEST));
      assertEquals("777", restored.query("SELECT count(*) FROM more"));
      if (layout == ClusterLayout.WALDIR_AND_TABLESPACE) {
        String location =
            restored.query(
                "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'space'");
        assertNotEquals(
            PgCluster.tablespace(ws, layout).toString(),
            location,
            "the restore's tablespace is its own");
      }
    }
  }

  private static List<Path> children(Path dir) throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(found::add);
    }
    return found;
  }
}
