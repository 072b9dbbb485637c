package dev.coffer.archive.v2;

import dev.coffer.archive.SecretBytes;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An X25519 identity: the private key that opens archives wrapped to its {@link #recipient()}. Its
 * text form (the content of an identity file, to be written owner-only) is {@code
 * coffer-x25519-secret:<base64>}. A secret: {@link #toString()} is redacted, there is no {@code
 * equals}.
 */
public final class X25519Identity {

  private final SecretBytes privateKey;
  private final X25519Recipient recipient;

  private X25519Identity(byte[] privateKey) {
    this.privateKey = new SecretBytes(privateKey);
    this.recipient = new X25519Recipient(X25519.publicKey(privateKey));
  }

  /**
   * A new identity.
   *
   * @param random the source of randomness (a {@link SecureRandom} in production)
   * @return the identity
   */
  public static X25519Identity generate(SecureRandom random) {
    byte[] k = new byte[32];
    random.nextBytes(k);
    try {
      return new X25519Identity(k);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /**
   * Parses the content of an identity file.
   *
   * @param text {@code coffer-x25519-secret:<base64>}, surrounding whitespace ignored
   * @return the identity
   * @throws IllegalArgumentException if the text is not an identity (the message never contains the
   *     text)
   */
  public static X25519Identity parse(String text) {
    byte[] k = KeyText.parse(KeyText.X25519_SECRET, text);
    try {
      return new X25519Identity(k);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /**
   * The identity file's content. A secret: write it to an owner-only file, never print or log it.
   *
   * @return {@code coffer-x25519-secret:<base64>}
   */
  public String secretText() {
    return KeyText.format(KeyText.X25519_SECRET, privateKey.bytes());
  }

  /**
   * The recipient this identity opens.
   *
   * @return its public half
   */
  public X25519Recipient recipient() {
    return recipient;
  }

  byte[] agree(byte[] publicKey) {
    return X25519.agree(privateKey.bytes(), publicKey);
  }

  @Override
  public String toString() {
    return "X25519Identity[" + recipient + ", secret redacted]";
  }
}
