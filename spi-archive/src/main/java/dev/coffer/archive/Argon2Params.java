package dev.coffer.archive;

import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id parameters as stored in an archive header, with the bounds a reader enforces before
 * running the function (so a hostile header cannot make a reader allocate a terabyte or loop for
 * hours).
 *
 * @param memoryKib memory in KiB
 * @param iterations passes over memory
 * @param parallelism lanes
 */
record Argon2Params(int memoryKib, int iterations, int parallelism) {

  /** RFC 9106, section 4, second recommended option: 64 MiB, 3 passes, 4 lanes. */
  static final Argon2Params RFC9106_SECOND = new Argon2Params(64 * 1024, 3, 4);

  static final int MAX_MEMORY_KIB = 1024 * 1024;
  static final int MAX_ITERATIONS = 10;
  static final int MAX_PARALLELISM = 16;

  /** The bound check; empty when acceptable, otherwise what is wrong. */
  static String problem(long memoryKib, long iterations, long parallelism) {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      return "Argon2 parallelism " + parallelism + " outside 1.." + MAX_PARALLELISM;
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      return "Argon2 iterations " + iterations + " outside 1.." + MAX_ITERATIONS;
    }
    if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
      return "Argon2 memory "
          + memoryKib
          + " KiB outside "
          + (8 * parallelism)
          + ".."
          + MAX_MEMORY_KIB;
    }
    return "";
  }

  Argon2Params {
    String p = problem(memoryKib, iterations, parallelism);
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(p);
    }
  }

  /** Runs Argon2id (version 0x13) over the passphrase; 32 bytes out. */
  SecretBytes derive(SecretBytes passphrase, byte[] salt) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[32];
    gen.generateBytes(passphrase.bytes(), out);
    SecretBytes key = new SecretBytes(out);
    Arrays.fill(out, (byte) 0);
    return key;
  }
}
