package dev.coffer.archive;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The compress stage: one block of at most {@link Format#MAX_BLOCK_SIZE} bytes of file data becomes
 * one independent zstd frame, or stays raw when zstd does not shrink it. Thread-safe: each thread
 * gets its own zstd context; {@link #close()} frees them once no thread uses the compressor any
 * more.
 */
final class BlockCompressor implements AutoCloseable {

  /** A compressed (or raw) block. */
  record Block(int codec, int rawLength, byte[] stored, int storedLength) {}

  private final int level;
  private final Queue<AutoCloseable> contexts = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<ZstdCompressCtx> compressors;
  private final ThreadLocal<ZstdDecompressCtx> decompressors;
  private final ThreadLocal<byte[]> scratch =
      ThreadLocal.withInitial(() -> new byte[(int) Zstd.compressBound(Format.MAX_BLOCK_SIZE)]);

  BlockCompressor(int level) {
    this.level = level;
    this.compressors =
        ThreadLocal.withInitial(
            () -> {
              ZstdCompressCtx c = new ZstdCompressCtx();
              c.setLevel(level);
              c.setChecksum(false); // every chunk is authenticated (or checksummed) already
              c.setContentSize(true);
              contexts.add(c);
              return c;
            });
    this.decompressors =
        ThreadLocal.withInitial(
            () -> {
              ZstdDecompressCtx d = new ZstdDecompressCtx();
              contexts.add(d);
              return d;
            });
  }

  int level() {
    return level;
  }

  /** Compresses {@code raw[0, length)}; the result is raw when compression does not help. */
  Block compress(byte[] raw, int length) {
    if (length < 0 || length > Format.MAX_BLOCK_SIZE) {
      throw new IllegalArgumentException("block length " + length);
    }
    byte[] dst = scratch.get();
    int n = compressors.get().compressByteArray(dst, 0, dst.length, raw, 0, length);
    if (n >= length) {
      return new Block(Format.CODEC_RAW, length, raw, length);
    }
    // an exact-size copy: blocks compress well as a rule, and a per-thread scratch buffer is not
    // allocated (as a humongous object in a small heap) for every block
    return new Block(Format.CODEC_ZSTD, length, java.util.Arrays.copyOf(dst, n), n);
  }

  /**
   * Decompresses a stored block into exactly {@code rawLength} bytes.
   *
   * @return the raw bytes, or null if the block does not decode to exactly that many bytes
   */
  byte[] decompress(int codec, byte[] stored, int storedLength, int rawLength) {
    if (rawLength < 1 || rawLength > Format.MAX_BLOCK_SIZE) {
      return null;
    }
    if (codec == Format.CODEC_RAW) {
      if (storedLength != rawLength) {
        return null;
      }
      return java.util.Arrays.copyOf(stored, storedLength);
    }
    if (codec != Format.CODEC_ZSTD) {
      return null;
    }
    byte[] out = new byte[rawLength];
    try {
      // the output buffer has exactly the declared size: a frame that expands further fails here
      int n = decompressors.get().decompressByteArray(out, 0, rawLength, stored, 0, storedLength);
      return n == rawLength ? out : null;
    } catch (ZstdException e) {
      return null;
    }
  }

  @Override
  public void close() {
    AutoCloseable c;
    while ((c = contexts.poll()) != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // freeing native memory cannot fail in a way the caller could act on
      }
    }
  }
}
