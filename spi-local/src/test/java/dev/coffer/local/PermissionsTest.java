package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupWarning;
import dev.coffer.OwnerPolicy;
import dev.coffer.RestoreRequest;
import dev.coffer.SpecialFiles;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import dev.coffer.testkit.JimfsRoots;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Modes, owners, special files and followed links through the local provider (issue 14). */
class PermissionsTest {

  @TempDir Path tmp;

  /** File systems with POSIX attributes. */
  enum PosixFs {
    DISK,
    JIMFS_UNIX,
    JIMFS_OSX;

    Path root(Path tmp) throws IOException {
      if (this == DISK) {
        return tmp;
      }
      return JimfsRoots.posix(this == JIMFS_UNIX ? Fs.UNIX : Fs.OSX);
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  private static void chmod(Path p, String mode) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  /**
   * A small PostgreSQL-like data directory: 0700 root, 0600 files, one executable, one 0750
   * directory.
   */
  private static Path cluster(Path root) throws IOException {
    Path src = Files.createDirectory(root.resolve("pgdata"));
    Trees.write(src, "PG_VERSION", "15");
    Trees.write(src, "base/1/1259", new byte[8192]);
    Trees.write(src, "hooks/archive.sh", "#!/bin/sh");
    Files.createDirectory(src.resolve("empty"));
    chmod(src.resolve("base/1/1259"), "rw-------");
    chmod(src.resolve("PG_VERSION"), "rw-------");
    chmod(src.resolve("hooks/archive.sh"), "rwxr-x---");
    chmod(src.resolve("base/1"), "rwx------");
    chmod(src.resolve("base"), "rwx------");
    chmod(src.resolve("hooks"), "rwxr-x---");
    chmod(src.resolve("empty"), "r-x------");
    chmod(src, "rwx------");
    return src;
  }

  @ParameterizedTest
  @EnumSource(PosixFs.class)
  void modesOfFilesDirectoriesAndTheRoot_areRecordedAndRestored(PosixFs fs) throws IOException {
    Path root = fs.root(tmp);
    Path src = cluster(root);
    try (BackupRepository repo = Trees.open(root.resolve("repo"))) {
      BackupMetadata m = repo.backup(src);
      Path target = root.resolve("restored");
      repo.restore(m.id(), target);
      assertEquals("rwx------", mode(target), "the target gets the source root's mode");
      assertEquals("rw-------", mode(target.resolve("base/1/1259")));
      assertEquals("rwxr-x---", mode(target.resolve("hooks/archive.sh")));
      assertEquals("rwxr-x---", mode(target.resolve("hooks")));
      assertEquals("rwx------", mode(target.resolve("base/1")));
      assertEquals(
          "r-x------", mode(target.resolve("empty")), "a read-only directory gets its mode last");
      assertEquals(Snapshot.withTimes(src), Snapshot.withTimes(target));

      JsonNode json =
          new ObjectMapper()
              .readTree(
                  Files.readAllBytes(
                      root.resolve("repo").resolve(m.backupId()).resolve("metadata.json")));
      assertEquals("0700", json.get("root_attributes").get("mode").textValue());
      assertEquals("0500", json.get("directory_attributes").get("empty").get("mode").textValue());
      assertEquals(
          Files.getOwner(src).getName(), json.get("files").get(0).get("owner").textValue());
    }
  }

  @Test
  void specialBitsAndOwners_roundTripOnTheRealDiskAsRoot() throws IOException {
    assertEquals(
        0, Files.getAttribute(tmp, "unix:uid"), "this test needs root (the CI runs as root)");
    Path src = cluster(tmp);
    Path shared = Files.createDirectory(src.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 03770);
    Path tool = src.resolve("hooks/archive.sh");
    Files.setAttribute(tool, "unix:mode", 04750);
    Files.setAttribute(src.resolve("base/1/1259"), "unix:uid", 65534);
    Files.setAttribute(src.resolve("base/1/1259"), "unix:gid", 65534);
    Files.setAttribute(src, "unix:uid", 65534);
    Files.setAttribute(
        tool, "unix:uid", 65534); // chown clears set-user-id: the mode must be applied after it
    Files.setAttribute(tool, "unix:mode", 04750);
    try (BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      BackupMetadata m = repo.backup(src);
      Path auto = tmp.resolve("auto");
      repo.restore(m.id(), auto);
      assertEquals(65534, Files.getAttribute(auto.resolve("base/1/1259"), "unix:uid"));
      assertEquals(65534, Files.getAttribute(auto.resolve("base/1/1259"), "unix:gid"));
      assertEquals(65534, Files.getAttribute(auto, "unix:uid"), "the target gets the root's owner");
      assertEquals(
          04750,
          (Integer) Files.getAttribute(auto.resolve("hooks/archive.sh"), "unix:mode") & 07777);
      assertEquals(
          03770, (Integer) Files.getAttribute(auto.resolve("shared"), "unix:mode") & 07777);

      Path current = tmp.resolve("current");
      repo.restore(RestoreRequest.of(m.id(), current).withOwners(OwnerPolicy.CURRENT));
      assertEquals(0, Files.getAttribute(current.resolve("base/1/1259"), "unix:uid"));
      assertEquals("rw-------", mode(current.resolve("base/1/1259")));
    }
  }

  @ParameterizedTest
  @EnumSource(PosixFs.class)
  void anIncrementalWhoseFileChangedOnlyInMode_keepsTheLink_andRestoresTheNewMode(PosixFs fs)
      throws IOException {
    Path root = fs.root(tmp);
    Path src = cluster(root);
    Path repoDir = root.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata base = repo.backup(src);
      FileTime before = Files.getLastModifiedTime(src.resolve("PG_VERSION"));
      chmod(src.resolve("PG_VERSION"), "rw-r--r--");
      chmod(src.resolve("base"), "rwxr-x---");
      assertEquals(
          before,
          Files.getLastModifiedTime(src.resolve("PG_VERSION")),
          "chmod leaves the mtime alone");
      BackupMetadata inc = repo.backup(BackupRequest.incremental(src, base.id()));
      assertTrue(
          Files.isSameFile(
              repoDir.resolve(base.backupId()).resolve("data/PG_VERSION"),
              repoDir.resolve(inc.backupId()).resolve("data/PG_VERSION")),
          "the bytes are shared with the base");

      Path restoredInc = root.resolve("inc");
      repo.restore(inc.id(), restoredInc);
      assertEquals("rw-r--r--", mode(restoredInc.resolve("PG_VERSION")));
      assertEquals("rwxr-x---", mode(restoredInc.resolve("base")));
      Path restoredBase = root.resolve("base");
      repo.restore(base.id(), restoredBase);
      assertEquals(
          "rw-------",
          mode(restoredBase.resolve("PG_VERSION")),
          "the base keeps the mode it recorded");
      assertEquals("rwx------", mode(restoredBase.resolve("base")));
    }
  }

