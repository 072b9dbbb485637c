package dev.coffer.archive;

import com.github.luben.zstd.Zstd;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Reads one archive: header, key check (commitment, before anything is decrypted), manifest, and
 * file records at the offsets the manifest gives. Every length read from the archive is bounded
 * before it is used to allocate. Not thread-safe.
 */
final class ArchiveReader implements Closeable {

  static final int MAX_STORED_BLOCK = (int) Zstd.compressBound(Format.MAX_BLOCK_SIZE);

  /** Receives the verified-so-far raw bytes of a file, block by block. */
  @FunctionalInterface
  interface BlockSink {
    void accept(byte[] raw) throws IOException;
  }

  /** One record met by {@link #nextRecord}. */
  record Record(int type, String path, long offset, long size, byte[] sha256) {}

  final ArchiveHeader header;
  final ArchiveKeys keys;
  private final SeekableByteChannel ch;
  private final ChunkedInput in;
  private final BlockCompressor decompressor = new BlockCompressor(0);
  private final String id;

  private ArchiveReader(
      SeekableByteChannel ch, ArchiveHeader header, ArchiveKeys keys, ChunkedInput in) {
    this.ch = ch;
    this.header = header;
    this.keys = keys;
    this.in = in;
    this.id = header.backupId;
  }

  /**
   * Opens {@code file} (archive of backup {@code id}) and checks the key commitment.
   *
   * @throws WrongKeyException if the configured key does not open the archive
   * @throws CorruptBackupException if the header is malformed or the archive is not authentic
   */
  static ArchiveReader open(Path file, String id, Keyring keyring, GcmWarmupSwitch warmup)
      throws IOException {
    return open(file, id, keyring, warmup, null, 0);
  }

