package dev.coffer.archive.v2;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * An X25519 recipient: the public key a backing-up host wraps each archive's data key to. Its text
 * form is {@code coffer-x25519-public:<base64 of the 32-byte key>}. A value: equal when the keys
 * are equal.
 */
public final class X25519Recipient {

  private final byte[] publicKey;

  X25519Recipient(byte[] publicKey) {
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("an X25519 public key has 32 bytes");
    }
    this.publicKey = publicKey.clone();
  }

  /**
   * Parses a recipient string.
   *
   * @param text {@code coffer-x25519-public:<base64>}, surrounding whitespace ignored
   * @return the recipient
   * @throws IllegalArgumentException if the text is not a recipient string
   */
  public static X25519Recipient parse(String text) {
    return new X25519Recipient(KeyText.parse(KeyText.X25519_PUBLIC, text));
  }

  byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * The slot fingerprint: SHA-256("coffer-v2 x25519 recipient" || 0x00 || public key), first 16
   * bytes.
   */
  byte[] fingerprint() {
    var md = BlockTable.sha256();
    md.update("coffer-v2 x25519 recipient".getBytes(StandardCharsets.US_ASCII));
    md.update((byte) 0);
    md.update(publicKey);
    return Arrays.copyOf(md.digest(), KeySlot.FINGERPRINT_BYTES);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof X25519Recipient r && Arrays.equals(publicKey, r.publicKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey);
  }

  /**
   * The recipient string, safe to print and share.
   *
   * @return {@code coffer-x25519-public:<base64>}
   */
  @Override
  public String toString() {
    return KeyText.X25519_PUBLIC + ":" + Base64.getEncoder().encodeToString(publicKey);
  }
}
