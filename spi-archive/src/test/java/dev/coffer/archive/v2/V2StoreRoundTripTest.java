package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.store.WriteMode;
import dev.coffer.testkit.TreeGenerator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Version-2 backups written to and read from a {@code file} store, on Jimfs and on the real disk.
 */
class V2StoreRoundTripTest {

  @TempDir Path temp;

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void fullBackup_ofAGeneratedTree_restoresEqualToTheSource(V2StoreFixture.Where where)
      throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      new TreeGenerator(42).databaseLayout(src, 200_000);
      V2StoreFixture.tree(src.resolve("extra"), 7);
      V2Summary s = fx.writer(V2WriteOptions.DEFAULT).full(src);
      assertEquals("FULL", s.type());
      assertEquals(fx.objectSize("repo/data/" + s.backupId()), s.storedBytes());
      assertEquals(
          List.of(s.backupId()),
          fx.reader().list().backups().stream().map(V2Summary::backupId).toList());

      fx.assertRestoresTo(s.backupId(), V2StoreFixture.snapshot(src));
      assertTrue(fx.reader().verify(s.backupId()) > 0);
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void restore_ofChosenPaths_writesOnlyThoseEntries(V2StoreFixture.Where where) throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 1);
      String id = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      Path out = fx.root.resolve("out");
      assertEquals(2, fx.reader().restore(id, out, List.of("a/b")));
      TreeMap<String, String> expected = new TreeMap<>(V2StoreFixture.snapshot(src));
      expected.keySet().removeIf(p -> !p.startsWith("a/b") && !p.equals("a"));
      assertEquals(expected, V2StoreFixture.snapshot(out));
      assertThrows(
          IllegalArgumentException.class,
          () -> fx.reader().restore(id, fx.root.resolve("o2"), List.of("nope")));
      assertThrows(DirectoryNotEmptyException.class, () -> fx.reader().restore(id, out));
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void writerFailingBeforeItsCommit_leavesNoListedBackup_andTheNextBackupSucceeds(
      V2StoreFixture.Where where) throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 2);
      V2ArchiveWriter failing =
          fx.writer(V2WriteOptions.DEFAULT, f -> !f.getFileName().toString().equals("exact"));
      assertThrows(IOException.class, () -> failing.full(src));
      V2Listing listing = fx.reader().list();
      assertTrue(listing.backups().isEmpty());
      assertTrue(listing.unreadable().isEmpty());
      assertTrue(
          fx.location.store().list("repo/").isEmpty(), "the failed writer removed its objects");

      String id = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      assertEquals(1, fx.reader().list().backups().size());
      fx.assertRestoresTo(id, V2StoreFixture.snapshot(src));
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void damagedOrForeignCommit_isReportedApart_andHidesNoOtherBackup(V2StoreFixture.Where where)
      throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 3);
      String good = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      String damaged = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      Path commit = fx.store("repo/commits/" + damaged);
      byte[] bytes = Files.readAllBytes(commit);
      bytes[bytes.length / 2] ^= 1;
      Files.write(commit, bytes);
      fx.location
          .store()
          .write(
              "repo/commits/not-a-commit",
              new ByteArrayInputStream(new byte[10]),
              WriteMode.IF_ABSENT);

      V2Listing listing = fx.reader().list();
      assertEquals(List.of(good), listing.backups().stream().map(V2Summary::backupId).toList());
      assertEquals(2, listing.unreadable().size());
      assertThrows(CorruptBackupException.class, () -> fx.reader().open(damaged));
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void threeDeepChain_restoresEachPointEqualToItsSource(V2StoreFixture.Where where)
      throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 4);
      V2StoreFixture.age(src);
      Map<String, TreeMap<String, String>> states = new java.util.LinkedHashMap<>();
      String id = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      states.put(id, V2StoreFixture.snapshot(src));
      for (int step = 1; step <= 3; step++) {
        byte[] db = Files.readAllBytes(src.resolve("a/pages.db"));
        db[step * 70_000] ^= (byte) step;
        Files.write(src.resolve("a/pages.db"), db);
        Files.write(src.resolve("new-" + step), V2Fixtures.noise(1000 * step, step));
        Files.delete(src.resolve(step == 1 ? "zero" : step == 2 ? "a/b/noise.bin" : "new-1"));
        id = fx.incremental(src, id, V2WriteOptions.DEFAULT).backupId();
        states.put(id, V2StoreFixture.snapshot(src));
      }
      for (Map.Entry<String, TreeMap<String, String>> e : states.entrySet()) {
        fx.assertRestoresTo(e.getKey(), e.getValue());
      }
      try (V2Backup tip = fx.reader().open(id)) {
        assertEquals(3, tip.manifest().archives().size());
        assertEquals("INCREMENTAL", tip.summary().type());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void damageToABasesDataObject_isDetectedAtRestoreAndVerifyOfTheTip(V2StoreFixture.Where where)
      throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 5);
      V2StoreFixture.age(src);
      String base = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      Files.write(src.resolve("new"), V2Fixtures.noise(100, 9));
      String tip = fx.incremental(src, base, V2WriteOptions.DEFAULT).backupId();
      Path data = fx.store("repo/data/" + base);
      byte[] bytes = Files.readAllBytes(data);
      bytes[bytes.length - 20] ^= 0x40;
      Files.write(data, bytes);

      assertThrows(CorruptBackupException.class, () -> fx.reader().verify(tip));
      assertThrows(
          CorruptBackupException.class, () -> fx.reader().restore(tip, fx.root.resolve("out")));
      Files.write(data, new byte[] {1, 2, 3});
      assertThrows(
          CorruptBackupException.class, () -> fx.reader().restore(tip, fx.root.resolve("out2")));
      assertFalse(
          Files.exists(fx.root.resolve("out2")),
          "a truncated base data object is found before anything is written");
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void anotherKey_opensNoBackup(V2StoreFixture.Where where) throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 6);
      String id = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      V2ArchiveReader stranger =
          new V2ArchiveReader(
              fx.location,
              Identities.symmetric(new dev.coffer.archive.SecretBytes(V2Fixtures.counting(7, 32))));
      assertEquals(1, stranger.list().backups().size(), "listing needs no key");
      assertThrows(WrongKeyException.class, () -> stranger.open(id));
    }
  }
}
