package dev.coffer.archive;

import dev.coffer.BackupId;
import dev.coffer.CorruptBackupException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The plaintext header of an archive. Everything but the final 32-byte commitment is hashed ({@link
 * #hash()}) into every key derivation and every chunk's associated data, so editing any field
 * changes every key.
 *
 * <pre>
 * magic "COFFERAR" (8) | version u16 | mode u8 | kdf u8 | argon2 m u32 | t u32 | p u32 | argon2 salt (32)
 * | archive salt (32) | chunk size u32 | id length u8 | id (ASCII) | commitment (32)
 * </pre>
 */
final class ArchiveHeader {

  static final int FIXED_PREFIX = 8 + 2 + 1 + 1 + 4 + 4 + 4 + 32 + 32 + 4 + 1;
  static final int COMMITMENT_LENGTH = 32;

  final Mode mode;
  final int kdf;
  final Argon2Params argon2; // null unless kdf == KDF_ARGON2ID
  final byte[] argon2Salt;
  final byte[] archiveSalt;
  final int chunkSize;
  final String backupId;
  private final byte[] body; // everything before the commitment
  private final byte[] hash;

  ArchiveHeader(
      Mode mode,
      Argon2Params argon2,
      byte[] argon2Salt,
      byte[] archiveSalt,
      int chunkSize,
      String backupId) {
    this.mode = mode;
    this.kdf = argon2 == null ? Format.KDF_NONE : Format.KDF_ARGON2ID;
    this.argon2 = argon2;
    this.argon2Salt = argon2 == null ? new byte[32] : argon2Salt.clone();
    this.archiveSalt = archiveSalt.clone();
    this.chunkSize = chunkSize;
    this.backupId = backupId;
    byte[] id = backupId.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(FIXED_PREFIX + id.length);
    b.put(Format.MAGIC).putShort((short) Format.VERSION).put((byte) mode.code).put((byte) kdf);
    b.putInt(argon2 == null ? 0 : argon2.memoryKib());
    b.putInt(argon2 == null ? 0 : argon2.iterations());
    b.putInt(argon2 == null ? 0 : argon2.parallelism());
    b.put(this.argon2Salt).put(this.archiveSalt).putInt(chunkSize).put((byte) id.length).put(id);
    this.body = b.array();
    this.hash = sha256(body);
  }

  /** Length of the encoded header including the commitment. */
  int length() {
    return body.length + COMMITMENT_LENGTH;
  }

  /** SHA-256 of the header without its commitment. */
  byte[] hash() {
    return hash.clone();
  }

  byte[] encode(byte[] commitment) {
    byte[] out = Arrays.copyOf(body, body.length + COMMITMENT_LENGTH);
    System.arraycopy(commitment, 0, out, body.length, COMMITMENT_LENGTH);
    return out;
  }

  /** A header read from an archive, with the commitment it carries. */
  record Read(ArchiveHeader header, byte[] commitment) {}

  /**
   * Reads and bounds-checks a header at the start of {@code ch}.
   *
   * @param expectedId the id the archive's file name claims
   */
  static Read read(SeekableByteChannel ch, String expectedId) throws IOException {
    ByteBuffer prefix = ByteBuffer.allocate(FIXED_PREFIX);
    readFully(ch, prefix, 0, expectedId);
    prefix.flip();
    byte[] magic = new byte[8];
    prefix.get(magic);
    if (!Arrays.equals(magic, Format.MAGIC)) {
      throw corrupt(expectedId, "not a Coffer archive (bad magic)");
    }
    int version = Short.toUnsignedInt(prefix.getShort());
    if (version != Format.VERSION) {
      throw corrupt(expectedId, "unsupported archive format version " + version);
    }
    int modeCode = Byte.toUnsignedInt(prefix.get());
    Mode mode = Mode.ofCode(modeCode);
    if (mode == null) {
      throw corrupt(expectedId, "unknown protection mode " + modeCode);
    }
    int kdf = Byte.toUnsignedInt(prefix.get());
    long m = Integer.toUnsignedLong(prefix.getInt());
    long t = Integer.toUnsignedLong(prefix.getInt());
    long p = Integer.toUnsignedLong(prefix.getInt());
    byte[] argonSalt = new byte[32];
    prefix.get(argonSalt);
    Argon2Params argon2 = null;
    if (kdf == Format.KDF_NONE) {
      if (m != 0 || t != 0 || p != 0 || !Arrays.equals(argonSalt, new byte[32])) {
        throw corrupt(expectedId, "KDF parameters present without a KDF");
      }
    } else if (kdf == Format.KDF_ARGON2ID) {
      if (mode == Mode.PLAIN) {
        throw corrupt(expectedId, "plain archive with a passphrase KDF");
      }
      String problem = Argon2Params.problem(m, t, p);
      if (!problem.isEmpty()) {
        throw corrupt(expectedId, "refusing header: " + problem);
      }
      argon2 = new Argon2Params((int) m, (int) t, (int) p);
    } else {
      throw corrupt(expectedId, "unknown KDF " + kdf);
    }
    byte[] archiveSalt = new byte[32];
    prefix.get(archiveSalt);
    long chunkSize = Integer.toUnsignedLong(prefix.getInt());
    if (chunkSize < Format.MIN_CHUNK_SIZE
        || chunkSize > Format.MAX_CHUNK_SIZE
        || Long.bitCount(chunkSize) != 1) {
      throw corrupt(
          expectedId,
          "chunk size "
              + chunkSize
              + " is not a power of two in "
              + Format.MIN_CHUNK_SIZE
              + ".."
              + Format.MAX_CHUNK_SIZE);
    }
    int idLength = Byte.toUnsignedInt(prefix.get());
    if (idLength < 1 || idLength > 128) {
      throw corrupt(expectedId, "backup id length " + idLength + " outside 1..128");
    }
    ByteBuffer rest = ByteBuffer.allocate(idLength + COMMITMENT_LENGTH);
    readFully(ch, rest, FIXED_PREFIX, expectedId);
    rest.flip();
    byte[] idBytes = new byte[idLength];
    rest.get(idBytes);
    String id = new String(idBytes, StandardCharsets.US_ASCII);
    if (!BackupId.isValid(id) || !id.equals(expectedId)) {
      throw corrupt(
          expectedId,
          "header names backup '"
              + (BackupId.isValid(id) ? id : "(malformed)")
              + "', not the archive's own id");
    }
    byte[] commitment = new byte[COMMITMENT_LENGTH];
    rest.get(commitment);
    ArchiveHeader h = new ArchiveHeader(mode, argon2, argonSalt, archiveSalt, (int) chunkSize, id);
    return new Read(h, commitment);
  }

  private static void readFully(SeekableByteChannel ch, ByteBuffer buf, long position, String id)
      throws IOException {
    ch.position(position);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new CorruptBackupException(
            "archive of backup " + id + " is truncated inside its header",
            null,
            new EOFException());
      }
    }
  }

  static CorruptBackupException corrupt(String id, String what) {
    return new CorruptBackupException("archive of backup " + id + ": " + what, null);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
