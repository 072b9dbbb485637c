package dev.coffer.archive;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF-SHA256 (RFC 5869) over the JDK's {@code HmacSHA256}: the JDK 17 has no KDF API. */
public final class Hkdf {

  private static final int HASH_LEN = 32;

  private Hkdf() {}

  /**
   * HKDF-Extract: a pseudorandom key from input keying material and a salt (empty salt = 32 zeros).
   *
   * @param salt the salt (null or empty: 32 zero bytes)
   * @param ikm the input keying material
   * @return the 32-byte pseudorandom key
   */
  public static byte[] extract(byte[] salt, byte[] ikm) {
    byte[] s = salt == null || salt.length == 0 ? new byte[HASH_LEN] : salt;
    Mac mac = hmac(s);
    return mac.doFinal(ikm);
  }

  /**
   * HKDF-Expand: {@code length} bytes of output keying material.
   *
   * @param prk the pseudorandom key from {@link #extract}
   * @param info the context and application specific information
   * @param length the output length, 1 to 8160 bytes
   * @return the output keying material
   * @throws IllegalArgumentException if {@code length} is out of range
   */
  public static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_LEN) {
      throw new IllegalArgumentException("HKDF output length out of range: " + length);
    }
    Mac mac = hmac(prk);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(HASH_LEN, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    Arrays.fill(t, (byte) 0);
    return out;
  }

  static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("unusable HMAC key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
