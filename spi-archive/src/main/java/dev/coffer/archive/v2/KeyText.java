package dev.coffer.archive.v2;

import java.util.Arrays;
import java.util.Base64;

/**
 * The text form of keys: {@code <prefix>:<base64 of 32 bytes>} (RFC 4648 with padding, 44
 * characters), one line; surrounding whitespace (a trailing newline in a file) is ignored. Parse
 * errors never echo the text, which may be a secret.
 */
final class KeyText {

  static final String X25519_PUBLIC = "coffer-x25519-public";
  static final String X25519_SECRET = "coffer-x25519-secret";
  static final String ED25519_PUBLIC = "coffer-ed25519-public";
  static final String ED25519_SECRET = "coffer-ed25519-secret";

  private KeyText() {}

  static String format(String prefix, byte[] key) {
    return prefix + ":" + Base64.getEncoder().encodeToString(key);
  }

  /** The 32 bytes of {@code text}; the caller owns (and should wipe) them. */
  static byte[] parse(String prefix, String text) {
    String t = text.strip();
    String head = prefix + ":";
    if (!t.startsWith(head) || t.length() != head.length() + 44) {
      throw new IllegalArgumentException(
          "not a " + prefix + " key (expected " + prefix + ":<44 base64 characters>)");
    }
    String body = t.substring(head.length());
    byte[] key;
    try {
      key = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a " + prefix + " key: invalid base64");
    }
    if (key.length != 32 || !Base64.getEncoder().encodeToString(key).equals(body)) {
      Arrays.fill(key, (byte) 0);
      throw new IllegalArgumentException(
          "not a " + prefix + " key: not 32 bytes in canonical base64");
    }
    return key;
  }
}
