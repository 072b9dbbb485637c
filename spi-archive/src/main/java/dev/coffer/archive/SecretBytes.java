package dev.coffer.archive;

import java.util.Arrays;

/**
 * Secret key material (a master key, a derived key or a passphrase). Never a record: {@link
 * #toString()} is redacted, there is no {@code equals}/{@code hashCode}, and the bytes are
 * reachable only inside this non-exported module.
 */
public final class SecretBytes {

  private final byte[] bytes;

  /**
   * Holds a copy of {@code bytes}; the caller should overwrite its own array when done.
   *
   * @param bytes the secret (copied)
   */
  public SecretBytes(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  /**
   * The bytes themselves (not a copy): callers must not modify or leak them.
   *
   * @return the secret bytes
   */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * The number of secret bytes.
   *
   * @return the length in bytes
   */
  public int length() {
    return bytes.length;
  }

  /** Overwrites the bytes (best effort; the JVM may have copied them). */
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes, redacted]";
  }
}