  /**
   * As {@link #open(Path, String, Keyring, GcmWarmupSwitch)}, authenticating up to {@code
   * readAhead} chunks ahead of a sequential reader on {@code pool} (null: none).
   */
  static ArchiveReader open(
      Path file,
      String id,
      Keyring keyring,
      GcmWarmupSwitch warmup,
      java.util.concurrent.ExecutorService pool,
      int readAhead)
      throws IOException {
    SeekableByteChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ);
    try {
      ArchiveHeader.Read read = ArchiveHeader.read(ch, id);
      ArchiveHeader h = read.header();
      SecretBytes master = keyring.forReading(h);
      ArchiveKeys keys = ArchiveKeys.derive(master, h);
      if (!keys.commitsTo(read.commitment())) {
        if (h.mode == Mode.PLAIN) {
          throw new CorruptBackupException(
              "archive of backup " + id + ": header checksum mismatch", null);
        }
        throw new WrongKeyException(
            "wrong key or passphrase for backup " + id + " (or its header was modified)");
      }
      ChunkSealer sealer = ChunkSealer.create(h.mode, keys, h.hash(), warmup);
      ChunkedInput in = new ChunkedInput(ch, h.length(), h.chunkSize, sealer, id);
      if (pool != null) {
        byte[] hash = h.hash();
        in.enableReadAhead(pool, () -> ChunkSealer.create(h.mode, keys, hash, warmup), readAhead);
      }
      return new ArchiveReader(ch, h, keys, in);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  String backupId() {
    return id;
  }

  long chunkCount() {
    return in.chunkCount();
  }

  /** Authenticates one chunk (for verify's full pass). */
  void authenticateChunk(long index) throws IOException {
    in.chunk(index);
  }

  /** Reads the footer and the manifest, checking the manifest's MAC before parsing it. */
  Manifest manifest() throws IOException {
    long footerAt = in.containerLength() - Format.FOOTER_LENGTH;
    if (footerAt < 0) {
      throw in.corrupt("too short for a footer");
    }
    in.seek(footerAt);
    if (in.readU8() != Format.REC_FOOTER) {
      throw in.corrupt("missing footer");
    }
    long manifestAt = in.readU64();
    if (!Arrays.equals(in.readBytes(8), Format.FOOTER_MAGIC)) {
      throw in.corrupt("bad footer magic");
    }
    if (manifestAt < 0 || manifestAt >= footerAt) {
      throw in.corrupt("manifest offset " + manifestAt + " out of range");
    }
    in.seek(manifestAt);
    if (in.readU8() != Format.REC_MANIFEST) {
      throw in.corrupt("no manifest record at offset " + manifestAt);
    }
    long len = in.readU32();
    if (len > Format.MAX_MANIFEST_BYTES || in.position() + len + 32 != footerAt) {
      throw in.corrupt("manifest length " + len + " does not fit the archive");
    }
    byte[] json = in.readBytes((int) len);
    byte[] mac = in.readBytes(32);
    return ManifestCodec.decode(json, mac, keys.manifestMac, id);
  }

  /**
   * Reads the record at {@code offset}, which must be the file {@code expectedPath}, handing its
   * raw bytes to {@code sink} block by block, and checks the SHA-256 stored after the data.
   *
   * @return the record, with the size read and the verified SHA-256
   */
  Record readFile(long offset, String expectedPath, BlockSink sink) throws IOException {
    return readFile(offset, expectedPath, -1, sink);
  }

  /**
   * As {@link #readFile(long, String, BlockSink)}, but stops before handing {@code sink} a block
   * that would take the file past {@code expectedSize} bytes (the manifest's size; -1 for no
   * limit): a record holding more than its manifest declares never writes more than the declared
   * size.
   */
  Record readFile(long offset, String expectedPath, long expectedSize, BlockSink sink)
      throws IOException {
    in.seek(offset);
    int type = in.readU8();
    if (type != Format.REC_FILE) {
      throw new CorruptBackupException(
          "archive of backup "
              + id
              + ": no file record for '"
              + expectedPath
              + "' at offset "
              + offset,
          expectedPath);
    }
    String path = readPath();
    if (!path.equals(expectedPath)) {
      throw new CorruptBackupException(
          "archive of backup "
              + id
              + ": record at offset "
              + offset
              + " is not '"
              + expectedPath
              + "'",
          expectedPath);
    }
    return readFileBody(offset, path, expectedSize, sink);
  }

  /** Positions the sequential scan at the start of the container. */
  void rewind() throws IOException {
    in.seek(0);
  }

  /**
   * Reads the next record in sequence (for verify); file data goes to {@code sink}.
   *
   * @return the record; type {@link Format#REC_MANIFEST} ends the scan (the caller checks the rest)
   */
  Record nextRecord(BlockSink sink) throws IOException {
    long offset = in.position();
    int type = in.readU8();
    switch (type) {
      case Format.REC_DIR:
        return new Record(type, readPath(), offset, 0, null);
      case Format.REC_FILE:
        return readFileBody(offset, readPath(), -1, sink);
      case Format.REC_MANIFEST:
        return new Record(type, null, offset, 0, null);
      default:
        throw in.corrupt("unknown record type " + type + " at offset " + offset);
    }
  }

  private Record readFileBody(long offset, String path, long expectedSize, BlockSink sink)
      throws IOException {
    FileHasher hasher = new FileHasher();
    while (true) {
      long raw = in.readU32();
      if (raw == 0) {
        break;
      }
      if (raw > Format.MAX_BLOCK_SIZE) {
        throw new CorruptBackupException(
            "archive of backup "
                + id
                + ": block of '"
                + path
                + "' claims "
                + raw
                + " bytes (limit "
                + Format.MAX_BLOCK_SIZE
                + ")",
            path);
      }
      int codec = in.readU8();
      long stored = in.readU32();
      if (stored < 1 || stored > MAX_STORED_BLOCK) {
        throw new CorruptBackupException(
            "archive of backup "
                + id
                + ": stored block of '"
                + path
                + "' has "
                + stored
                + " bytes (limit "
                + MAX_STORED_BLOCK
                + ")",
            path);
      }
      byte[] data = in.readBytes((int) stored);
      byte[] plain = decompressor.decompress(codec, data, (int) stored, (int) raw);
      if (plain == null) {
        throw new CorruptBackupException(
            "archive of backup "
                + id
                + ": block of '"
                + path
                + "' does not decode to its declared "
                + raw
                + " bytes",
            path);
      }
      if (expectedSize >= 0 && hasher.bytes() + plain.length > expectedSize) {
        throw new CorruptBackupException(
            "size mismatch for '"
                + path
                + "' in backup "
                + id
                + ": the manifest says "
                + expectedSize
                + " bytes, the archive holds at least "
                + (hasher.bytes() + plain.length),
            path);
      }
      hasher.update(plain, 0, plain.length);
      sink.accept(plain);
    }
    if (expectedSize >= 0 && hasher.bytes() != expectedSize) {
      throw new CorruptBackupException(
          "size mismatch for '"
              + path
              + "' in backup "
              + id
              + ": the manifest says "
              + expectedSize
              + " bytes, the archive holds "
              + hasher.bytes(),
          path);
    }
    byte[] stored = in.readBytes(32);
    byte[] computed = hasher.finish();
    if (!MessageDigest.isEqual(stored, computed)) {
      throw new CorruptBackupException(
          "sha256 mismatch for '"
              + path
              + "' in backup "
              + id
              + ": stored "
              + FileHasher.hex(stored)
              + ", computed "
              + FileHasher.hex(computed),
          path);
    }
    return new Record(Format.REC_FILE, path, offset, hasher.bytes(), computed);
  }

  private String readPath() throws IOException {
    int len = in.readU16();
    if (len < 1 || len > Format.MAX_PATH_BYTES) {
      throw in.corrupt("path length " + len + " outside 1.." + Format.MAX_PATH_BYTES);
    }
    byte[] b = in.readBytes(len);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw in.corrupt("path is not valid UTF-8");
    }
  }

  @Override
  public void close() throws IOException {
    in.cancelReadAhead();
    decompressor.close();
    ch.close();
  }
}
