package dev.coffer.benchmarks;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The archive provider's block pipeline, reproduced here because its stages are package-private:
 * SHA-256 of the plaintext block, zstd level 3, then AES-256-GCM (JDK) over the frame in 64 KiB
 * chunks, one {@code doFinal} and one fresh nonce per chunk; and the reverse (open every chunk,
 * decompress into a buffer of the declared size, check the SHA-256). Framing is minimal ({@code
 * [sha256][u32 frameLength]} then the sealed chunks), so the figures measure the stages, not a
 * format. Not thread-safe: one per thread, as the provider keeps one set of stages per worker.
 */
final class BlockPipeline implements AutoCloseable {
  /** Plaintext bytes per sealed chunk. */
  static final int SEAL_CHUNK_BYTES = 64 * 1024;

  private static final int HEADER_BYTES = 32 + 4;

  private final MessageDigest sha256;
  private final ZstdCompressCtx cctx = new ZstdCompressCtx();
  private final ZstdDecompressCtx dctx = new ZstdDecompressCtx();
  private final Aead aead = AeadKind.AES_GCM_JDK.create();
  private final byte[] frame;
  private final byte[] nonce = new byte[12];
  private long chunkCounter;

  /** A pipeline for blocks of at most {@code maxBlockBytes}, compressing at {@code level}. */
  BlockPipeline(int maxBlockBytes, int level) {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
    cctx.setLevel(level);
    frame = new byte[(int) Zstd.compressBound(maxBlockBytes)];
  }

  /** Bytes {@link #seal} may write for a block of {@code blockBytes}. */
  static int maxSealedBytes(int blockBytes) {
    long frameBound = Zstd.compressBound(blockBytes);
    long chunks = (frameBound + SEAL_CHUNK_BYTES - 1) / SEAL_CHUNK_BYTES;
    return Math.toIntExact(HEADER_BYTES + frameBound + chunks * Aead.TAG_BYTES);
  }

  /**
   * Only the compress stage of {@link #seal}, the single-threaded baseline; returns the frame
   * length.
   */
  int compressOnly(byte[] block, int length) {
    return cctx.compressByteArray(frame, 0, frame.length, block, 0, length);
  }

  /**
   * Hashes, compresses and seals {@code block[0..length)} into {@code out}; returns bytes written.
   */
  int seal(byte[] block, int length, byte[] out) {
    sha256.update(block, 0, length);
    byte[] digest = sha256.digest();
    int frameLength = cctx.compressByteArray(frame, 0, frame.length, block, 0, length);
    ByteBuffer header = ByteBuffer.wrap(out);
    header.put(digest).putInt(frameLength);
    int written = HEADER_BYTES;
    for (int off = 0; off < frameLength; off += SEAL_CHUNK_BYTES) {
      int n = Math.min(SEAL_CHUNK_BYTES, frameLength - off);
      setNonce(++chunkCounter);
      written += aead.seal(nonce, frame, off, n, out, written);
    }
    return written;
  }

  /**
   * Opens what {@link #seal} wrote ({@code in[0..length)}, sealed by a pipeline whose chunk nonces
   * started at {@code firstChunk}) into {@code out}; returns the block length.
   *
   * @throws IllegalStateException if a chunk fails authentication or the hash does not match
   */
  int open(byte[] in, int length, long firstChunk, byte[] out, int blockBytes) {
    ByteBuffer header = ByteBuffer.wrap(in, 0, HEADER_BYTES);
    byte[] expected = new byte[32];
    header.get(expected);
    int frameLength = header.getInt();
    if (frameLength < 0 || frameLength > frame.length) {
      throw new IllegalStateException("frame length out of range: " + frameLength);
    }
    int read = HEADER_BYTES;
    long chunk = firstChunk;
    for (int off = 0; off < frameLength; off += SEAL_CHUNK_BYTES) {
      int n = Math.min(SEAL_CHUNK_BYTES, frameLength - off);
      setNonce(++chunk);
      aead.open(nonce, in, read, n + Aead.TAG_BYTES, frame, off);
      read += n + Aead.TAG_BYTES;
    }
    if (read != length) {
      throw new IllegalStateException("trailing bytes after the last chunk: " + (length - read));
    }
    int plain = dctx.decompressByteArray(out, 0, blockBytes, frame, 0, frameLength);
    if (plain != blockBytes) {
      throw new IllegalStateException(
          "block decompressed to " + plain + " bytes, expected " + blockBytes);
    }
    sha256.update(out, 0, plain);
    if (!MessageDigest.isEqual(expected, sha256.digest())) {
      throw new IllegalStateException("block SHA-256 mismatch");
    }
    return plain;
  }

  /** The value of the chunk counter; the next sealed chunk uses counter + 1. */
  long chunkCounter() {
    return chunkCounter;
  }

  private void setNonce(long counter) {
    for (int i = 0; i < 8; i++) {
      nonce[11 - i] = (byte) (counter >>> (8 * i));
    }
  }

  @Override
  public void close() {
    cctx.close();
    dctx.close();
  }
}
