package dev.coffer.archive;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The encrypt stage: seals and opens one chunk. The associated data binds the header hash, the
 * chunk index and the final flag (STREAM construction), so chunks cannot be moved, dropped,
 * repeated, cut off or taken from another archive. Not thread-safe: one instance per thread.
 */
abstract class ChunkSealer {

  final byte[] headerHash;

  ChunkSealer(byte[] headerHash) {
    this.headerHash = headerHash.clone();
  }

  /**
   * A sealer for {@code mode} under the archive's keys; a GCM sealer starts {@code warmup} once it
   * is busy.
   */
  static ChunkSealer create(
      Mode mode, ArchiveKeys keys, byte[] headerHash, GcmWarmupSwitch warmup) {
    return mode == Mode.ENCRYPTED
        ? new Gcm(keys.encryption, headerHash, warmup)
        : new Hmac(keys.chunkMac, headerHash);
  }

  /** Length of the tag appended to each chunk. */
  abstract int tagLength();

  /** Seals {@code len} bytes of plaintext; returns ciphertext || tag (or plaintext || MAC). */
  abstract byte[] seal(long index, boolean last, byte[] plain, int len);

  /**
   * Opens one sealed chunk; returns the plaintext only after the tag verified.
   *
   * @return the plaintext, or null when authentication fails
   */
  abstract byte[] open(long index, boolean last, byte[] sealed, int len);

  final byte[] aad(long index, boolean last) {
    return ByteBuffer.allocate(32 + 8 + 1)
        .put(headerHash)
        .putLong(index)
        .put((byte) (last ? 1 : 0))
        .array();
  }

  /** AES-256-GCM (JDK), nonce = 4 zero bytes || big-endian chunk index; one doFinal per chunk. */
  static final class Gcm extends ChunkSealer {
    /**
     * Chunks after which the cipher warm-up starts: a list or show reads a few chunks per archive,
     * which the interpreter handles in milliseconds, and a warm-up would only compete for the
     * cores.
     */
    static final int WARM_UP_AFTER_CHUNKS = 16;

    private final SecretKeySpec key;
    private final Cipher cipher;
    private final GcmWarmupSwitch warmup;
    private int chunks;

    Gcm(SecretBytes key, byte[] headerHash, GcmWarmupSwitch warmup) {
      super(headerHash);
      this.warmup = warmup;
      this.key = new SecretKeySpec(key.bytes(), "AES");
      try {
        this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES/GCM is not available", e);
      }
    }

    @Override
    int tagLength() {
      return 16;
    }

    private static GCMParameterSpec nonce(long index) {
      return new GCMParameterSpec(128, ByteBuffer.allocate(12).putInt(0).putLong(index).array());
    }

    private void count() {
      if (++chunks == WARM_UP_AFTER_CHUNKS) {
        warmup.start();
      }
    }

    @Override
    byte[] seal(long index, boolean last, byte[] plain, int len) {
      count();
      try {
        cipher.init(Cipher.ENCRYPT_MODE, key, nonce(index));
        cipher.updateAAD(aad(index, last));
        return cipher.doFinal(plain, 0, len);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM sealing failed", e);
      }
    }

    @Override
    byte[] open(long index, boolean last, byte[] sealed, int len) {
      count();
      try {
        cipher.init(Cipher.DECRYPT_MODE, key, nonce(index));
        cipher.updateAAD(aad(index, last));
        return cipher.doFinal(sealed, 0, len);
      } catch (AEADBadTagException e) {
        return null;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM opening failed", e);
      }
    }
  }

  /** HMAC-SHA256 over aad || plaintext, appended to the plaintext (SIGNED and PLAIN modes). */
  static final class Hmac extends ChunkSealer {
    private final Mac mac;

    Hmac(SecretBytes key, byte[] headerHash) {
      super(headerHash);
      this.mac = Hkdf.hmac(key.bytes());
    }

    @Override
    int tagLength() {
      return 32;
    }

    private byte[] tag(long index, boolean last, byte[] data, int len) {
      mac.update(aad(index, last));
      mac.update(data, 0, len);
      return mac.doFinal();
    }

    @Override
    byte[] seal(long index, boolean last, byte[] plain, int len) {
      byte[] out = new byte[len + 32];
      System.arraycopy(plain, 0, out, 0, len);
      System.arraycopy(tag(index, last, plain, len), 0, out, len, 32);
      return out;
    }

    @Override
    byte[] open(long index, boolean last, byte[] sealed, int len) {
      if (len < 32) {
        return null;
      }
      int n = len - 32;
      byte[] expected = tag(index, last, sealed, n);
      byte[] stored = java.util.Arrays.copyOfRange(sealed, n, len);
      if (!MessageDigest.isEqual(expected, stored)) {
        return null;
      }
      return java.util.Arrays.copyOf(sealed, n);
    }
  }
}
