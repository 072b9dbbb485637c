package dev.coffer.archive.v2;

import dev.coffer.archive.SecretBytes;
import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;

/** Fixed keys, ids and data for the version-2 tests and known-answer vectors. */
final class V2Fixtures {

  static final UUID REPOSITORY = UUID.fromString("0190a1b2-0000-7000-8000-00000000c0ff");
  static final UUID ARCHIVE = UUID.fromString("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b");
  static final UUID OTHER_ARCHIVE = UUID.fromString("0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c");

  private V2Fixtures() {}

  /** Bytes {@code first, first+1, ...} (mod 256). */
  static byte[] counting(int first, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  static SecretBytes dataKey() {
    return new SecretBytes(counting(0x40, 32));
  }

  static SecretBytes masterKey() {
    return new SecretBytes(counting(0x00, 32));
  }

  static byte[] salt() {
    return counting(0x80, 32);
  }

  static V2Keys keys() {
    return V2Keys.derive(dataKey(), salt(), ARCHIVE);
  }

  /** Database-like bytes: compressible pages with a little noise. */
  static byte[] pages(int n, long seed) {
    byte[] b = new byte[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      b[i] = (i % 64 == 0) ? (byte) r.nextInt() : (byte) (i / 512);
    }
    return b;
  }

  static byte[] noise(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A deterministic "SecureRandom" for reproducible vectors; never used outside tests. */
  @SuppressWarnings("serial")
  static SecureRandom fixedRandom(long seed) {
    Random r = new Random(seed);
    return new SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        r.nextBytes(bytes);
      }
    };
  }
}
