package dev.coffer.archive.v2;

import dev.coffer.archive.Hkdf;
import dev.coffer.archive.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * The per-purpose keys of one version-2 archive, derived from its data key DK: {@code K(purpose) =
 * HKDF-Expand(HKDF-Extract(archive salt, DK), "coffer-archive-v2 " || purpose || 0x00 || archive
 * id, 32)}. Never printed; not thread-safe to {@link #destroy()} while in use.
 */
public final class V2Keys {

  final SecretBytes block;
  final SecretBytes manifest;
  final SecretBytes blockId;
  private final byte[] commitment;
  private final UUID archiveId;

  private V2Keys(
      UUID archiveId,
      SecretBytes block,
      SecretBytes manifest,
      SecretBytes blockId,
      byte[] commitment) {
    this.archiveId = archiveId;
    this.block = block;
    this.manifest = manifest;
    this.blockId = blockId;
    this.commitment = commitment;
  }

  /**
   * A fresh data key: 32 bytes from {@code random}, never stored in clear and never derived from a
   * password.
   *
   * @param random the source of randomness (a {@link SecureRandom} in production)
   * @return the new data key
   */
  public static SecretBytes newDataKey(SecureRandom random) {
    byte[] dk = new byte[V2Format.KEY_BYTES];
    random.nextBytes(dk);
    try {
      return new SecretBytes(dk);
    } finally {
      Arrays.fill(dk, (byte) 0);
    }
  }

  /**
   * Derives the keys of archive {@code archiveId}.
   *
   * @param dataKey the archive's 32-byte data key
   * @param archiveSalt the archive's 32-byte salt
   * @param archiveId the archive id
   * @return the derived keys
   * @throws IllegalArgumentException if a length is wrong
   */
  public static V2Keys derive(SecretBytes dataKey, byte[] archiveSalt, UUID archiveId) {
    Objects.requireNonNull(archiveId, "archiveId");
    if (dataKey.length() != V2Format.KEY_BYTES || archiveSalt.length != V2Format.SALT_BYTES) {
      throw new IllegalArgumentException("a data key and an archive salt have 32 bytes each");
    }
    byte[] prk = Hkdf.extract(archiveSalt, dataKey.bytes());
    try {
      return new V2Keys(
          archiveId,
          secret(prk, "block", archiveId),
          secret(prk, "manifest", archiveId),
          secret(prk, "block-id", archiveId),
          Hkdf.expand(prk, info("commitment", archiveId), V2Format.KEY_BYTES));
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  private static SecretBytes secret(byte[] prk, String purpose, UUID archiveId) {
    byte[] k = Hkdf.expand(prk, info(purpose, archiveId), V2Format.KEY_BYTES);
    try {
      return new SecretBytes(k);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  static byte[] info(String purpose, UUID archiveId) {
    byte[] label = ("coffer-archive-v2 " + purpose).getBytes(StandardCharsets.US_ASCII);
    // the zero byte ends the label, so no purpose is a prefix of another's input
    return ByteBuffer.allocate(label.length + 1 + 16)
        .put(label)
        .put((byte) 0)
        .put(Ids.bytes(archiveId))
        .array();
  }

  /**
   * The archive these keys belong to.
   *
   * @return the archive id
   */
  public UUID archiveId() {
    return archiveId;
  }

  /**
   * The key commitment K("commitment"), stored in clear in the commit object ({@link
   * CommitStatement}): a data key unwrapped from a forged slot gives another value and is refused
   * before anything is decrypted.
   *
   * @return a copy of the 32-byte commitment
   */
  public byte[] commitment() {
    return commitment.clone();
  }

  /** Constant-time comparison with a stored commitment. */
  boolean commitsTo(byte[] stored) {
    return MessageDigest.isEqual(commitment, stored);
  }

  /** Overwrites the derived keys (best effort). */
  public void destroy() {
    block.destroy();
    manifest.destroy();
    blockId.destroy();
    Arrays.fill(commitment, (byte) 0);
  }

  @Override
  public String toString() {
    return "V2Keys[" + archiveId + ", redacted]";
  }
}
