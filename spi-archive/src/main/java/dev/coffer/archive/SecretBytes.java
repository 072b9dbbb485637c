package dev.coffer.archive;

import java.util.Arrays;

/**
 * Secret key material (a master key, a derived key or a passphrase). Never a record: {@link #toString()} is
 * redacted, there is no {@code equals}/{@code hashCode}, and the bytes are reachable only inside the package.
 */
final class SecretBytes {

  private final byte[] bytes;

  SecretBytes(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  /** The bytes themselves (not a copy): callers must not modify or leak them. */
  byte[] bytes() {
    return bytes;
  }

  int length() {
    return bytes.length;
  }

  /** Overwrites the bytes (best effort; the JVM may have copied them). */
  void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes, redacted]";
  }
}
