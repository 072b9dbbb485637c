package dev.coffer.benchmarks;

import dev.coffer.archive.WriterPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The archive provider's real block pipeline ({@link WriterPath} drives its {@code ArchiveWriter}):
 * one encrypted archive of a 16 MiB file per operation, SHA-256 of the file on the calling thread,
 * zstd and AES-256-GCM on a pool of {@code threads}, output in order and dropped. Run with JMH's
 * {@code -t 1}: the parallelism is the writer's own. MB/s = ops/s x 16.777216. The two-core target
 * compares {@code threads=2} with {@link PipelineBenchmark#compressOnly} (zstd-3 alone, one thread,
 * same data).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ArchiveWriterBenchmark {

  /** Bytes of the file in one archive. */
  public static final int FILE_BYTES = 16 << 20;

  /** The kind of data in the file. */
  @Param public DataKind data;

  /** Pool threads of the writer. */
  @Param({"1", "2"})
  public int threads;

  private WriterPath writer;
  private ByteBuffer file;

  /**
   * Generates the file (1 MiB of the data kind, repeated with a varying first byte) and the writer.
   */
  @Setup(Level.Trial)
  public void setUp() {
    byte[] all = new byte[FILE_BYTES];
    byte[] mib = data.generate(1 << 20);
    for (int i = 0; i < 16; i++) {
      mib[0] = (byte) i;
      System.arraycopy(mib, 0, all, i << 20, 1 << 20);
    }
    file = ByteBuffer.wrap(all);
    writer = new WriterPath(threads, 3);
  }

  /** Stops the pool and frees the native contexts. */
  @TearDown(Level.Trial)
  public void tearDown() {
    writer.close();
  }

  /**
   * Writes one archive of the file.
   *
   * @return the archive's length
   * @throws IOException never (the output is dropped)
   */
  @Benchmark
  public long write() throws IOException {
    return writer.writeArchive(file);
  }
}
