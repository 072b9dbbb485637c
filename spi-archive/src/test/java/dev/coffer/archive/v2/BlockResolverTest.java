package dev.coffer.archive.v2;

import static dev.coffer.archive.v2.BlockTableTest.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BlockResolverTest {

  private static final UUID TIP = V2Fixtures.ARCHIVE;
  private static final UUID BASE = V2Fixtures.OTHER_ARCHIVE;
  private static final int BLOCK = 4096;

  // the tip stores block 0 (changed); its base stores blocks 0 and 1
  private static final BlockRef TIP_0 = ref(0, 0, 0, 200, BLOCK, 10);
  private static final BlockRef BASE_0 = ref(0, 0, 0, 300, BLOCK, 20);
  private static final BlockRef BASE_1 = ref(0, 1, 300, 150, 1000, 21);

  private static BlockResolver resolver() throws CorruptBackupException {
    return new BlockResolver(
        List.of(
            ArchiveBlocks.of(TIP, 200, BLOCK, List.of(TIP_0)),
            ArchiveBlocks.of(BASE, 450, BLOCK, List.of(BASE_0, BASE_1, BASE_1))));
  }

  private static final List<BlockRef> FILE = List.of(TIP_0, BASE_1.withArchiveIndex(1));

  @Test
  void fileWithBlocksFromTheTipAndTheBase_resolvesToBothArchives() throws Exception {
    List<BlockResolver.Location> where =
        resolver().checkFile("db/t1", BLOCK + 1000, BlockTable.contentHash(FILE), FILE);
    assertEquals(
        List.of(new BlockResolver.Location(TIP, TIP_0), new BlockResolver.Location(BASE, BASE_1)),
        where);
  }

  @Test
  void referenceOutsideTheChain_isRefused() throws Exception {
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> resolver().locate("db/t1", BASE_1.withArchiveIndex(2)));
    assertTrue(e.getMessage().contains("outside its chain of 2"), e.getMessage());
  }

  @Test
  void referenceThatDiffersFromItsArchivesOwnBlock_isRefused() throws Exception {
    BlockResolver r = resolver();
    List<BlockRef> wrong =
        List.of(
            ref(1, 1, 301, 150, 1000, 21), // offset
            ref(1, 1, 300, 151, 1000, 21), // stored length
            ref(1, 1, 300, 150, 999, 21), // raw length
            ref(1, 1, 300, 150, 1000, 99), // hash: a block of another repository at the same place
            ref(1, 2, 300, 150, 1000, 21), // a block number the base does not hold
            ref(0, 1, 300, 150, 1000, 21)); // the base's block claimed by the tip
    for (BlockRef w : wrong) {
      assertThrows(CorruptBackupException.class, () -> r.locate("f", w), w.toString());
    }
  }

  @Test
  void droppedDuplicatedOrSwappedBlocks_failTheFileCheck() throws Exception {
    BlockResolver r = resolver();
    byte[] hash = BlockTable.contentHash(FILE);
    long size = BLOCK + 1000;
    List<BlockRef> swapped = new ArrayList<>(FILE);
    Collections.swap(swapped, 0, 1);
    for (List<BlockRef> bad :
        List.of(FILE.subList(0, 1), List.of(TIP_0, TIP_0, BASE_1.withArchiveIndex(1)), swapped)) {
      assertThrows(
          CorruptBackupException.class, () -> r.checkFile("f", size, hash, bad), bad.toString());
    }
  }

  @Test
  void ownBlocksOutsideTheDataObjectOrOverlapping_areRefused() {
    assertThrows(
        CorruptBackupException.class, () -> ArchiveBlocks.of(TIP, 199, BLOCK, List.of(TIP_0)));
    assertThrows(
        CorruptBackupException.class,
        () -> ArchiveBlocks.of(BASE, 1000, BLOCK, List.of(BASE_0, ref(0, 1, 299, 150, 1000, 21))));
    assertThrows(
        CorruptBackupException.class,
        () -> ArchiveBlocks.of(BASE, 1000, BLOCK, List.of(BASE_0, ref(0, 0, 300, 150, 1000, 21))));
    assertThrows(
        CorruptBackupException.class,
        () -> ArchiveBlocks.of(BASE, 10_000, BLOCK, List.of(ref(1, 0, 0, 300, BLOCK, 1))));
    assertThrows(
        CorruptBackupException.class,
        () -> ArchiveBlocks.of(BASE, 10_000, BLOCK, List.of(ref(0, 0, 0, 300, BLOCK + 1, 1))));
  }

  @Test
  void chainThatNamesAnArchiveTwiceOrNone_isRefused() throws Exception {
    ArchiveBlocks tip = ArchiveBlocks.of(TIP, 200, BLOCK, List.of(TIP_0));
    assertThrows(CorruptBackupException.class, () -> new BlockResolver(List.of(tip, tip)));
    assertThrows(CorruptBackupException.class, () -> new BlockResolver(List.of()));
  }

  @Test
  void openedBlockWithAnotherHash_failsTheContentCheck() throws Exception {
    byte[] raw = V2Fixtures.pages(1000, 1);
    BlockRef good = new BlockRef(0, 0, 0, 50, 1000, BlockTable.sha256().digest(raw));
    BlockResolver.checkContent("f", good, raw);
    raw[999] ^= 1;
    assertThrows(CorruptBackupException.class, () -> BlockResolver.checkContent("f", good, raw));
    assertThrows(
        CorruptBackupException.class, () -> BlockResolver.checkContent("f", good, new byte[999]));
  }
}
