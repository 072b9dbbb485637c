package dev.coffer.archive.aedb;

/**
 * Limits and switches for reading aedb's {@code AEDBARC1} archives and manifests.
 *
 * @param allowUnencryptedWithKey read an unencrypted archive even though a key is configured; off
 *     by default because aedb accepted such archives silently, which lets anyone who can write the
 *     repository replace an encrypted backup with a forged plain one (a downgrade)
 * @param portablePaths refuse paths that break {@link
 *     dev.coffer.spi.support.RelativePaths#portableProblem} (NFC, Windows names, control
 *     characters), not only the basic rules; on by default
 * @param maxEncryptedPayloadBytes the largest encrypted entry payload accepted; an AES-GCM payload
 *     is one authenticated unit, so it is held in memory whole until its tag is checked
 * @param maxTotalOutputBytes the most decompressed bytes one read may produce (all entries
 *     together)
 * @param maxEntries the most entries an archive may have
 */
record AedbReadOptions(
    boolean allowUnencryptedWithKey,
    boolean portablePaths,
    long maxEncryptedPayloadBytes,
    long maxTotalOutputBytes,
    int maxEntries) {

  /** Default for {@link #maxEncryptedPayloadBytes}: 256 MiB. */
  static final long DEFAULT_MAX_ENCRYPTED_PAYLOAD_BYTES = 256L << 20;

  /** Default for {@link #maxTotalOutputBytes}: 64 GiB. */
  static final long DEFAULT_MAX_TOTAL_OUTPUT_BYTES = 64L << 30;

  /** Default for {@link #maxEntries}. */
  static final int DEFAULT_MAX_ENTRIES = 1_000_000;

  /**
   * Hard ceiling for {@link #maxEncryptedPayloadBytes}: a Java array holds at most about 2^31
   * bytes, less the GCM tag and some headroom.
   */
  static final long HARD_MAX_ENCRYPTED_PAYLOAD_BYTES = Integer.MAX_VALUE - 64;

  /**
   * Validates the limits.
   *
   * @throws IllegalArgumentException if a limit is not positive or above its ceiling
   */
  AedbReadOptions {
    if (maxEncryptedPayloadBytes < 28
        || maxEncryptedPayloadBytes > HARD_MAX_ENCRYPTED_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "maxEncryptedPayloadBytes out of range [28, "
              + HARD_MAX_ENCRYPTED_PAYLOAD_BYTES
              + "]: "
              + maxEncryptedPayloadBytes);
    }
    if (maxTotalOutputBytes < 0) {
      throw new IllegalArgumentException("negative maxTotalOutputBytes: " + maxTotalOutputBytes);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
    }
  }

  /**
   * The defaults: downgrade refused, portable paths, 256 MiB per encrypted payload, 64 GiB of
   * output, a million entries.
   *
   * @return the default options
   */
  static AedbReadOptions defaults() {
    return new AedbReadOptions(
        false,
        true,
        DEFAULT_MAX_ENCRYPTED_PAYLOAD_BYTES,
        DEFAULT_MAX_TOTAL_OUTPUT_BYTES,
        DEFAULT_MAX_ENTRIES);
  }

  /**
   * Returns a copy with {@link #allowUnencryptedWithKey} set.
   *
   * @param allow whether to read unencrypted archives although a key is configured
   * @return the copy
   */
  AedbReadOptions withAllowUnencryptedWithKey(boolean allow) {
    return new AedbReadOptions(
        allow, portablePaths, maxEncryptedPayloadBytes, maxTotalOutputBytes, maxEntries);
  }

  /**
   * Returns a copy with {@link #portablePaths} set.
   *
   * @param portable whether the portable path rules apply
   * @return the copy
   */
  AedbReadOptions withPortablePaths(boolean portable) {
    return new AedbReadOptions(
        allowUnencryptedWithKey,
        portable,
        maxEncryptedPayloadBytes,
        maxTotalOutputBytes,
        maxEntries);
  }

  /**
   * Returns a copy with {@link #maxEncryptedPayloadBytes} set.
   *
   * @param bytes the new limit
   * @return the copy
   */
  AedbReadOptions withMaxEncryptedPayloadBytes(long bytes) {
    return new AedbReadOptions(
        allowUnencryptedWithKey, portablePaths, bytes, maxTotalOutputBytes, maxEntries);
  }

  /**
   * Returns a copy with {@link #maxTotalOutputBytes} set.
   *
   * @param bytes the new limit
   * @return the copy
   */
  AedbReadOptions withMaxTotalOutputBytes(long bytes) {
    return new AedbReadOptions(
        allowUnencryptedWithKey, portablePaths, maxEncryptedPayloadBytes, bytes, maxEntries);
  }

  /**
   * Returns a copy with {@link #maxEntries} set.
   *
   * @param entries the new limit
   * @return the copy
   */
  AedbReadOptions withMaxEntries(int entries) {
    return new AedbReadOptions(
        allowUnencryptedWithKey,
        portablePaths,
        maxEncryptedPayloadBytes,
        maxTotalOutputBytes,
        entries);
  }
}
