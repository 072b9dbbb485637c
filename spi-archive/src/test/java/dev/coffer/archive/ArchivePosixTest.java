package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.BackupWarning;
import dev.coffer.SpecialFiles;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import dev.coffer.testkit.JimfsRoots;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POSIX permissions and owners in archives: recorded for every entry and the root, restored at the
 * end of a restore (target included), absent for sources without them; skipped special files
 * reported; followed links stored as their targets.
 */
class ArchivePosixTest {

  @TempDir Path tmp;

  static Stream<String> posixFileSystems() {
    return Stream.of("unix", "osx", "disk");
  }

  /** A Jimfs with the POSIX views on, as a database host's file system has them. */
  static FileSystem posixJimfs(String kind) {
    return JimfsRoots.posix(kind.equals("osx") ? Fs.OSX : Fs.UNIX).getFileSystem();
  }

  private Path base(String kind) throws IOException {
    Path b = kind.equals("disk") ? tmp : TestSupport.root(posixJimfs(kind)).resolve("work");
    return Files.createDirectories(b);
  }

  static void chmod(Path p, String mode) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * A data directory as PostgreSQL keeps it: owner-only root and files, a group-readable and an
   * executable file.
   */
  static Path databaseLikeSource(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("base/1"));
    Files.createDirectories(dir.resolve("readonly"));
    TestSupport.write(dir.resolve("PG_VERSION"), "15\n");
    TestSupport.write(dir.resolve("base/1/1259"), "heap ".repeat(100));
    TestSupport.write(dir.resolve("postgresql.conf"), "port = 5432\n");
    TestSupport.write(dir.resolve("start.sh"), "#!/bin/sh\n");
    TestSupport.write(dir.resolve("readonly/frozen"), "frozen");
    chmod(dir.resolve("PG_VERSION"), "rw-------");
    chmod(dir.resolve("base/1/1259"), "rw-------");
    chmod(dir.resolve("postgresql.conf"), "rw-r-----");
    chmod(dir.resolve("start.sh"), "rwxr-x---");
    chmod(dir.resolve("readonly/frozen"), "r--------");
    chmod(dir.resolve("base/1"), "rwx------");
    chmod(dir.resolve("base"), "rwx------");
    chmod(dir.resolve("readonly"), "r-x------"); // a directory the restore must still fill
    chmod(dir, "rwx------");
    return dir;
  }

  /** Every entry's mode, the root as "." (links left out: they have no mode of their own). */
  static Map<String, String> modes(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    out.put(".", mode(root));
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!p.equals(root) && !Files.isSymbolicLink(p)) {
          out.put(dev.coffer.spi.support.RelativePaths.relativize(root, p), mode(p));
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("posixFileSystems")
  void modes_ofEveryEntryAndTheRoot_areRestored(String kind) throws IOException {
    Path b = base(kind);
    Path src = databaseLikeSource(b.resolve("src"));
    Map<String, String> expected = modes(src);
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      Path out = b.resolve("out");
      repo.restore(md.id(), out);
      assertEquals(expected, modes(out));
      assertEquals(Snapshot.of(src), Snapshot.of(out));
      assertTrue(repo.verify(md.id()).ok());
    }
  }

  /**
   * P28: at every progress call of a restore, nothing staged is more open than its recorded mode.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("posixFileSystems")
  void duringRestore_nothingStagedIsMoreOpenThanItsRecordedMode(String kind) throws IOException {
    Path b = base(kind);
    Path src = databaseLikeSource(b.resolve("src"));
    // the write stage is at most 16 operations (3 per small file) behind the progress calls, so by
    // the last
    // call the first files are on disk: ten more files make sure PG_VERSION and base/1/1259 are
    // checked
    Files.createDirectories(src.resolve("zz"));
    for (int i = 0; i < 10; i++) {
      TestSupport.write(src.resolve("zz/" + i), "x");
    }
    Map<String, String> recorded = modes(src);
    Path work = Files.createDirectories(b.resolve("restores"));
    List<String> checked = new java.util.ArrayList<>();
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      repo.restore(
          dev.coffer.RestoreRequest.of(md.id(), work.resolve("out"))
              .withProgress(
                  p -> {
                    try (Stream<Path> staged = Files.list(work)) {
                      for (Path stage : (Iterable<Path>) staged::iterator) {
                        modes(stage)
                            .forEach(
                                (rel, mode) -> {
                                  Set<java.nio.file.attribute.PosixFilePermission> now =
                                      PosixFilePermissions.fromString(mode);
                                  Set<java.nio.file.attribute.PosixFilePermission> allowed =
                                      PosixFilePermissions.fromString(
                                          rel.equals(".")
                                              ? "rwx------"
                                              : recorded.get(
                                                  rel)); // the staging directory itself: 0700
                                  now.removeAll(allowed);
                                  now.removeAll(
                                      PosixFilePermissions.fromString(
                                          "rwx------")); // the owner may write while restoring
                                  assertEquals(
                                      Set.of(),
                                      now,
                                      "staged "
                                          + rel
                                          + " is "
                                          + mode
                                          + ", recorded "
                                          + recorded.get(rel));
                                  checked.add(rel);
                                });
                      }
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }));
      assertEquals(recorded, modes(work.resolve("out")));
    }
    assertTrue(
        checked.contains("PG_VERSION") && checked.contains("base/1/1259"),
        "files not checked: " + checked);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("posixFileSystems")
  void incremental_ofAFileWhoseOnlyChangeIsItsMode_restoresTheNewMode(String kind)
      throws IOException {
    Path b = base(kind);
    Path src = databaseLikeSource(b.resolve("src"));
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata full = repo.backup(src);
      chmod(src.resolve("postgresql.conf"), "rw-------");
      chmod(src.resolve("base"), "rwxr-x---");
      BackupMetadata inc = repo.backup(BackupRequest.incremental(src, full.id()));
      Path out = b.resolve("inc");
      repo.restore(inc.id(), out);
      assertEquals(modes(src), modes(out));
      assertEquals("rw-------", mode(out.resolve("postgresql.conf")));
      Path first = b.resolve("full");
      repo.restore(full.id(), first);
      assertEquals("rw-r-----", mode(first.resolve("postgresql.conf")));
      assertEquals("rwx------", mode(first.resolve("base")));
    }
  }

  @Test
  void owners_areRecordedByNameAndRestored_onAFileSystemThatKnowsThem() throws IOException {
    Path b = base("unix");
    Path src = databaseLikeSource(b.resolve("src"));
    UserPrincipalLookupService lookup = b.getFileSystem().getUserPrincipalLookupService();
    for (Path p : List.of(src, src.resolve("PG_VERSION"), src.resolve("base"))) {
      PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
      view.setOwner(lookup.lookupPrincipalByName("postgres"));
      view.setGroup(lookup.lookupPrincipalByGroupName("dba"));
    }
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      Path out = b.resolve("out");
      repo.restore(md.id(), out);
      for (String rel : List.of("", "PG_VERSION", "base")) {
        Path p = rel.isEmpty() ? out : out.resolve(rel);
        assertEquals("postgres", Files.getOwner(p).getName(), rel);
        assertEquals(
            "dba",
            Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class)
                .group()
                .getName(),
            rel);
      }
      assertEquals(
          Files.getOwner(src.resolve("start.sh")), Files.getOwner(out.resolve("start.sh")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"basic-only unix", "windows"})
  void sourceWithoutPosixAttributes_recordsNone_andRestoresWithTheTargetsDefaults(String kind)
      throws IOException {
    FileSystem fs =
        kind.equals("windows") ? TestSupport.jimfs("windows") : TestSupport.jimfs("unix");
    Path src = TestSupport.sampleSource(TestSupport.root(fs).resolve("src"));
    Path repoDir = TestSupport.root(fs).resolve("repo");
    String id;
    try (ArchiveRepository repo =
        TestSupport.open(repoDir, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      id = repo.backup(src).backupId();
    }
    Manifest m = manifestOf(repoDir.resolve(id + ".coffer"), id);
    assertNull(m.posix());
    assertNull(m.links());
    assertNull(m.warnings());
    assertDefaultModesAfterRestore(repoDir, id, TestSupport.keyOptions(TestSupport.KEY_HEX));
  }

  /**
   * Archives written before the POSIX fields (the committed v1 vectors) restore with default modes.
   */
  @Test
  void archiveWithoutAttributes_fromTheCommittedVectors_restoresWithDefaultModes()
      throws IOException {
    FileSystem fs = posixJimfs("unix");
    Path repoDir = Files.createDirectories(TestSupport.root(fs).resolve("repo"));
    TestSupport.open(repoDir, KnownAnswerTest.options("encrypted")).close(); // makes the repository
    try (InputStream in = getClass().getResourceAsStream("/vectors/encrypted.coffer")) {
      Files.write(repoDir.resolve(KnownAnswerTest.ID + ".coffer"), in.readAllBytes());
    }
    assertDefaultModesAfterRestore(
        repoDir, KnownAnswerTest.ID, KnownAnswerTest.options("encrypted"));
  }

  /**
   * Restores {@code id} onto a POSIX Jimfs and onto the disk; every mode is what a new entry gets
   * there.
   */
  private void assertDefaultModesAfterRestore(Path repoDir, String id, Map<String, String> options)
      throws IOException {
    byte[] archive = Files.readAllBytes(repoDir.resolve(id + ".coffer"));
    for (Path where :
        List.of(TestSupport.root(posixJimfs("unix")).resolve("w"), tmp.resolve("w-" + id))) {
      Path repo2 = Files.createDirectories(where.resolve("repo"));
      try (ArchiveRepository repo = TestSupport.open(repo2, options)) {
        Files.write(repo2.resolve(id + ".coffer"), archive);
        Path out = where.resolve("out");
        repo.restore(BackupId.of(id), out);
        String fileDefault = mode(Files.createFile(where.resolve("probe-file")));
        String dirDefault = mode(Files.createDirectory(where.resolve("probe-dir")));
        modes(out)
            .forEach(
                (rel, mode) -> {
                  boolean dir =
                      Files.isDirectory(
                          rel.equals(".") ? out : out.resolve(rel), LinkOption.NOFOLLOW_LINKS);
                  assertEquals(dir ? dirDefault : fileDefault, mode, where + ": " + rel);
                });
      }
    }
  }

  static Manifest manifestOf(Path archive, String id) throws IOException {
    try (ArchiveReader r =
        ArchiveReader.open(
            archive,
            id,
            Keyring.rawKey(ArchiveForge.key(TestSupport.KEY_HEX)),
            GcmWarmupSwitch.OFF)) {
      return r.manifest();
    }
  }

  @Test
  void socketInTheSource_isSkippedAndReported_orRefusedWithSpecialFilesFail() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path sock = src.resolve("wal_tail/mysql.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      try (ArchiveRepository repo =
          TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
        BackupMetadata md = repo.backup(src);
        assertEquals(
            List.of(
                new BackupWarning(
                    "wal_tail/mysql.sock", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket")),
            md.warnings());
        assertEquals(
            md, repo.find(md.id()).orElseThrow(), "the warning is recorded with the backup");
        Path out = tmp.resolve("out");
        repo.restore(md.id(), out);
        assertFalse(Files.exists(out.resolve("wal_tail/mysql.sock"), LinkOption.NOFOLLOW_LINKS));
        BackupException e =
            assertThrows(
                BackupException.class,
                () -> repo.backup(BackupRequest.full(src).withSpecialFiles(SpecialFiles.FAIL)));
        assertTrue(e.getMessage().contains("mysql.sock"), e.getMessage());
        assertEquals(List.of(md), repo.list());
      }
    } finally {
      Files.deleteIfExists(sock);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("posixFileSystems")
  void followedLinks_areStoredAsTheirTargets_andRestoredAsRealDirectories(String kind)
      throws IOException {
    Path b = base(kind);
    Path wal = Files.createDirectories(b.resolve("elsewhere/wal"));
    TestSupport.write(wal.resolve("000000010000000000000001"), "wal segment");
    chmod(wal, "rwx------");
    Path tablespace = Files.createDirectories(b.resolve("elsewhere/ts/PG_15/5"));
    TestSupport.write(tablespace.resolve("16384"), "tablespace heap");
    Path src = databaseLikeSource(b.resolve("src"));
    Files.createDirectories(src.resolve("pg_tblspc"));
    Files.createSymbolicLink(src.resolve("pg_wal"), wal);
    Files.createSymbolicLink(src.resolve("pg_tblspc/16385"), b.resolve("elsewhere/ts"));
    Files.createSymbolicLink(src.resolve("other"), wal);
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md =
          repo.backup(BackupRequest.full(src).withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*")));
      Path out = b.resolve("out");
      repo.restore(md.id(), out);
      assertTrue(Files.isDirectory(out.resolve("pg_wal"), LinkOption.NOFOLLOW_LINKS));
      assertEquals("rwx------", mode(out.resolve("pg_wal")));
      assertEquals("wal segment", Files.readString(out.resolve("pg_wal/000000010000000000000001")));
      assertTrue(Files.isDirectory(out.resolve("pg_tblspc/16385"), LinkOption.NOFOLLOW_LINKS));
      assertEquals(
          "tablespace heap", Files.readString(out.resolve("pg_tblspc/16385/PG_15/5/16384")));
      assertTrue(Files.isSymbolicLink(out.resolve("other")), "a link not named stays a link");
      assertEquals(wal.toString(), Files.readSymbolicLink(out.resolve("other")).toString());
    }
  }
}
