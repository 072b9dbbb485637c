package dev.coffer.benchmarks;

import java.nio.ByteBuffer;
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
 * Throughput of each {@link ChecksumKind} over one buffer of {@code size} random bytes per
 * operation, held in a heap array or a direct buffer. MB/s = ops/s x size / 10^6 (done by plot.py).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ChecksumBenchmark {

  /** The checksum or digest under test. */
  @Param public ChecksumKind kind;

  /** Bytes per operation: 4 KiB, 64 KiB, 1 MiB. */
  @Param({"4096", "65536", "1048576"})
  public int size;

  /** Heap array or direct buffer input. */
  @Param public BufferKind buffer;

  private Checksummer checksummer;
  private byte[] heap;
  private ByteBuffer direct;

  /** Fills the input with random bytes (checksum speed does not depend on content). */
  @Setup
  public void setUp() {
    checksummer = kind.create();
    heap = new byte[size];
    new SplittableRandom(42).nextBytes(heap);
    direct = ByteBuffer.allocateDirect(size);
    direct.put(heap).flip();
  }

  /** One checksum of the whole buffer; the value is returned so it cannot be optimised away. */
  @Benchmark
  public long checksum() {
    return buffer == BufferKind.HEAP ? checksummer.checksum(heap) : checksummer.checksum(direct);
  }
}
