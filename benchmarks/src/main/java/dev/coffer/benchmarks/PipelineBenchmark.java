package dev.coffer.benchmarks;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The archive block pipeline ({@link BlockPipeline}: SHA-256 + zstd-3 + AES-256-GCM in 64 KiB
 * chunks) over one 1 MiB block per operation, and its reverse. Run with {@code -t 2} for the
 * two-core figure (JMH sums the threads' throughput; each thread owns its stages, as the provider's
 * workers do) and compare with {@code CodecBenchmark.compress} at level 3 with {@code -t 1}. MB/s
 * (of plaintext) = ops/s x size / 10^6.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PipelineBenchmark {

  /** The kind of data in the block. */
  @Param public DataKind data;

  /** Plaintext bytes per block. */
  @Param({"1048576"})
  public int size;

  /** zstd level of the pipeline. */
  @Param({"3"})
  public int level;

  private BlockPipeline pipeline;
  private byte[] block;
  private byte[] sealed;
  private int sealedLength;
  private byte[] out;
  private byte[] opened;

  /** Builds the block and seals it once (chunk nonces from 1) for open(). */
  @Setup
  public void setUp() {
    block = data.generate(size);
    sealed = new byte[BlockPipeline.maxSealedBytes(size)];
    out = new byte[sealed.length];
    opened = new byte[size];
    try (BlockPipeline sealer = new BlockPipeline(size, level)) {
      sealedLength = sealer.seal(block, size, sealed);
    }
    pipeline = new BlockPipeline(size, level);
  }

  /** Releases the native contexts. */
  @TearDown
  public void tearDown() {
    pipeline.close();
  }

  /** Hash, compress and seal one block; returns the sealed length. */
  @Benchmark
  public int seal() {
    return pipeline.seal(block, size, out);
  }

  /**
   * The compress stage alone, same context and block: with {@code -t 1} it is the single-threaded
   * zstd baseline the two-core target is measured against, taken in the same suite as seal.
   */
  @Benchmark
  public int compressOnly() {
    return pipeline.compressOnly(block, size);
  }

  /** Open, decompress and hash-check one block; returns the block length. */
  @Benchmark
  public int open() {
    return pipeline.open(sealed, sealedLength, 0, opened, size);
  }
}