  @Test
  void aSocketIsSkippedAndListedInTheWarnings_orRefusedUnderFail() throws IOException {
    Path src = cluster(tmp);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      server.bind(UnixDomainSocketAddress.of(src.resolve(".s.PGSQL.5432")));
      BackupMetadata m = repo.backup(src);
      List<BackupWarning> expected =
          List.of(
              new BackupWarning(
                  ".s.PGSQL.5432", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket"));
      assertEquals(expected, m.warnings());
      try (BackupRepository again = Trees.open(tmp.resolve("repo"))) {
        assertEquals(
            expected, again.find(m.id()).orElseThrow().warnings(), "kept in metadata.json");
      }
      Path target = tmp.resolve("restored");
      repo.restore(m.id(), target);
      assertFalse(Files.exists(target.resolve(".s.PGSQL.5432"), LinkOption.NOFOLLOW_LINKS));

      BackupException e =
          assertThrows(
              BackupException.class,
              () -> repo.backup(BackupRequest.full(src).withSpecialFiles(SpecialFiles.FAIL)));
      assertTrue(e.getMessage().contains(".s.PGSQL.5432"), e.getMessage());
      assertEquals(1, repo.list().size(), "the refused backup left nothing");
    }
  }

  @ParameterizedTest
  @EnumSource(PosixFs.class)
  void followedLinks_areStoredAsTheirTargetsAndRestoredAsRealDirectories(PosixFs fs)
      throws IOException {
    Path root = fs.root(tmp);
    Path src = cluster(root);
    Path wal = Files.createDirectory(root.resolve("wal"));
    Trees.write(wal, "000000010000000000000001", "wal segment");
    chmod(wal, "rwx------");
    Path space = Files.createDirectory(root.resolve("space"));
    Trees.write(space, "PG_15/5/16385", "table");
    Files.createDirectory(src.resolve("pg_tblspc"));
    Files.createSymbolicLink(src.resolve("pg_wal"), wal);
    Files.createSymbolicLink(src.resolve("pg_tblspc/16384"), space);
    Files.createSymbolicLink(src.resolve("elsewhere"), space);
    try (BackupRepository repo = Trees.open(root.resolve("repo"))) {
      BackupMetadata m =
          repo.backup(BackupRequest.full(src).withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*")));
      Path target = root.resolve("restored");
      repo.restore(m.id(), target);
      assertTrue(
          Files.isDirectory(target.resolve("pg_wal"), LinkOption.NOFOLLOW_LINKS),
          "a real directory");
      assertEquals("rwx------", mode(target.resolve("pg_wal")), "with its target's mode");
      assertEquals(
          "wal segment", Files.readString(target.resolve("pg_wal/000000010000000000000001")));
      assertEquals("table", Files.readString(target.resolve("pg_tblspc/16384/PG_15/5/16385")));
      assertTrue(Files.isSymbolicLink(target.resolve("elsewhere")), "an unnamed link stays a link");
      assertTrue(repo.verify(m.id()).ok());

      // an incremental over the same followed links links the unchanged segment from its base
      Trees.write(wal, "000000010000000000000002", "next segment");
      BackupMetadata inc =
          repo.backup(
              BackupRequest.incremental(src, m.id())
                  .withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*")));
      Path incTarget = root.resolve("inc");
      repo.restore(inc.id(), incTarget);
      assertEquals(
          "next segment", Files.readString(incTarget.resolve("pg_wal/000000010000000000000002")));
    }
  }

  @Test
  void timesSurviveTheModesApplied() throws IOException {
    Path src = cluster(tmp);
    Files.setLastModifiedTime(
        src.resolve("empty"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    try (BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      BackupMetadata m = repo.backup(src);
      Path target = tmp.resolve("restored");
      repo.restore(m.id(), target);
      assertEquals(
          Instant.parse("2020-01-01T00:00:00Z"),
          Files.getLastModifiedTime(target.resolve("empty")).toInstant());
    }
  }
}
