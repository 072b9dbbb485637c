package dev.coffer.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sources {@link StoreChecks} writes from: slow, failing and held ones, over repeatable bytes.
 */
final class StoreSources {

  /** How long a held source waits to be released. */
  static final long WAIT_SECONDS = HeldWrite.WAIT_SECONDS;

  private StoreSources() {}

  /**
   * Bytes that differ for every seed and size, the same in every run.
   *
   * @param seed which bytes
   * @param size how many
   * @return the bytes
   */
  static byte[] bytes(long seed, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(seed * 0x9E3779B97F4A7C15L + size).nextBytes(b);
    return b;
  }

  /** Hands out its bytes, one per read when asked to, as slow or odd sources do. */
  static final class OneByteAtATime extends ByteArrayInputStream {
    private final boolean oneByte;

    OneByteAtATime(byte[] data, boolean oneByte) {
      super(data);
      this.oneByte = oneByte;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      return super.read(b, off, oneByte ? Math.min(len, 1) : len);
    }
  }

  /**
   * A source over a byte array whose single-byte read goes through the array read, like the rest.
   */
  abstract static class Source extends InputStream {
    final byte[] data;
    int pos;

    Source(byte[] data) {
      this.data = data;
    }

    /** Hands out up to {@code len} bytes, at most {@code limit}. */
    int copy(byte[] b, int off, int len, int limit) {
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(len, Math.min(limit, data.length - pos));
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** Fails with an IOException once {@code failAt} bytes were read. */
  static final class FailingStream extends Source {
    private final int failAt;

    FailingStream(byte[] data, int failAt) {
      super(data);
      this.failAt = failAt;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= failAt) {
        throw new IOException("source failed on purpose at byte " + pos);
      }
      return copy(b, off, len, failAt - pos);
    }
  }

  /** Stops at {@code gateAt} bytes until released, after signalling that it got there. */
  static final class GatedStream extends Source {
    private final int gateAt;
    private final CountDownLatch reached;
    private final CountDownLatch release;

    GatedStream(byte[] data, int gateAt, CountDownLatch reached, CountDownLatch release) {
      super(data);
      this.gateAt = gateAt;
      this.reached = reached;
      this.release = release;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos == gateAt) {
        reached.countDown();
        try {
          if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IOException("gate never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted at the gate");
        }
      }
      return copy(b, off, len, pos < gateAt ? gateAt - pos : Integer.MAX_VALUE);
    }
  }
}
