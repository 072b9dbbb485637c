package dev.coffer.benchmarks;

import java.nio.ByteBuffer;

/**
 * One checksum or digest over a whole buffer, reset between calls. Not thread-safe: one per thread.
 */
interface Checksummer {

  /** Returns the checksum of all of {@code data} (digests: their first 8 bytes, big-endian). */
  long checksum(byte[] data);

  /**
   * Returns the checksum of {@code data} from its position to its limit, without moving its
   * position (digests: their first 8 bytes, big-endian).
   */
  long checksum(ByteBuffer data);
}
