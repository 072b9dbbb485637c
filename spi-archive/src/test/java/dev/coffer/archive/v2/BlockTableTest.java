package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockTableTest {

  static BlockRef ref(int index, long number, long offset, int stored, int raw, int hashSeed) {
    return new BlockRef(index, number, offset, stored, raw, V2Fixtures.counting(hashSeed, 32));
  }

  private static final List<BlockRef> REFS =
      List.of(
          ref(0, 0, 0, 100, 4096, 1),
          ref(2, 7, 123_456_789_012L, 4113, 4096, 2),
          ref(1, 3, 500, 30, 17, 3));

  @Test
  void encodedTable_decodesToTheSameReferences() throws Exception {
    String text = BlockTable.encode(REFS);
    assertEquals(4 * ((3 * BlockTable.RECORD_BYTES + 2) / 3), text.length());
    assertEquals(REFS, BlockTable.decode("a/f", text, 3, 3));
    assertEquals(List.of(), BlockTable.decode("a/f", BlockTable.encode(List.of()), 1, 0));
  }

  @Test
  void contentHash_isSha256OverTheBlockHashesInOrder() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (BlockRef r : REFS) {
      md.update(r.sha256());
    }
    assertArrayEquals(md.digest(), BlockTable.contentHash(REFS));
    assertArrayEquals(
        MessageDigest.getInstance("SHA-256").digest(), BlockTable.contentHash(List.of()));
  }

  @Test
  void archiveIndexOutsideTheChain_isRefused() {
    String text = BlockTable.encode(REFS);
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> BlockTable.decode("a/f", text, 2, 3));
    assertTrue(e.getMessage().contains("out-of-range block reference: archive 2"), e.getMessage());
    assertEquals("a/f", e.path().orElseThrow());
  }

  @Test
  void moreRecordsThanAllowed_areRefusedBeforeDecoding() {
    String text = BlockTable.encode(REFS);
    assertThrows(CorruptBackupException.class, () -> BlockTable.decode("a/f", text, 3, 2));
  }

  @Test
  void outOfRangeLengthsAndOffsets_areRefused() {
    for (int field : new int[] {10, 18, 22}) {
      for (long value : new long[] {0, 0xFFFF_FFFFL, 2L * 1024 * 1024}) {
        ByteBuffer b =
            ByteBuffer.wrap(Base64.getDecoder().decode(BlockTable.encode(REFS.subList(0, 1))));
        if (field == 10) {
          b.putLong(
              10,
              value == 0
                  ? -1
                  : Long.MAX_VALUE - 10); // offset negative or overflowing with the length
        } else {
          b.putInt(field, (int) value);
        }
        String text = Base64.getEncoder().encodeToString(b.array());
        assertThrows(
            CorruptBackupException.class,
            () -> BlockTable.decode("f", text, 1, 1),
            "field " + field + " = " + value);
      }
    }
  }

  @Test
  void textThatIsNotCanonicalBase64OfWholeRecords_isRefused() {
    String text = BlockTable.encode(REFS);
    for (String bad :
        List.of(
            text + "A",
            text.substring(0, text.length() - 4),
            text.replace('A', '*'),
            "!!!!",
            text.substring(0, text.length() - 1),
            Base64.getEncoder().encodeToString(new byte[57]))) {
      assertThrows(CorruptBackupException.class, () -> BlockTable.decode("f", bad, 3, 3), bad);
    }
  }

  @Test
  void everyFlippedCharacter_failsOrChangesTheContentHash() throws Exception {
    String text = BlockTable.encode(REFS);
    byte[] hash = BlockTable.contentHash(REFS);
    for (int i = 0; i < text.length(); i++) {
      char[] c = text.toCharArray();
      c[i] = c[i] == 'A' ? 'B' : 'A';
      String bad = new String(c);
      try {
        List<BlockRef> decoded = BlockTable.decode("f", bad, 3, 3);
        // a change that still decodes changes a field: what the resolver compares catches the rest
        assertTrue(!decoded.equals(REFS), "char " + i);
        if (decoded.stream()
            .map(BlockRef::sha256)
            .toList()
            .toString()
            .equals(REFS.stream().map(BlockRef::sha256).toList().toString())) {
          assertArrayEquals(hash, BlockTable.contentHash(decoded));
        }
      } catch (CorruptBackupException expected) {
        // refused outright
      }
    }
  }
}
