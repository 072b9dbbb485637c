package dev.coffer.archive;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Brings the JDK's AES-GCM to its hardware-accelerated speed before an archive needs it.
 *
 * <p>HotSpot runs SunJCE's GCM through its AES-CTR and GHASH intrinsics only once C2 has compiled
 * the Java methods that call them, after thousands of calls; an archive makes one call per 64 KiB
 * chunk of compressed data, too few to get there. The first encrypted archive read or written
 * beyond a few chunks ({@link ChunkSealer.Gcm#WARM_UP_AFTER_CHUNKS}) therefore starts, once, a
 * background thread that seals and opens {@link #ROUNDS} short messages under a random throw-away
 * key; the archive's own chunks go through the same cipher meanwhile. The figures:
 * docs/benchmarks.md, "The GCM warm-up".
 *
 * <p>No user key, nonce or data is involved. Started through the provider's {@link
 * GcmWarmupSwitch}, so a provider warms up at most once; the system property {@code
 * coffer.archive.gcmWarmup} {@code =false} turns it off.
 */
final class GcmWarmup {

  /** Seal+open pairs: enough for C2 to compile the GCM call chain on JDK 17 and 25. */
  static final int ROUNDS = 12_000;

  private GcmWarmup() {}

  /**
   * Starts the warm-up on a daemon thread of minimum priority (once per {@link GcmWarmupSwitch}).
   */
  static void startThread() {
    Thread t = new Thread(GcmWarmup::run, "coffer-gcm-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /** Runs the warm-up rounds on the calling thread; returns how many round trips matched. */
  static int run() {
    byte[] keyBytes = new byte[32];
    new SecureRandom().nextBytes(keyBytes);
    SecretKeySpec key = new SecretKeySpec(keyBytes, "AES");
    byte[] message = new byte[256];
    byte[] sealed = new byte[message.length + 16];
    byte[] opened = new byte[message.length];
    byte[] aad = new byte[41];
    byte[] nonce = new byte[12];
    int ok = 0;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      for (int i = 0; i < ROUNDS; i++) {
        nonce[8] = (byte) (i >>> 24);
        nonce[9] = (byte) (i >>> 16);
        nonce[10] = (byte) (i >>> 8);
        nonce[11] = (byte) i;
        message[0] = (byte) i;
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        int n = cipher.doFinal(message, 0, message.length, sealed, 0);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        cipher.doFinal(sealed, 0, n, opened, 0);
        if (opened[0] == message[0]) {
          ok++;
        }
      }
    } catch (GeneralSecurityException e) {
      // AES-GCM missing: the archive's own sealer reports that precisely; a warm-up has nothing to
      // add
    }
    java.util.Arrays.fill(keyBytes, (byte) 0);
    return ok;
  }
}
