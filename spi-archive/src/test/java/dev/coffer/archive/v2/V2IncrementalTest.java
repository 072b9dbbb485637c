package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Incremental version-2 backups: unchanged files are not read, changed files store only their
 * changed blocks.
 */
class V2IncrementalTest {

  private static final int BLOCK = BlockSealer.DEFAULT_BLOCK_SIZE_BYTES;
  private static final int PAGE = 8 * 1024;

  @TempDir Path temp;

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void changingThreePagesOfALargeFile_storesAboutThreeBlocks(V2StoreFixture.Where where)
      throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      Files.createDirectories(src);
      Path db = src.resolve("table.db");
      Files.write(db, V2Fixtures.noise(64 * BLOCK, 1));
      V2StoreFixture.tree(src.resolve("other"), 2);
      V2StoreFixture.age(src);
      V2Summary full = fx.writer(V2WriteOptions.DEFAULT).full(src);
      assertTrue(
          full.storedBytes() > 64L * BLOCK, "noise does not compress: " + full.storedBytes());

      byte[] bytes = Files.readAllBytes(db);
      for (int block : new int[] {3, 20, 50}) {
        byte[] page = V2Fixtures.noise(PAGE, block);
        System.arraycopy(page, 0, bytes, block * BLOCK + 2 * PAGE, PAGE);
      }
      Files.write(db, bytes);
      Files.setLastModifiedTime(db, FileTime.from(Instant.now().minusSeconds(60)));
      V2Summary inc = fx.incremental(src, full.backupId(), V2WriteOptions.DEFAULT);
      long data = fx.objectSize("repo/data/" + inc.backupId());
      assertEquals(inc.storedBytes(), data);
      assertTrue(
          data >= 3L * BLOCK && data <= 4L * BLOCK,
          "three changed blocks, stored " + data + " bytes");
      assertEquals(2, fx.opened("table.db"));
      assertEquals(
          1, fx.opened("noise.bin"), "an unchanged file of the same tree is not read again");

      fx.assertRestoresTo(inc.backupId(), V2StoreFixture.snapshot(src));
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void unchangedFiles_areNotRead_whileAFileInTheRacyWindowIs(V2StoreFixture.Where where)
      throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      Files.createDirectories(src);
      Files.write(src.resolve("old.bin"), V2Fixtures.noise(3 * BLOCK + 5, 3));
      Files.write(src.resolve("edited.bin"), V2Fixtures.noise(2 * BLOCK, 4));
      V2StoreFixture.age(src);
      Files.write(
          src.resolve("racy.bin"),
          V2Fixtures.noise(BLOCK, 5)); // modified now: within 2 s of the scan
      String full = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      assertEquals(1, fx.opened("old.bin"));
      assertEquals(1, fx.opened("racy.bin"));

      byte[] edited = Files.readAllBytes(src.resolve("edited.bin"));
      edited[BLOCK + 1] ^= 1; // same size; its time moves to another old time
      Files.write(src.resolve("edited.bin"), edited);
      Files.setLastModifiedTime(
          src.resolve("edited.bin"), FileTime.from(Instant.now().minusSeconds(600)));
      V2Summary inc;
      try (V2Backup base = fx.reader().open(full)) {
        V2Manifest.FileEntry old =
            base.manifest().files().stream()
                .filter(f -> f.path().equals("old.bin"))
                .findFirst()
                .orElseThrow();
        assertNotNull(old.fileKey(), "the file key is recorded where the file system has one");
        inc = fx.writer(V2WriteOptions.DEFAULT).incremental(src, base);
      }
      assertEquals(1, fx.opened("old.bin"), "unchanged and older than the racy window: not read");
      assertEquals(2, fx.opened("racy.bin"), "recorded within the racy window: read again");
      assertEquals(2, fx.opened("edited.bin"), "another mtime: read");
      long data = fx.objectSize("repo/data/" + inc.backupId());
      assertTrue(data >= BLOCK && data <= BLOCK + 64, "only the edited block is stored: " + data);

      fx.assertRestoresTo(inc.backupId(), V2StoreFixture.snapshot(src));
    }
  }

  @ParameterizedTest
  @EnumSource(V2StoreFixture.Where.class)
  void rehash_readsEveryFile_butStoresNothingUnchanged(V2StoreFixture.Where where)
      throws Exception {
    try (V2StoreFixture fx = V2StoreFixture.on(where, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 6);
      V2StoreFixture.age(src);
      String full = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      V2Summary inc = fx.incremental(src, full, V2WriteOptions.DEFAULT.withRehash());
      for (String name : new String[] {"pages.db", "noise.bin", "small.txt", "zero", "exact"}) {
        assertEquals(2, fx.opened(name), name + " read by the full backup and by the rehash");
      }
      assertEquals(0, inc.storedBytes());
      String again = fx.incremental(src, inc.backupId(), V2WriteOptions.DEFAULT).backupId();
      assertEquals(2, fx.opened("pages.db"), "without rehash nothing is read");
      fx.assertRestoresTo(again, V2StoreFixture.snapshot(src));
    }
  }
}
