package dev.coffer.archive.aedb;

import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.RelativePaths;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * The layout of aedb's {@code AEDBARC1} archives (written by aedb 0.1.10, the system Coffer
 * replaces; {@code docs/aedb-formats.md}): magic, flags, salt, then entries of type, path length,
 * path, payload length and payload, then an end marker. An encrypted payload is nonce ||
 * AES-256-GCM ciphertext || tag, the nonce derived from the salt, the entry's index and its path.
 */
final class AedbFormat {

  private AedbFormat() {}

  /** The file name suffix of aedb archives. */
  static final String FILE_SUFFIX = ".aedbarc";

  /** aedb's magic bytes. */
  static final byte[] MAGIC = "AEDBARC1".getBytes(StandardCharsets.US_ASCII);

  /** Flag bit: entries are AES-256-GCM encrypted. */
  static final int FLAG_ENCRYPTED = 0x01;

  /** Entry type of a file. */
  static final int ENTRY_FILE = 0x01;

  /** Entry type of the end marker. */
  static final int ENTRY_END = 0xFF;

  /** aedb's longest path, in bytes. */
  static final int MAX_PATH_BYTES = 4096;

  /** aedb's largest payload, in bytes (2 GiB). */
  static final long MAX_PAYLOAD_BYTES = 2L * 1024 * 1024 * 1024;

  /** Size of the archive header: magic, flags, salt. */
  static final int HEADER_BYTES = 8 + 1 + 16;

  /** Nonce bytes at the start of an encrypted payload. */
  static final int NONCE_BYTES = 12;

  /** GCM tag bytes at the end of an encrypted payload. */
  static final int TAG_BYTES = 16;

  /**
   * aedb's nonce: the first 12 bytes of BLAKE3(salt || index as u64 little-endian || path bytes).
   *
   * @param blake3 a digest to reuse
   * @param salt the archive's 16-byte salt
   * @param index the entry index
   * @param path the path's UTF-8 bytes as stored
   * @return the 12-byte nonce
   */
  static byte[] deriveNonce(Blake3Digest blake3, byte[] salt, long index, byte[] path) {
    blake3.reset();
    blake3.update(salt, 0, salt.length);
    byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(index).array();
    blake3.update(le, 0, le.length);
    blake3.update(path, 0, path.length);
    byte[] hash = new byte[32];
    blake3.doFinal(hash, 0);
    return Arrays.copyOf(hash, NONCE_BYTES);
  }

  /** A corruption of the archive, or of one entry of it, stated with the archive's id. */
  static CorruptBackupException corrupt(
      String backupId, String condition, String path, Throwable cause) {
    String subject =
        path == null
            ? "aedb archive " + backupId
            : "entry '" + RelativePaths.printable(path) + "' of aedb archive " + backupId;
    return new CorruptBackupException(subject + " " + condition, path, cause);
  }
}
