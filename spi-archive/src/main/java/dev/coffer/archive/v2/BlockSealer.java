package dev.coffer.archive.v2;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.coffer.CorruptBackupException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;

/**
 * Compresses and seals one block of a version-2 archive, and opens it again. A sealed block is
 * {@code codec (1) || AES-256-GCM(K("block"), nonce = 0x00000000 || block number, aad, payload)}
 * where the payload is one zstd frame of the block (codec 1) or the block itself when zstd does not
 * shrink it (codec 0), and {@code aad = archive id (16) || block number (8) || raw length (4) ||
 * codec (1)}. Each block is sealed alone, so a reader opens any block with one ranged read.
 *
 * <p>Not thread-safe: one instance per thread; {@link #close()} frees the native zstd contexts.
 */
public final class BlockSealer implements AutoCloseable {

  /** The block size writers use: 64 KiB (a multiple of every common database page size). */
  public static final int DEFAULT_BLOCK_SIZE_BYTES = V2Format.DEFAULT_BLOCK_SIZE;

  private final UUID archiveId;
  private final int blockSize;
  private final Gcm gcm;
  private final ZstdCompressCtx compressor;
  private final ZstdDecompressCtx decompressor = new ZstdDecompressCtx();
  private final byte[] scratch;

  /**
   * A sealer for the blocks of one archive.
   *
   * @param keys the archive's keys
   * @param blockSizeBytes the archive's block size: a power of two, 4 KiB to 1 MiB
   * @param level the zstd level, 1 to 19
   * @throws IllegalArgumentException if the block size or level is out of range
   */
  public BlockSealer(V2Keys keys, int blockSizeBytes, int level) {
    if (!V2Format.validBlockSize(blockSizeBytes)) {
      throw new IllegalArgumentException(
          "block size must be a power of two from 4 KiB to 1 MiB: " + blockSizeBytes);
    }
    if (level < 1 || level > 19) {
      throw new IllegalArgumentException("zstd level must be 1 to 19: " + level);
    }
    this.archiveId = keys.archiveId();
    this.blockSize = blockSizeBytes;
    this.gcm = new Gcm(keys.block);
    this.compressor = new ZstdCompressCtx();
    compressor.setLevel(level);
    compressor.setChecksum(false); // the GCM tag authenticates the frame
    compressor.setContentSize(true);
    this.scratch = new byte[(int) Zstd.compressBound(blockSizeBytes)];
  }

  /**
   * The archive's block size.
   *
   * @return the block size in bytes
   */
  public int blockSizeBytes() {
    return blockSize;
  }

  /**
   * Compresses and seals {@code raw[off, off+len)} as block {@code blockNumber}.
   *
   * @param blockNumber the block's number in its archive (unique per archive: it is the nonce)
   * @param raw the block's bytes
   * @param off where they start
   * @param len their count, 1 to the block size
   * @return the sealed block, to be stored as is
   * @throws IllegalArgumentException if the length or the block number is out of range
   */
  public byte[] seal(long blockNumber, byte[] raw, int off, int len) {
    if (len < 1 || len > blockSize || blockNumber < 0) {
      throw new IllegalArgumentException("block " + blockNumber + " of " + len + " bytes");
    }
    int n = compressor.compressByteArray(scratch, 0, scratch.length, raw, off, len);
    boolean zstd = n < len;
    byte[] payload = zstd ? scratch : raw;
    int payloadOff = zstd ? 0 : off;
    int payloadLen = zstd ? n : len;
    int codec = zstd ? V2Format.CODEC_ZSTD : V2Format.CODEC_RAW;
    byte[] out = new byte[V2Format.BLOCK_HEADER_BYTES + payloadLen + V2Format.TAG_BYTES];
    out[0] = (byte) codec;
    gcm.seal(
        Gcm.counterNonce(blockNumber),
        aad(blockNumber, len, codec),
        payload,
        payloadOff,
        payloadLen,
        out,
        V2Format.BLOCK_HEADER_BYTES);
    return out;
  }

  /**
   * Opens block {@code blockNumber}: authenticates it, then decompresses it into exactly {@code
   * rawLength} bytes. Nothing is returned for a block that fails any check.
   *
   * @param blockNumber the block's number, from the block table
   * @param rawLength the block's raw length, from the block table
   * @param stored the sealed block
   * @param off where it starts
   * @param len its stored length
   * @return the block's raw bytes, exactly {@code rawLength} of them
   * @throws CorruptBackupException if a length is out of bounds, authentication fails (wrong key or
   *     modified bytes) or the payload does not decode to exactly {@code rawLength} bytes
   */
  public byte[] open(long blockNumber, int rawLength, byte[] stored, int off, int len)
      throws CorruptBackupException {
    if (rawLength < 1
        || rawLength > blockSize
        || blockNumber < 0
        || len < V2Format.minStoredLength()
        || len > V2Format.maxStoredLength(blockSize)) {
      throw corrupt(blockNumber, "has out-of-range lengths: raw " + rawLength + ", stored " + len);
    }
    int codec = stored[off];
    int payloadLen = len - V2Format.BLOCK_HEADER_BYTES - V2Format.TAG_BYTES;
    boolean sizeFits =
        codec == V2Format.CODEC_RAW
            ? payloadLen == rawLength
            : codec == V2Format.CODEC_ZSTD && payloadLen < rawLength;
    if (!sizeFits) {
      throw corrupt(
          blockNumber,
          "has codec " + codec + " with payload " + payloadLen + " for raw " + rawLength);
    }
    byte[] payload =
        gcm.open(
            Gcm.counterNonce(blockNumber),
            aad(blockNumber, rawLength, codec),
            stored,
            off + V2Format.BLOCK_HEADER_BYTES,
            len - V2Format.BLOCK_HEADER_BYTES);
    if (payload == null) {
      throw corrupt(blockNumber, "failed authentication (wrong key or modified bytes)");
    }
    if (codec == V2Format.CODEC_RAW) {
      return payload;
    }
    byte[] out = new byte[rawLength];
    try {
      // a buffer of exactly the declared size: a frame that would expand further fails here
      int n = decompressor.decompressByteArray(out, 0, rawLength, payload, 0, payload.length);
      if (n == rawLength) {
        return out;
      }
    } catch (ZstdException e) {
      // reported below: an authenticated block that does not decode was written by a broken writer
    }
    Arrays.fill(out, (byte) 0);
    throw corrupt(blockNumber, "does not decompress to its " + rawLength + " bytes");
  }

  private byte[] aad(long blockNumber, int rawLength, int codec) {
    return ByteBuffer.allocate(16 + 8 + 4 + 1)
        .put(Ids.bytes(archiveId))
        .putLong(blockNumber)
        .putInt(rawLength)
        .put((byte) codec)
        .array();
  }

  private CorruptBackupException corrupt(long blockNumber, String what) {
    return new CorruptBackupException(
        "block " + blockNumber + " of archive " + archiveId + " " + what, null);
  }

  @Override
  public void close() {
    compressor.close();
    decompressor.close();
  }
}
