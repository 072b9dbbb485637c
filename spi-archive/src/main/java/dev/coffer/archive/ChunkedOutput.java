package dev.coffer.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The frame stage: cuts the container byte stream into fixed-size chunks, seals them on the worker
 * pool through an {@link OrderedPoolTasks} stage (caller runs when it must wait) and writes the
 * sealed chunks in order. At most {@code maxInFlight} chunks are being sealed at once, so memory
 * stays bounded. The last chunk, sealed by {@link #finish()}, carries the final flag. Used by one
 * thread.
 */
final class ChunkedOutput {

  private final WritableByteChannel out;
  private final ThreadLocal<ChunkSealer> sealers;
  private final int maxInFlight;
  private final OrderedPoolTasks<byte[]> inFlight;
  private byte[] buffer;
  private int filled;
  private long nextIndex;
  private long position;
  private long written;

  ChunkedOutput(
      WritableByteChannel out,
      Supplier<ChunkSealer> sealerFactory,
      int chunkSize,
      ExecutorService pool,
      int maxInFlight) {
    this.out = out;
    this.sealers = ThreadLocal.withInitial(sealerFactory);
    this.inFlight = new OrderedPoolTasks<>(pool);
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
    inFlight.submit(() -> sealers.get().seal(index, last, plain, len));
    buffer = new byte[buffer.length];
    filled = 0;
    while (inFlight.size() > maxInFlight) {
      drainOne();
    }
  }

  private void drainOne() throws IOException {
    // the pool may be busy compressing: next() seals the chunks it has not started rather than wait
    byte[] sealed = inFlight.next();
    ByteBuffer bb = ByteBuffer.wrap(sealed);
    while (bb.hasRemaining()) {
      out.write(bb);
    }
    written += sealed.length;
  }
}
