package dev.coffer.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CodecAdaptersTest {

  private static final int SIZE = 256 * 1024;

  @ParameterizedTest
  @EnumSource(ZstdApi.class)
  void everyZstdApi_roundTripsEveryKindOfData_intoAStandardFrame(ZstdApi api) {
    for (DataKind data : DataKind.values()) {
      byte[] input = data.generate(SIZE);
      try (ZstdApi.ZstdCodec codec = api.create(input, 3)) {
        int frameLength = codec.compress();

        assertEquals(SIZE, codec.decompress(), data.name());
        assertArrayEquals(input, codec.decompressed(), data.name());
        assertEquals(frameLength, codec.frame().length);
        assertArrayEquals(
            input, Zstd.decompress(codec.frame(), SIZE), "plain zstd reads the frame");
      }
    }
  }

  @Test
  void dataKinds_areDeterministic_andOrderedByCompressibility() {
    for (DataKind data : DataKind.values()) {
      assertArrayEquals(data.generate(SIZE), data.generate(SIZE), data.name());
    }
    int random = Zstd.compress(DataKind.RANDOM.generate(SIZE), 3).length;
    int text = Zstd.compress(DataKind.TEXT.generate(SIZE), 3).length;
    int database = Zstd.compress(DataKind.DATABASE.generate(SIZE), 3).length;

    assertTrue(random >= SIZE, "random is incompressible: " + random);
    assertTrue(text < SIZE / 3, "text compresses: " + text);
    assertTrue(
        database < text, "heap pages compress better than text: " + database + " vs " + text);
  }

  @Test
  void syntheticHeapPages_carryPostgresPageHeaders() {
    byte[] pages = DataKind.syntheticHeapPages(2 * DataKind.PAGE_BYTES);
    // pd_pagesize_version at offset 18, little-endian: 8192 | layout version 4
    assertEquals(8192 | 4, (pages[18] & 0xFF) | (pages[19] & 0xFF) << 8);
    assertEquals(8192 | 4, (pages[8192 + 18] & 0xFF) | (pages[8192 + 19] & 0xFF) << 8);
  }

  @ParameterizedTest
  @EnumSource(AeadKind.class)
  void everyAead_opensWhatItSealed_andRefusesAFlippedBit(AeadKind kind) {
    byte[] plain = DataKind.TEXT.generate(65536);
    byte[] nonce = new byte[12];
    nonce[11] = 1;
    // one instance per call: the JDK's ChaCha20 refuses a second init with the same key and nonce
    byte[] sealed = new byte[plain.length + Aead.TAG_BYTES];
    byte[] opened = new byte[sealed.length];

    int sealedLength = kind.create().seal(nonce, plain, plain.length, sealed);
    int openedLength = kind.create().open(nonce, sealed, sealedLength, opened);

    assertEquals(plain.length + Aead.TAG_BYTES, sealedLength);
    assertArrayEquals(plain, Arrays.copyOf(opened, openedLength));
    sealed[100] ^= 1;
    assertThrows(
        IllegalStateException.class, () -> kind.create().open(nonce, sealed, sealedLength, opened));
  }

  @Test
  void aesGcm_jdkAndBouncyCastle_produceTheSameBytes() {
    byte[] plain = DataKind.RANDOM.generate(10_000);
    byte[] nonce = new byte[12];
    byte[] jdk = new byte[plain.length + Aead.TAG_BYTES];
    byte[] bc = new byte[plain.length + Aead.TAG_BYTES];

    AeadKind.AES_GCM_JDK.create().seal(nonce, plain, plain.length, jdk);
    AeadKind.AES_GCM_BC.create().seal(nonce, plain, plain.length, bc);

    assertArrayEquals(jdk, bc);
  }

  @ParameterizedTest
  @EnumSource(DataKind.class)
  void blockPipeline_opensWhatItSealed_andRefusesTamperedBytes(DataKind data) {
    int size = 1 << 20;
    byte[] block = data.generate(size);
    byte[] sealed = new byte[BlockPipeline.maxSealedBytes(size)];
    byte[] opened = new byte[size];
    try (BlockPipeline sealer = new BlockPipeline(size, 3);
        BlockPipeline opener = new BlockPipeline(size, 3)) {
      long first = sealer.chunkCounter();
      int sealedLength = sealer.seal(block, size, sealed);

      assertEquals(size, opener.open(sealed, sealedLength, first, opened, size));
      assertArrayEquals(block, opened);
      assertNotEquals(first, sealer.chunkCounter(), "each chunk took a fresh nonce");
      sealed[sealedLength - 1] ^= 1;
      assertThrows(
          IllegalStateException.class,
          () -> opener.open(sealed, sealedLength, first, opened, size));
    }
  }
}
