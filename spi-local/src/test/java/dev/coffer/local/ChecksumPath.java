package dev.coffer.local;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Opens the local provider's package-private checksum path ({@code Checksums.update}) to the
 * benchmarks, so they measure the code the provider runs rather than a copy of it. Lives in the
 * provider's own test sources and reaches the benchmarks through spi-local's test-jar, which holds
 * this class alone.
 */
public final class ChecksumPath {

  private ChecksumPath() {}

  /**
   * Runs the provider's per-buffer checksum step on {@code buffer} (position to limit, position
   * kept).
   *
   * @param c32c the running CRC32C
   * @param c32 the running CRC32, or null as verify and restore of Coffer backups pass it
   * @param buffer the bytes just read
   */
  public static void update(CRC32C c32c, CRC32 c32, ByteBuffer buffer) {
    Checksums.update(c32c, c32, buffer);
  }
}
