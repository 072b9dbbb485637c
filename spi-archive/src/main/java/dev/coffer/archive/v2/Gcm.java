package dev.coffer.archive.v2;

import dev.coffer.archive.SecretBytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM (the JDK's SunJCE), one {@code doFinal} per message. Not thread-safe: one per thread.
 */
final class Gcm {

  private final SecretKeySpec key;
  private final Cipher cipher;

  Gcm(SecretBytes key) {
    this.key = new SecretKeySpec(key.bytes(), "AES");
    try {
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is not available", e);
    }
  }

  /** The nonce 0x00000000 || {@code counter} (8 bytes, big-endian). */
  static byte[] counterNonce(long counter) {
    return ByteBuffer.allocate(V2Format.NONCE_BYTES).putInt(0).putLong(counter).array();
  }

  /**
   * Encrypts {@code in[off, off+len)} into {@code out} at {@code outOff}; returns the bytes
   * written.
   */
  int seal(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(in, off, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM sealing failed", e);
    }
  }

  /** Encrypts {@code in} and returns ciphertext || tag. */
  byte[] seal(byte[] nonce, byte[] aad, byte[] in) {
    byte[] out = new byte[in.length + V2Format.TAG_BYTES];
    seal(nonce, aad, in, 0, in.length, out, 0);
    return out;
  }

  /**
   * Decrypts ciphertext || tag; no plaintext is returned before the tag verified.
   *
   * @return the plaintext, or null when authentication fails
   */
  byte[] open(byte[] nonce, byte[] aad, byte[] in, int off, int len) {
    if (len < V2Format.TAG_BYTES) {
      return null;
    }
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(in, off, len);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM opening failed", e);
    }
  }
}
