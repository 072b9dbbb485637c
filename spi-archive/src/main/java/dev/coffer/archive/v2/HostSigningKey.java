package dev.coffer.archive.v2;

import dev.coffer.archive.SecretBytes;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A host's Ed25519 signing key: it signs each commit it writes, so a restorer knows which host
 * wrote a backup and that nobody holding only public keys forged it. Text form (the content of an
 * owner-only key file) {@code coffer-ed25519-secret:<base64 of the 32-byte seed>}. A secret: {@link
 * #toString()} is redacted.
 */
public final class HostSigningKey {

  private final SecretBytes seed;
  private final HostPublicKey publicKey;

  private HostSigningKey(byte[] seed) {
    this.seed = new SecretBytes(seed);
    this.publicKey = new HostPublicKey(Ed25519.publicKey(seed));
  }

  /**
   * A new signing key.
   *
   * @param random the source of randomness (a {@link SecureRandom} in production)
   * @return the key
   */
  public static HostSigningKey generate(SecureRandom random) {
    byte[] s = new byte[32];
    random.nextBytes(s);
    try {
      return new HostSigningKey(s);
    } finally {
      Arrays.fill(s, (byte) 0);
    }
  }

  /**
   * Parses the content of a signing key file.
   *
   * @param text {@code coffer-ed25519-secret:<base64>}, surrounding whitespace ignored
   * @return the key
   * @throws IllegalArgumentException if the text is not a signing key (the message never contains
   *     the text)
   */
  public static HostSigningKey parse(String text) {
    byte[] s = KeyText.parse(KeyText.ED25519_SECRET, text);
    try {
      return new HostSigningKey(s);
    } finally {
      Arrays.fill(s, (byte) 0);
    }
  }

  /**
   * The key file's content. A secret: write it to an owner-only file, never print or log it.
   *
   * @return {@code coffer-ed25519-secret:<base64>}
   */
  public String secretText() {
    return KeyText.format(KeyText.ED25519_SECRET, seed.bytes());
  }

  /**
   * The public half, to give to restorers.
   *
   * @return the public key
   */
  public HostPublicKey publicKey() {
    return publicKey;
  }

  /**
   * The key of this host's local state for repository {@code repositoryId} ({@link HostState}):
   * HKDF-SHA256 with the repository id as salt, the Ed25519 seed as input and {@code "coffer-v2
   * host-state"} as info, 32 bytes; so a state opens only with this host key, for this repository.
   */
  SecretBytes stateKey(java.util.UUID repositoryId) {
    byte[] prk = dev.coffer.archive.Hkdf.extract(Ids.bytes(repositoryId), seed.bytes());
    byte[] k =
        dev.coffer.archive.Hkdf.expand(
            prk,
            "coffer-v2 host-state".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            V2Format.KEY_BYTES);
    try {
      return new SecretBytes(k);
    } finally {
      Arrays.fill(prk, (byte) 0);
      Arrays.fill(k, (byte) 0);
    }
  }

  byte[] sign(byte[] message) {
    return Ed25519.sign(seed.bytes(), message);
  }

  @Override
  public String toString() {
    return "HostSigningKey[" + publicKey + ", secret redacted]";
  }
}
