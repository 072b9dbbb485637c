package dev.coffer.testkit;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The form a provider documents for a secret key option (hex digits or base64, and how many bytes),
 * declared by a conformance test through {@link BackupProviderConformance#keyForms()} so that the
 * suite can try keys of the wrong length and alphabet (rules P3 and P4: refused at {@code open}
 * with an {@code IllegalArgumentException} that does not echo the key, nothing created or changed).
 * The suite cannot guess the form: a key of 62 hex digits is too short for one provider and fine
 * for another.
 */
public final class KeyForm {

  private final boolean hex;
  private final int minBytes;
  private final int maxBytes;

  private KeyForm(boolean hex, int minBytes, int maxBytes) {
    if (minBytes < 1 || maxBytes < minBytes) {
      throw new IllegalArgumentException(
          "key lengths must be 1 <= min <= max, got " + minBytes + " to " + maxBytes);
    }
    this.hex = hex;
    this.minBytes = minBytes;
    this.maxBytes = maxBytes;
  }

  /**
   * A key of exactly {@code bytes} bytes written as {@code 2 * bytes} hex digits.
   *
   * @param bytes the key's length in bytes
   * @return the form
   * @throws IllegalArgumentException if {@code bytes} is below 1
   */
  public static KeyForm hex(int bytes) {
    return new KeyForm(true, bytes, bytes);
  }

  /**
   * A key of {@code minBytes} to {@code maxBytes} bytes written as hex digits (two per byte).
   *
   * @param minBytes the shortest key accepted, in bytes
   * @param maxBytes the longest key accepted, in bytes
   * @return the form
   * @throws IllegalArgumentException unless {@code 1 <= minBytes <= maxBytes}
   */
  public static KeyForm hex(int minBytes, int maxBytes) {
    return new KeyForm(true, minBytes, maxBytes);
  }

  /**
   * A key of exactly {@code bytes} bytes written in standard base64 (with padding).
   *
   * @param bytes the key's length in bytes
   * @return the form
   * @throws IllegalArgumentException if {@code bytes} is below 1
   */
  public static KeyForm base64(int bytes) {
    return new KeyForm(false, bytes, bytes);
  }

  /**
   * Values the provider must refuse: one byte too short (when that is not empty), one byte too
   * long, and the right length with a character outside the alphabet (and, for hex, an odd number
   * of digits).
   */
  List<String> malformed() {
    List<String> out = new ArrayList<>();
    if (minBytes > 1) {
      out.add(encode(minBytes - 1));
    }
    out.add(encode(maxBytes + 1));
    String right = encode(minBytes);
    out.add(
        right.substring(0, right.length() / 2)
            + (hex ? 'g' : '*')
            + right.substring(right.length() / 2 + 1));
    if (hex) {
      out.add(right + "a");
    }
    return out;
  }

  private String encode(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) (0x5c + 37 * i);
    }
    return hex ? HexFormat.of().formatHex(b) : Base64.getEncoder().encodeToString(b);
  }

  @Override
  public String toString() {
    return (hex ? "hex" : "base64")
        + " key of "
        + (minBytes == maxBytes ? minBytes : minBytes + " to " + maxBytes)
        + " bytes";
  }
}
