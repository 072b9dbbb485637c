package dev.coffer.benchmarks;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The three ways zstd-jni is called, each a small adapter that compresses one input into one frame
 * and decompresses it back. Contexts are created once and reused, as a provider would.
 */
public enum ZstdApi {
  /** {@code ZstdCompressCtx.compressByteArray} / {@code ZstdDecompressCtx.decompressByteArray}. */
  BYTE_ARRAY {
    @Override
    ZstdCodec create(byte[] input, int level) {
      return new ByteArrayCodec(input, level);
    }
  },
  /** {@code compressDirectByteBuffer} / {@code decompressDirectByteBuffer} on direct buffers. */
  DIRECT {
    @Override
    ZstdCodec create(byte[] input, int level) {
      return new DirectCodec(input, level);
    }
  },
  /** {@link ZstdOutputStream} / {@link ZstdInputStream}, one new stream per frame. */
  STREAM {
    @Override
    ZstdCodec create(byte[] input, int level) {
      return new StreamCodec(input, level);
    }
  };

  /**
   * Returns a codec for {@code input} at {@code level}; compress() must be called before
   * decompress().
   */
  abstract ZstdCodec create(byte[] input, int level);

  /** One thread's compressor/decompressor of a fixed input. */
  interface ZstdCodec extends AutoCloseable {
    /** Compresses the input into the codec's frame buffer; returns the frame's length. */
    int compress();

    /** Decompresses the last frame; returns the decompressed length (always the input's). */
    int decompress();

    /** Returns a copy of the last frame. */
    byte[] frame();

    /** Returns a copy of the last decompressed bytes. */
    byte[] decompressed();

    @Override
    void close();
  }

  private static int checked(long result) {
    if (Zstd.isError(result)) {
      throw new IllegalStateException("zstd error: " + Zstd.getErrorName(result));
    }
    return (int) result;
  }

  private static final class ByteArrayCodec implements ZstdCodec {
    private final byte[] input;
    private final byte[] frame;
    private final byte[] output;
    private final ZstdCompressCtx cctx = new ZstdCompressCtx();
    private final ZstdDecompressCtx dctx = new ZstdDecompressCtx();
    private int frameLength;

    ByteArrayCodec(byte[] input, int level) {
      this.input = input;
      this.frame = new byte[checked(Zstd.compressBound(input.length))];
      this.output = new byte[input.length];
      cctx.setLevel(level);
    }

    @Override
    public int compress() {
      frameLength = cctx.compressByteArray(frame, 0, frame.length, input, 0, input.length);
      return frameLength;
    }

    @Override
    public int decompress() {
      return dctx.decompressByteArray(output, 0, output.length, frame, 0, frameLength);
    }

    @Override
    public byte[] frame() {
      return Arrays.copyOf(frame, frameLength);
    }

    @Override
    public byte[] decompressed() {
      return output.clone();
    }

    @Override
    public void close() {
      cctx.close();
      dctx.close();
    }
  }

  private static final class DirectCodec implements ZstdCodec {
    private final ByteBuffer input;
    private final ByteBuffer frame;
    private final ByteBuffer output;
    private final ZstdCompressCtx cctx = new ZstdCompressCtx();
    private final ZstdDecompressCtx dctx = new ZstdDecompressCtx();
    private int frameLength;

    DirectCodec(byte[] input, int level) {
      this.input = ByteBuffer.allocateDirect(input.length).put(input).flip();
      this.frame = ByteBuffer.allocateDirect(checked(Zstd.compressBound(input.length)));
      this.output = ByteBuffer.allocateDirect(input.length);
      cctx.setLevel(level);
    }

    @Override
    public int compress() {
      frameLength =
          cctx.compressDirectByteBuffer(frame, 0, frame.capacity(), input, 0, input.capacity());
      return frameLength;
    }

    @Override
    public int decompress() {
      return dctx.decompressDirectByteBuffer(output, 0, output.capacity(), frame, 0, frameLength);
    }

    @Override
    public byte[] frame() {
      byte[] copy = new byte[frameLength];
      frame.get(0, copy);
      return copy;
    }

    @Override
    public byte[] decompressed() {
      byte[] copy = new byte[output.capacity()];
      output.get(0, copy);
      return copy;
    }

    @Override
    public void close() {
      cctx.close();
      dctx.close();
    }
  }

  private static final class StreamCodec implements ZstdCodec {
    private final byte[] input;
    private final int level;
    private final byte[] output;
    private final Sink sink;

    StreamCodec(byte[] input, int level) {
      this.input = input;
      this.level = level;
      this.output = new byte[input.length];
      this.sink = new Sink(checked(Zstd.compressBound(input.length)));
    }

    @Override
    public int compress() {
      sink.count = 0;
      try (ZstdOutputStream out = new ZstdOutputStream(sink, level)) {
        out.write(input);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return sink.count;
    }

    @Override
    public int decompress() {
      try (ZstdInputStream in =
          new ZstdInputStream(new ByteArrayInputStream(sink.bytes, 0, sink.count))) {
        return in.readNBytes(output, 0, output.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public byte[] frame() {
      return Arrays.copyOf(sink.bytes, sink.count);
    }

    @Override
    public byte[] decompressed() {
      return output.clone();
    }

    @Override
    public void close() {
      // nothing held between frames
    }
  }

  /** A reusable in-memory sink; unlike ByteArrayOutputStream it takes no lock per write. */
  private static final class Sink extends OutputStream {
    byte[] bytes;
    int count;

    Sink(int capacity) {
      bytes = new byte[capacity];
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, count, len);
      count += len;
    }

    private void ensure(int more) {
      if (count + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
      }
    }
  }
}
