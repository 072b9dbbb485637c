package dev.coffer.archive;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * The frame stage: cuts the container byte stream into fixed-size chunks, seals them on the worker pool
 * (or, when it must wait for the oldest, seals chunks the pool has not started itself) and writes the
 * sealed chunks in order. At most {@code maxInFlight} chunks are being sealed at once, so
 * memory stays bounded. The last chunk, sealed by {@link #finish()}, carries the final flag. Used by one
 * thread.
 */
final class ChunkedOutput {

  private final WritableByteChannel out;
  private final ThreadLocal<ChunkSealer> sealers;
  private final ExecutorService pool;
  private final int maxInFlight;
  private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
  private byte[] buffer;
  private int filled;
  private long nextIndex;
  private long position;
  private long written;

  ChunkedOutput(WritableByteChannel out, Supplier<ChunkSealer> sealerFactory, int chunkSize, ExecutorService pool,
      int maxInFlight) {
    this.out = out;
    this.sealers = ThreadLocal.withInitial(sealerFactory);
    this.pool = pool;
    this.maxInFlight = Math.max(1, maxInFlight);
    this.buffer = new byte[chunkSize];
  }

  /** Container bytes accepted so far: the offset of the next byte written. */
  long position() {
    return position;
  }

  /** Archive bytes written to the channel so far (sealed chunks only). */
  long bytesWritten() {
    return written;
  }

  void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (filled == buffer.length) {
        // more data follows, so this full chunk is not the last one
        submit(false);
      }
      int n = Math.min(len, buffer.length - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
      position += n;
    }
  }

  void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  void writeU8(int v) throws IOException {
    write(new byte[] {(byte) v});
  }

  void writeU16(int v) throws IOException {
    write(ByteBuffer.allocate(2).putShort((short) v).array());
  }

  void writeU32(long v) throws IOException {
    write(ByteBuffer.allocate(4).putInt((int) v).array());
  }

  void writeU64(long v) throws IOException {
    write(ByteBuffer.allocate(8).putLong(v).array());
  }

  /** Seals the buffered bytes as the final chunk and writes everything still in flight. */
  void finish() throws IOException {
    if (filled == 0) {
      throw new IllegalStateException("the final chunk must not be empty");
    }
    submit(true);
    while (!inFlight.isEmpty()) {
      drainOne();
    }
  }

  private void submit(boolean last) throws IOException {
    byte[] plain = buffer;
    int len = filled;
    long index = nextIndex++;
    FutureTask<byte[]> task = new FutureTask<>(() -> sealers.get().seal(index, last, plain, len));
    pool.execute(task);
    inFlight.add(task);
    buffer = new byte[buffer.length];
    filled = 0;
    while (inFlight.size() > maxInFlight) {
      drainOne();
    }
  }

  private void drainOne() throws IOException {
    // the pool may be busy compressing: seal the chunks it has not started rather than wait
    runPendingUntilDone(inFlight.peek(), inFlight);
    byte[] sealed = await(inFlight.poll());
    ByteBuffer bb = ByteBuffer.wrap(sealed);
    while (bb.hasRemaining()) {
      out.write(bb);
    }
    written += sealed.length;
  }

  /**
   * Caller runs: until {@code head} is done, runs the tasks of {@code pending} (in order) that no pool
   * thread has started, so the calling thread works instead of waiting for the pool. A {@link FutureTask}
   * runs once: the pool thread that takes it later finds it done.
   */
  static void runPendingUntilDone(Future<?> head, Iterable<? extends Future<?>> pending) {
    for (Future<?> f : pending) {
      if (head.isDone()) {
        return;
      }
      if (f instanceof FutureTask<?> t && !t.isDone()) {
        t.run();
      }
    }
  }

  /** Waits for a pool task, turning its failure into the caller's exception. */
  static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing an archive");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IOException(c);
    }
  }
}
