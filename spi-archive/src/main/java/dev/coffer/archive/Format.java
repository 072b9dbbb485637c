package dev.coffer.archive;

import java.nio.charset.StandardCharsets;

/** Constants of archive format v1 (docs/archive-format.md). */
final class Format {

  static final byte[] MAGIC = "COFFERAR".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;

  static final int KDF_NONE = 0;
  static final int KDF_ARGON2ID = 1;

  static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
  static final int MIN_CHUNK_SIZE = 1024;
  static final int MAX_CHUNK_SIZE = 1024 * 1024;

  /** Largest block of file data compressed as one zstd frame. */
  static final int MAX_BLOCK_SIZE = 1024 * 1024;

  static final int REC_DIR = 1;
  static final int REC_FILE = 2;
  static final int REC_MANIFEST = 3;
  static final int REC_FOOTER = 4;

  static final int CODEC_RAW = 0;
  static final int CODEC_ZSTD = 1;

  static final byte[] FOOTER_MAGIC = "CFFOOTR1".getBytes(StandardCharsets.US_ASCII);

  /** Footer record: type (1) + manifest record offset (8) + magic (8). */
  static final int FOOTER_LENGTH = 17;

  static final int MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
  static final int MAX_PATH_BYTES = 4096;

  /** The provider name a manifest records (and the provider's name). */
  static final String PROVIDER = "archive";

  /** The provider version a manifest records. */
  static final String PROVIDER_VERSION = "1";

  static final String FILE_SUFFIX = ".coffer";
  static final String TEMP_PREFIX = ".tmp-";

  private Format() {}
}
