package dev.coffer.archive;

/** How an archive's chunks are protected. */
enum Mode {
  /** AES-256-GCM per chunk: confidential and authenticated. */
  ENCRYPTED(1, 16),
  /** HMAC-SHA256 per chunk: readable without decryption, authenticated. */
  SIGNED(2, 32),
  /**
   * The SIGNED construction under the well-known all-zero key: a checksum against accidents only.
   */
  PLAIN(3, 32);

  final int code;
  final int tagLength;

  Mode(int code, int tagLength) {
    this.code = code;
    this.tagLength = tagLength;
  }

  static Mode ofCode(int code) {
    for (Mode m : values()) {
      if (m.code == code) {
        return m;
      }
    }
    return null;
  }
}
