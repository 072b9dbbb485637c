package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupId;
import dev.coffer.OwnerPolicy;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RestoreAttributesTest {

  @TempDir Path tmp;

  private static int mode(Path p) throws IOException {
    return PosixAttributes.toBits(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  private static RestoreStaging begin(Path target, OwnerPolicy owners) throws IOException {
    return RestoreStaging.begin(
        new RestoreRequest(
            BackupId.of("b1"),
            target,
            RestoreMode.CREATE,
            Set.of(),
            ProgressListener.NONE,
            owners));
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void commit_appliesRecordedModesDeepestFirst_andTheRootsMode(PosixFileSystems kind)
      throws IOException {
    Path target = kind.newRoot(tmp).resolve("target");
    try (RestoreStaging staging = begin(target, OwnerPolicy.CURRENT)) {
      RestoreAttributes attrs = staging.attributes();
      Path out = staging.directory();
      assertEquals(0700, mode(out), "the staging directory is owner-only");
      PosixAttributes dirMode = PosixAttributes.ofMode(0500);
      Path dir = Files.createDirectory(out.resolve("ro"), attrs.directoryAttributes(dirMode));
      PosixAttributes keyMode = PosixAttributes.ofMode(0640);
      Path key = Files.createFile(dir.resolve("key"), attrs.fileAttributes(keyMode));
      assertEquals(0700, mode(dir), "created owner-only");
      assertEquals(0600, mode(key), "created owner-only");
      Files.writeString(key, "secret");
      Files.createSymbolicLink(out.resolve("link"), key.getFileName());
      attrs.record("ro", SourceEntry.Type.DIRECTORY, dirMode);
      attrs.record("ro/key", SourceEntry.Type.FILE, keyMode);
      attrs.record("link", SourceEntry.Type.SYMLINK, PosixAttributes.ofMode(0777));
      attrs.recordRoot(PosixAttributes.ofMode(0750));
      staging.commit();
    }
    assertEquals(0750, mode(target));
    assertEquals(0500, mode(target.resolve("ro")));
    assertEquals(0640, mode(target.resolve("ro/key")));
    assertEquals("secret", Files.readString(target.resolve("ro/key")));
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void commit_withoutRecordedRoot_givesTheTargetTheDefaultDirectoryMode(PosixFileSystems kind)
      throws IOException {
    Path root = kind.newRoot(tmp);
    Path plain = Files.createDirectory(root.resolve("plain"));
    Path target = root.resolve("target");
    try (RestoreStaging staging = begin(target, OwnerPolicy.AUTO)) {
      assertEquals(
          0,
          staging.attributes().fileAttributes(null).length,
          "nothing recorded: file system defaults");
      staging.commit();
    }
    assertEquals(mode(plain), mode(target));
    assertEquals(0, Files.list(target).count(), "the probe is gone");
  }

  @Test
  void commit_setsSpecialBitsOnTheRealDisk() throws IOException {
    Path target = tmp.resolve("target");
    try (RestoreStaging staging = begin(target, OwnerPolicy.CURRENT)) {
      Path dir = Files.createDirectory(staging.directory().resolve("shared"));
      staging
          .attributes()
          .record("shared", SourceEntry.Type.DIRECTORY, PosixAttributes.ofMode(03770));
      staging.attributes().recordRoot(PosixAttributes.ofMode(0700));
      assertTrue(Files.exists(dir));
      staging.commit();
    }
    assertEquals(
        03770, (Integer) Files.getAttribute(target.resolve("shared"), "unix:mode") & 07777);
  }

  @Test
  void withoutPosixView_nothingIsApplied() throws IOException {
    Path target = PosixFileSystems.windows().resolve("target");
    try (RestoreStaging staging = begin(target, OwnerPolicy.PRESERVE)) {
      PosixAttributes a = new PosixAttributes(0600, 26, 26, "postgres", "postgres");
      assertEquals(0, staging.attributes().fileAttributes(a).length);
      Files.writeString(staging.directory().resolve("f"), "x");
      staging.attributes().record("f", SourceEntry.Type.FILE, a);
      staging.attributes().recordRoot(a);
      staging.commit();
    }
    assertEquals("x", Files.readString(target.resolve("f")));
  }

  @ParameterizedTest
  @EnumSource(
      value = PosixFileSystems.class,
      names = {"JIMFS_UNIX", "JIMFS_OSX"})
  void owners_areSetByNameUnlessCurrent(PosixFileSystems kind) throws IOException {
    for (OwnerPolicy policy : OwnerPolicy.values()) {
      Path target = kind.newRoot(tmp).resolve("target-" + policy);
      PosixAttributes pg = new PosixAttributes(0600, -1, -1, "postgres", "dba");
      try (RestoreStaging staging = begin(target, policy)) {
        Files.writeString(staging.directory().resolve("f"), "x");
        staging.attributes().record("f", SourceEntry.Type.FILE, pg);
        staging.attributes().recordRoot(pg.withPermissions(0700));
        staging.commit();
        assertEquals(java.util.List.of(), staging.attributes().warnings());
      }
      boolean changes = policy != OwnerPolicy.CURRENT;
      assertEquals(
          changes, Files.getOwner(target.resolve("f")).getName().equals("postgres"), policy.name());
      assertEquals(changes, Files.getOwner(target).getName().equals("postgres"), policy.name());
      assertEquals(
          changes,
          Files.readAttributes(
                  target.resolve("f"), java.nio.file.attribute.PosixFileAttributes.class)
              .group()
              .getName()
              .equals("dba"),
          policy.name());
    }
  }

  @Test
  void owners_onTheRealDiskAsRoot_byNameOrByNumber() throws IOException {
    assertEquals(
        0, Files.getAttribute(tmp, "unix:uid"), "these checks need root (the CI runs as root)");
    Path byName = tmp.resolve("by-name");
    Path byNumber = tmp.resolve("by-number");
    // the name says nobody, the number 65533: AUTO takes the name, NUMERIC the number
    PosixAttributes a = new PosixAttributes(0640, 65533, 65533, "nobody", "nogroup");
    for (Path target : new Path[] {byName, byNumber}) {
      try (RestoreStaging staging =
          begin(target, target == byName ? OwnerPolicy.AUTO : OwnerPolicy.NUMERIC)) {
        Files.writeString(staging.directory().resolve("f"), "x");
        staging.attributes().record("f", SourceEntry.Type.FILE, a);
        staging.commit();
      }
    }
    assertEquals("nobody", Files.getOwner(byName.resolve("f")).getName());
    assertEquals(65534, Files.getAttribute(byName.resolve("f"), "unix:gid"));
    assertEquals(65533, Files.getAttribute(byNumber.resolve("f"), "unix:uid"));
    assertEquals(65533, Files.getAttribute(byNumber.resolve("f"), "unix:gid"));
    assertEquals(0640, mode(byNumber.resolve("f")));
  }

  @Test
  void unknownOwner_warnsOnceUnderAuto_andFailsUnderPreserve() throws IOException {
    PosixAttributes ghost =
        new PosixAttributes(0600, -1, -1, "coffer-no-such-user", "coffer-no-such-group");
    Path auto = tmp.resolve("auto");
    try (RestoreStaging staging = begin(auto, OwnerPolicy.AUTO)) {
      for (String name : new String[] {"a", "b", "c"}) {
        Files.writeString(staging.directory().resolve(name), name);
        staging.attributes().record(name, SourceEntry.Type.FILE, ghost);
      }
      staging.commit();
      assertEquals(
          1, staging.attributes().warnings().size(), staging.attributes().warnings().toString());
      assertTrue(staging.attributes().warnings().get(0).contains("coffer-no-such-user"));
    }
    assertEquals(0600, mode(auto.resolve("b")), "modes are applied even when owners are not");

    Path preserve = tmp.resolve("preserve");
    try (RestoreStaging staging = begin(preserve, OwnerPolicy.PRESERVE)) {
      Files.writeString(staging.directory().resolve("a"), "a");
      staging.attributes().record("a", SourceEntry.Type.FILE, ghost);
      BackupException e = assertThrows(BackupException.class, staging::commit);
      assertTrue(
          e.getMessage().contains("'a'") && e.getMessage().contains("coffer-no-such-user"),
          e.getMessage());
    }
    assertFalse(Files.exists(preserve), "a failed commit publishes nothing");
    assertEquals(1, Files.list(tmp).count(), "and leaves no staging directory");
  }

  @Test
  void creationAttributes_areOwnerOnly() throws IOException {
    try (RestoreStaging staging = begin(tmp.resolve("t"), OwnerPolicy.AUTO)) {
      PosixAttributes open = PosixAttributes.ofMode(0777);
      Path f =
          Files.createFile(
              staging.directory().resolve("f"), staging.attributes().fileAttributes(open));
      Path d =
          Files.createDirectory(
              staging.directory().resolve("d"), staging.attributes().directoryAttributes(open));
      assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(f));
      assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(d));
    }
  }
}
