package dev.coffer.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Opens the archive provider's package-private writer ({@code ArchiveWriter}: per-file SHA-256 on
 * the calling thread, zstd blocks and AES-256-GCM chunks on a pool, ordered output) to the
 * benchmarks, so they time the provider's real pipeline rather than a reproduction. A test source
 * of spi-archive, shipped to the benchmarks in the module's test-jar (so no other module puts
 * classes into this package). Output goes to a channel that counts and drops it. Not thread-safe:
 * one per benchmark thread.
 */
public final class WriterPath implements AutoCloseable {

  private final ExecutorService pool;
  private final BlockCompressor compressor;
  private final int threads;
  private final ArchiveHeader header;
  private final ArchiveKeys keys;
  private final GcmWarmupSwitch warmup = GcmWarmupSwitch.fromSystemProperty();

  /**
   * A writer setup as an encrypted backup makes it, under a fixed benchmark key.
   *
   * @param threads the pool's threads (the provider's {@code threads} option)
   * @param level the zstd level
   */
  public WriterPath(int threads, int level) {
    this.threads = threads;
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "bench-archive-pool");
              t.setDaemon(true);
              return t;
            });
    this.compressor = new BlockCompressor(level);
    this.header =
        new ArchiveHeader(
            Mode.ENCRYPTED,
            null,
            null,
            new byte[32],
            Format.DEFAULT_CHUNK_SIZE,
            "00000000-0000-7000-8000-000000000000");
    this.keys = ArchiveKeys.derive(new SecretBytes(new byte[32]), header);
  }

  /**
   * Writes one archive holding {@code data} as one file (header, FILE record, index-free finish)
   * and returns the archive's length.
   *
   * @param data the file's content, from position to limit
   * @return bytes written
   * @throws IOException never in practice (the output is dropped)
   */
  public long writeArchive(ByteBuffer data) throws IOException {
    long[] written = {0};
    WritableByteChannel out =
        new WritableByteChannel() {
          @Override
          public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            written[0] += n;
            return n;
          }

          @Override
          public boolean isOpen() {
            return true;
          }

          @Override
          public void close() {}
        };
    ArchiveWriter writer = new ArchiveWriter(out, header, keys, compressor, pool, threads, warmup);
    ArchiveWriter.FileResult r = writer.file("data", new BufferChannel(data.duplicate()), at -> {});
    writer.finish(new byte[] {'{', '}'}, new byte[32]);
    if (r.size() != data.remaining() || r.sha256().length != 32) {
      throw new IllegalStateException(
          "the writer took " + r.size() + " of " + data.remaining() + " bytes");
    }
    return written[0];
  }

  @Override
  public void close() {
    pool.shutdownNow();
    compressor.close();
  }

  /** Reads a buffer as a channel, as the provider reads a file. */
  private static final class BufferChannel implements java.nio.channels.ReadableByteChannel {
    private final ByteBuffer data;

    BufferChannel(ByteBuffer data) {
      this.data = data;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (!data.hasRemaining()) {
        return -1;
      }
      int n = Math.min(dst.remaining(), data.remaining());
      ByteBuffer slice = data.slice().limit(n);
      dst.put(slice);
      data.position(data.position() + n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
