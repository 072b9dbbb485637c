package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objects of a version-2 repository swapped, dropped or planted in the store: refused before
 * anything is written.
 */
class V2StoreAttackTest {

  @TempDir Path temp;

  private record Chain(String base, String tip, String other) {}

  private static Chain chain(V2StoreFixture fx) throws Exception {
    Path src = fx.root.resolve("src");
    V2StoreFixture.tree(src, 11);
    V2StoreFixture.age(src);
    String base = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
    Files.write(src.resolve("new"), V2Fixtures.noise(5000, 3));
    String tip = fx.incremental(src, base, V2WriteOptions.DEFAULT).backupId();
    String other = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
    return new Chain(base, tip, other);
  }

  private static void assertRestoreRefused(V2StoreFixture fx, String id) {
    Path out = fx.root.resolve("out-" + UUID.randomUUID());
    assertThrows(CorruptBackupException.class, () -> fx.reader().restore(id, out));
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void aMissingBaseCommit_isCorruptionOfTheTip() throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(V2StoreFixture.Where.JIMFS, temp)) {
      Chain c = chain(fx);
      Files.delete(fx.store("repo/commits/" + c.base()));
      assertThrows(NoSuchBackupException.class, () -> fx.reader().open(c.base()));
      assertRestoreRefused(fx, c.tip());
    }
  }

  @Test
  void anotherBackupsObjects_underTheBasesNames_areRefused() throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(V2StoreFixture.Where.JIMFS, temp)) {
      Chain c = chain(fx);
      for (String kind : new String[] {"data", "manifests", "commits"}) {
        Path target = fx.store("repo/" + kind + "/" + c.base());
        byte[] saved = Files.readAllBytes(target);
        Files.copy(
            fx.store("repo/" + kind + "/" + c.other()),
            target,
            StandardCopyOption.REPLACE_EXISTING);
        assertRestoreRefused(fx, c.tip());
        Files.write(target, saved);
      }
      fx.reader().restore(c.tip(), fx.root.resolve("fine"));
    }
  }

  @Test
  void theTipsManifest_swappedForAnothers_isRefused() throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(V2StoreFixture.Where.JIMFS, temp)) {
      Chain c = chain(fx);
      Files.copy(
          fx.store("repo/manifests/" + c.other()),
          fx.store("repo/manifests/" + c.tip()),
          StandardCopyOption.REPLACE_EXISTING);
      assertThrows(CorruptBackupException.class, () -> fx.reader().open(c.tip()));
    }
  }

  @Test
  void aRepositoryWithAnotherId_listsTheCommitsAsUnreadable() throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(V2StoreFixture.Where.JIMFS, temp)) {
      Chain c = chain(fx);
      V2Location foreign = new V2Location(fx.location.store(), "repo/", UUID.randomUUID());
      V2ArchiveReader reader =
          new V2ArchiveReader(foreign, Identities.symmetric(V2Fixtures.masterKey()));
      assertEquals(0, reader.list().backups().size());
      assertEquals(3, reader.list().unreadable().size());
      assertThrows(CorruptBackupException.class, () -> reader.open(c.tip()));
    }
  }
}
