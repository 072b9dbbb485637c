package dev.coffer.archive;

import java.util.Arrays;

/**
 * Secret key material (a master key, a derived key or a passphrase). Never a record: {@link #toString()} is
 * redacted and there is no {@code equals}/{@code hashCode}. Public only so that the module's other
 * packages (the {@code aedb} reader) hold keys the same way; the module exports neither package.
 */
public final class SecretBytes {

  private final byte[] bytes;

  /**
   * Holds a copy of {@code bytes}; the caller may wipe its array.
   *
   * @param bytes the secret
   */
  public SecretBytes(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  /**
   * The bytes themselves (not a copy): callers must not modify or leak them.
   *
   * @return the secret's bytes
   */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * The secret's length.
   *
   * @return its length in bytes
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
