package dev.coffer.archive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The per-archive keys, derived with HKDF-SHA256 from the master key: salt = the header's archive
 * salt, info = a purpose label || SHA-256 of the header (without commitment). A different archive
 * (salt) or any edited header field gives unrelated keys. Never printed.
 */
final class ArchiveKeys {

  /** The master key of PLAIN archives: public, so PLAIN tags are checksums, not authentication. */
  static final SecretBytes PLAIN_MASTER_KEY = new SecretBytes(new byte[32]);

  final SecretBytes encryption;
  final SecretBytes chunkMac;
  final SecretBytes manifestMac;
  private final byte[] commitment;

  private ArchiveKeys(
      SecretBytes encryption, SecretBytes chunkMac, SecretBytes manifestMac, byte[] commitment) {
    this.encryption = encryption;
    this.chunkMac = chunkMac;
    this.manifestMac = manifestMac;
    this.commitment = commitment;
  }

  static ArchiveKeys derive(SecretBytes master, ArchiveHeader header) {
    byte[] prk = Hkdf.extract(header.archiveSalt, master.bytes());
    byte[] hash = header.hash();
    try {
      return new ArchiveKeys(
          new SecretBytes(Hkdf.expand(prk, info("encryption", hash), 32)),
          new SecretBytes(Hkdf.expand(prk, info("chunk-mac", hash), 32)),
          new SecretBytes(Hkdf.expand(prk, info("manifest-mac", hash), 32)),
          Hkdf.expand(prk, info("commitment", hash), 32));
    } finally {
      java.util.Arrays.fill(prk, (byte) 0);
    }
  }

  private static byte[] info(String purpose, byte[] headerHash) {
    byte[] label = ("coffer-archive-v1 " + purpose).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[label.length + 1 + headerHash.length];
    System.arraycopy(label, 0, out, 0, label.length);
    // a zero byte separates the label from the hash, so no label is a prefix of another's input
    System.arraycopy(headerHash, 0, out, label.length + 1, headerHash.length);
    return out;
  }

  /** The key-commitment value stored in the header. */
  byte[] commitment() {
    return commitment.clone();
  }

  /** Constant-time comparison with a stored commitment. */
  boolean commitsTo(byte[] stored) {
    return MessageDigest.isEqual(commitment, stored);
  }

  @Override
  public String toString() {
    return "ArchiveKeys[redacted]";
  }
}
