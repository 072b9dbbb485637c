package dev.coffer.benchmarks;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** The authenticated ciphers compared, each a small adapter with one {@code doFinal} per call. */
public enum AeadKind {
  /** AES-256-GCM from the JDK (SunJCE, AES-NI and CLMUL intrinsics). */
  AES_GCM_JDK {
    @Override
    Aead create() {
      return new JdkAead("AES/GCM/NoPadding", "AES", true);
    }
  },
  /** AES-256-GCM from Bouncy Castle's {@code GCMBlockCipher} (pure Java). */
  AES_GCM_BC {
    @Override
    Aead create() {
      return new BcGcmAead();
    }
  },
  /** ChaCha20-Poly1305 from the JDK (SunJCE). */
  CHACHA20_POLY1305_JDK {
    @Override
    Aead create() {
      return new JdkAead("ChaCha20-Poly1305", "ChaCha20", false);
    }
  };

  /** The fixed benchmark key (never use a constant key for real data). */
  static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i * 7 + 1);
    }
  }

  /** Returns a new cipher of this kind, for one thread. */
  abstract Aead create();

  private static final class JdkAead implements Aead {
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final boolean gcm;

    JdkAead(String transformation, String keyAlgorithm, boolean gcm) {
      try {
        this.cipher = Cipher.getInstance(transformation);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(transformation + " unavailable", e);
      }
      this.key = new SecretKeySpec(KEY, keyAlgorithm);
      this.gcm = gcm;
    }

    @Override
    public int seal(byte[] nonce, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
      return run(Cipher.ENCRYPT_MODE, nonce, in, inOffset, length, out, outOffset);
    }

    @Override
    public int open(byte[] nonce, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
      return run(Cipher.DECRYPT_MODE, nonce, in, inOffset, length, out, outOffset);
    }

    private int run(
        int mode, byte[] nonce, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
      try {
        cipher.init(mode, key, gcm ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce));
        return cipher.doFinal(in, inOffset, length, out, outOffset);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("authentication or cipher failure", e);
      }
    }
  }

  private static final class BcGcmAead implements Aead {
    private final GCMModeCipher cipher = GCMBlockCipher.newInstance(AESEngine.newInstance());
    private final KeyParameter key = new KeyParameter(KEY);

    @Override
    public int seal(byte[] nonce, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
      return run(true, nonce, in, inOffset, length, out, outOffset);
    }

    @Override
    public int open(byte[] nonce, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
      return run(false, nonce, in, inOffset, length, out, outOffset);
    }

    private int run(
        boolean encrypt,
        byte[] nonce,
        byte[] in,
        int inOffset,
        int length,
        byte[] out,
        int outOffset) {
      cipher.init(encrypt, new AEADParameters(key, 128, Arrays.copyOf(nonce, nonce.length)));
      int n = cipher.processBytes(in, inOffset, length, out, outOffset);
      try {
        return n + cipher.doFinal(out, outOffset + n);
      } catch (InvalidCipherTextException e) {
        throw new IllegalStateException("authentication failure", e);
      }
    }
  }
}
