package dev.coffer.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seal and open of one {@code size}-byte chunk per operation (one {@code doFinal}), per cipher.
 * MB/s = ops/s x size / 10^6. Warmed-up figures: a short-lived process sees less (see
 * docs/benchmarks.md on the AES-GCM warm-up cliff).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class AeadBenchmark {

  /** The cipher under test. */
  @Param public AeadKind kind;

  /** Plaintext bytes per doFinal: 64 KiB (the archive provider's chunk) and 1 MiB. */
  @Param({"65536", "1048576"})
  public int size;

  private Aead aead;
  private byte[] plain;
  private final byte[][] sealed = new byte[2][];
  private final byte[][] openNonces = new byte[2][12];
  private byte[] out;
  private final byte[] sealNonce = new byte[12];
  private int sealedLength;
  private long counter;

  /**
   * Makes random plaintext and seals it twice, under two nonces, for open() to alternate between:
   * the JDK's ChaCha20 refuses to re-initialise with the nonce of its previous initialisation.
   */
  @Setup
  public void setUp() {
    aead = kind.create();
    plain = new byte[size];
    new SplittableRandom(7).nextBytes(plain);
    out = new byte[size + Aead.TAG_BYTES];
    for (int i = 0; i < 2; i++) {
      sealed[i] = new byte[size + Aead.TAG_BYTES];
      openNonces[i][0] = (byte) 0xFF; // nonces seal() never produces
      openNonces[i][1] = (byte) i;
      sealedLength = kind.create().seal(openNonces[i], plain, size, sealed[i]);
    }
  }

  /** Seals the chunk under a fresh nonce; returns the sealed length. */
  @Benchmark
  public int seal() {
    long n = ++counter;
    for (int i = 0; i < 8; i++) {
      sealNonce[11 - i] = (byte) (n >>> (8 * i));
    }
    return aead.seal(sealNonce, plain, size, out);
  }

  /** Authenticates and decrypts a chunk sealed in setup; returns the plaintext length. */
  @Benchmark
  public int open() {
    int i = (int) (++counter & 1);
    return aead.open(openNonces[i], sealed[i], sealedLength, out);
  }
}
