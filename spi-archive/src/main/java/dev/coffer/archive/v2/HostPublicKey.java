package dev.coffer.archive.v2;

import java.util.Arrays;

/**
 * The public half of a host's Ed25519 signing key: a restorer who trusts it knows which host wrote
 * a backup. Text form {@code coffer-ed25519-public:<base64 of 32 bytes>}. A value: equal when the
 * keys are equal.
 */
public final class HostPublicKey {

  private final byte[] key;

  HostPublicKey(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
    }
    this.key = key.clone();
  }

  /**
   * Parses a host public key.
   *
   * @param text {@code coffer-ed25519-public:<base64>}, surrounding whitespace ignored
   * @return the key
   * @throws IllegalArgumentException if the text is not a host public key
   */
  public static HostPublicKey parse(String text) {
    return new HostPublicKey(KeyText.parse(KeyText.ED25519_PUBLIC, text));
  }

  byte[] bytes() {
    return key.clone();
  }

  boolean verify(byte[] message, byte[] signature) {
    return Ed25519.verify(key, message, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostPublicKey k && Arrays.equals(key, k.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  /**
   * The key's text form, safe to print and share.
   *
   * @return {@code coffer-ed25519-public:<base64>}
   */
  @Override
  public String toString() {
    return KeyText.format(KeyText.ED25519_PUBLIC, key);
  }
}
