package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.coffer.CorruptBackupException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BlockSealerTest {

  private static final int BLOCK = 4096;

  private static BlockSealer sealer() {
    return new BlockSealer(V2Fixtures.keys(), BLOCK, 3);
  }

  @Test
  void compressibleBlock_isStoredAsZstd_andOpensToTheSameBytes() throws Exception {
    byte[] raw = V2Fixtures.pages(BLOCK, 1);
    try (BlockSealer s = sealer()) {
      byte[] stored = s.seal(7, raw, 0, raw.length);
      assertEquals(V2Format.CODEC_ZSTD, stored[0]);
      assertTrue(stored.length < raw.length);
      assertArrayEquals(raw, s.open(7, raw.length, stored, 0, stored.length));
    }
  }

  @Test
  void incompressibleBlock_isStoredRaw_withHeaderAndTagOnly() throws Exception {
    byte[] raw = V2Fixtures.noise(1000, 2);
    try (BlockSealer s = sealer()) {
      byte[] stored = s.seal(0, raw, 0, raw.length);
      assertEquals(V2Format.CODEC_RAW, stored[0]);
      assertEquals(1 + 1000 + 16, stored.length);
      assertArrayEquals(raw, s.open(0, 1000, stored, 0, stored.length));
    }
  }

  @Test
  void sealedBlock_opensFromTheMiddleOfALargerBuffer() throws Exception {
    byte[] raw = V2Fixtures.pages(BLOCK, 3);
    try (BlockSealer s = sealer()) {
      byte[] stored = s.seal(3, raw, 0, raw.length);
      byte[] object = new byte[stored.length + 20];
      System.arraycopy(stored, 0, object, 10, stored.length);
      assertArrayEquals(raw, s.open(3, raw.length, object, 10, stored.length));
    }
  }

  @Test
  void everyFlippedByte_failsAsCorrupt() throws Exception {
    for (byte[] raw : new byte[][] {V2Fixtures.pages(BLOCK, 4), V2Fixtures.noise(300, 5)}) {
      try (BlockSealer s = sealer()) {
        byte[] stored = s.seal(9, raw, 0, raw.length);
        for (int i = 0; i < stored.length; i++) {
          byte[] bad = stored.clone();
          bad[i] ^= 0x01;
          assertThrows(
              CorruptBackupException.class,
              () -> s.open(9, raw.length, bad, 0, bad.length),
              "byte " + i);
        }
      }
    }
  }

  @Test
  void truncatedAtEveryOffset_failsAsCorrupt() throws Exception {
    byte[] raw = V2Fixtures.pages(BLOCK, 6);
    try (BlockSealer s = sealer()) {
      byte[] stored = s.seal(1, raw, 0, raw.length);
      for (int n = 0; n < stored.length; n++) {
        byte[] cut = Arrays.copyOf(stored, Math.max(n, 1));
        int len = n;
        assertThrows(
            CorruptBackupException.class, () -> s.open(1, raw.length, cut, 0, len), "length " + n);
      }
    }
  }

  @Test
  void blockOpenedUnderAnotherNumberOrRawLength_failsAsCorrupt() throws Exception {
    byte[] raw = V2Fixtures.pages(BLOCK, 7);
    try (BlockSealer s = sealer()) {
      byte[] stored = s.seal(5, raw, 0, raw.length);
      assertThrows(
          CorruptBackupException.class, () -> s.open(6, raw.length, stored, 0, stored.length));
      assertThrows(
          CorruptBackupException.class, () -> s.open(5, raw.length - 1, stored, 0, stored.length));
      assertThrows(
          CorruptBackupException.class, () -> s.open(5, BLOCK + 1, stored, 0, stored.length));
    }
  }

  @Test
  void blockSplicedFromAnotherArchive_failsAsCorrupt_evenUnderTheSameDataKey() throws Exception {
    byte[] raw = V2Fixtures.pages(BLOCK, 8);
    V2Keys other = V2Keys.derive(V2Fixtures.dataKey(), V2Fixtures.salt(), V2Fixtures.OTHER_ARCHIVE);
    try (BlockSealer mine = sealer();
        BlockSealer theirs = new BlockSealer(other, BLOCK, 3)) {
      byte[] stored = theirs.seal(2, raw, 0, raw.length);
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class,
              () -> mine.open(2, raw.length, stored, 0, stored.length));
      assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
    }
  }

  @Test
  void authenticFrameThatExpandsBeyondItsRawLength_isRefused() throws Exception {
    // a writer holding the key (a buggy or hostile one) seals a frame larger than the length it
    // declares
    byte[] big = new byte[BLOCK];
    byte[] frame = Zstd.compress(big, 3);
    V2Keys keys = V2Fixtures.keys();
    Gcm gcm = new Gcm(keys.block);
    int declared = 100;
    byte[] aad =
        java.nio.ByteBuffer.allocate(29)
            .put(Ids.bytes(V2Fixtures.ARCHIVE))
            .putLong(4)
            .putInt(declared)
            .put((byte) 1)
            .array();
    byte[] stored = new byte[1 + frame.length + 16];
    stored[0] = 1;
    gcm.seal(Gcm.counterNonce(4), aad, frame, 0, frame.length, stored, 1);
    try (BlockSealer s = sealer()) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class, () -> s.open(4, declared, stored, 0, stored.length));
      assertTrue(e.getMessage().contains("does not decompress"), e.getMessage());
    }
  }

  @Test
  void storedLengthAboveTheBound_isRefusedBeforeDecrypting() throws Exception {
    int tooLong = V2Format.maxStoredLength(BLOCK) + 1;
    try (BlockSealer s = sealer()) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class, () -> s.open(0, BLOCK, new byte[tooLong], 0, tooLong));
      assertTrue(e.getMessage().contains("out-of-range"), e.getMessage());
    }
  }

  @Test
  void invalidBlockSizesAndLengths_areCallerMistakes() {
    assertThrows(IllegalArgumentException.class, () -> new BlockSealer(V2Fixtures.keys(), 5000, 3));
    assertThrows(IllegalArgumentException.class, () -> new BlockSealer(V2Fixtures.keys(), 2048, 3));
    try (BlockSealer s = sealer()) {
      assertThrows(
          IllegalArgumentException.class, () -> s.seal(0, new byte[BLOCK + 1], 0, BLOCK + 1));
      assertThrows(IllegalArgumentException.class, () -> s.seal(0, new byte[1], 0, 0));
    }
  }
}
