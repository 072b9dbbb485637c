package dev.coffer.archive.v2;

import com.github.luben.zstd.Zstd;

/** Constants and bounds of archive format 2 (docs/design/archive-v2.md). */
final class V2Format {

  /** Length of a data key, an archive salt and every derived key. */
  static final int KEY_BYTES = 32;

  static final int SALT_BYTES = 32;
  static final int HASH_BYTES = 32;
  static final int TAG_BYTES = 16;
  static final int NONCE_BYTES = 12;

  /** Smallest and largest block size an archive may declare (powers of two). */
  static final int MIN_BLOCK_SIZE = 4 * 1024;

  static final int MAX_BLOCK_SIZE = 1024 * 1024;
  static final int DEFAULT_BLOCK_SIZE = 64 * 1024;

  /** The clear header of a sealed block: its codec byte. */
  static final int BLOCK_HEADER_BYTES = 1;

  static final int CODEC_RAW = 0;
  static final int CODEC_ZSTD = 1;

  /** The most archives a chain table (and so a block reference's archive index) may name. */
  static final int MAX_CHAIN = 1000;

  /** The provider name a format-2 backup's metadata records. */
  static final String PROVIDER = "archive";

  /** The provider version a format-2 backup's metadata records: the archive format. */
  static final String PROVIDER_VERSION = "2";

  private V2Format() {}

  /** Whether {@code size} is a block size the format allows. */
  static boolean validBlockSize(int size) {
    return size >= MIN_BLOCK_SIZE && size <= MAX_BLOCK_SIZE && Integer.bitCount(size) == 1;
  }

  /** The largest stored (sealed) length of a block of an archive with {@code blockSize}. */
  static int maxStoredLength(int blockSize) {
    return BLOCK_HEADER_BYTES + (int) Zstd.compressBound(blockSize) + TAG_BYTES;
  }

  /** The smallest stored length of any block: header, one byte of ciphertext, tag. */
  static int minStoredLength() {
    return BLOCK_HEADER_BYTES + 1 + TAG_BYTES;
  }
}
