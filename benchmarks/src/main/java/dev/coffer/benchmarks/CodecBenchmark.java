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
 * zstd-jni compression and decompression of one {@code size}-byte block per operation, by level,
 * API and kind of data. MB/s (of uncompressed bytes) = ops/s x size / 10^6. Compression ratios are
 * printed by {@link CompressionRatios}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CodecBenchmark {

  /** zstd level: 1, 3 (the archive provider's default), 9, and 19 for the record. */
  @Param({"1", "3", "9", "19"})
  public int level;

  /** The zstd-jni API used. */
  @Param public ZstdApi api;

  /** The kind of data compressed. */
  @Param public DataKind data;

  /** Uncompressed bytes per operation (the archive provider's block size is 1 MiB). */
  @Param({"1048576"})
  public int size;

  private ZstdApi.ZstdCodec codec;

  /** Builds the input and compresses it once, so decompress() has a frame to work on. */
  @Setup
  public void setUp() {
    codec = api.create(data.generate(size), level);
    codec.compress();
  }

  /** Releases the native contexts. */
  @TearDown
  public void tearDown() {
    codec.close();
  }

  /** Compresses the block; returns the frame length. */
  @Benchmark
  public int compress() {
    return codec.compress();
  }

  /** Decompresses the frame made in setup; returns the decompressed length. */
  @Benchmark
  public int decompress() {
    return codec.decompress();
  }
}
