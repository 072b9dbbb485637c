package dev.coffer.local;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The direct copy buffers of one repository instance: full-size buffers {@linkplain #release
 * released} for reuse, at most {@link #KEPT} (4 MiB of direct memory for the life of the
 * repository), because allocating one zeroes fresh memory, which costs more than a small
 * incremental's copying (figures in docs/benchmarks.md, "Performance seams of the local provider").
 * Thread-safe.
 */
final class BufferPool {

  /**
   * Size of the copy buffer: large enough for sequential throughput, small enough to bound the
   * heap.
   */
  static final int BUFFER_BYTES = 1 << 20;

  /** How many full-size buffers are kept: one per copy thread at the default thread count. */
  static final int KEPT = 4;

  private final ArrayDeque<ByteBuffer> kept = new ArrayDeque<>(); // guarded by itself

  /**
   * A copy buffer: a kept full-size one when there is one, otherwise a new one no larger than the
   * largest file needs (small operations stay cheap). Hand it back with {@link #release} when done
   * with it.
   */
  ByteBuffer buffer(long largestFileBytes) {
    synchronized (kept) {
      ByteBuffer b = kept.pollFirst();
      if (b != null) {
        return b.clear();
      }
    }
    long size = Math.max(8192, Math.min(BUFFER_BYTES, largestFileBytes));
    return ByteBuffer.allocateDirect((int) size);
  }

  /**
   * Keeps a full-size buffer from {@link #buffer} for reuse, unless {@link #KEPT} are kept already;
   * the caller must not touch it afterwards. Smaller buffers are left to the garbage collector.
   */
  void release(ByteBuffer buffer) {
    if (buffer.capacity() != BUFFER_BYTES || !buffer.isDirect()) {
      return;
    }
    synchronized (kept) {
      for (ByteBuffer b : kept) {
        if (b == buffer) {
          return; // released twice: keeping it twice would hand one buffer to two threads
        }
      }
      if (kept.size() < KEPT) {
        kept.addFirst(buffer);
      }
    }
  }
}
