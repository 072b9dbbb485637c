package dev.coffer.benchmarks;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.archive.SecretBytes;
import dev.coffer.archive.v2.Recipients;
import dev.coffer.archive.v2.V2ArchiveWriter;
import dev.coffer.archive.v2.V2Location;
import dev.coffer.archive.v2.V2Summary;
import dev.coffer.archive.v2.V2WriteOptions;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
 * Format 2's real writer ({@code V2ArchiveWriter}: 64 KiB blocks, each SHA-256 hashed, zstd-3
 * compressed and AES-256-GCM sealed on {@code threads} workers, results in order) writing a full
 * backup of one 16 MiB file held in memory (Jimfs) to a store that counts and drops what it is
 * given, so neither disk nor page cache is measured. Run with JMH's {@code -t 1}: the parallelism
 * is the writer's own. MB/s = ops/s x 16.777216. Issue #6's two-core target compares {@code
 * threads=2} with {@link PipelineBenchmark#compressOnly} (zstd-3 alone, one thread, same data).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class V2WriterBenchmark {

  /** The kind of data in the file. */
  @Param({"DATABASE"})
  public DataKind data;

  /** Workers of the writer. */
  @Param({"1", "2"})
  public int threads;

  private FileSystem fs;
  private Path source;
  private V2ArchiveWriter writer;

  /** A store that reads each object to its end and keeps nothing. */
  private static final class Drain implements ObjectStore {
    @Override
    public URI uri() {
      return URI.create("drain:/");
    }

    @Override
    public long write(String key, InputStream data, WriteMode mode) throws IOException {
      byte[] buffer = new byte[1 << 16];
      long n = 0;
      for (int r; (r = data.read(buffer)) >= 0; ) {
        n += r;
      }
      return n;
    }

    @Override
    public InputStream read(String key) throws IOException {
      throw new java.nio.file.NoSuchFileException(key);
    }

    @Override
    public InputStream read(String key, long offset, long length) throws IOException {
      throw new java.nio.file.NoSuchFileException(key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
      return Optional.empty();
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
      return List.of();
    }

    @Override
    public void delete(String key) {}

    @Override
    public void close() {}
  }

  /** Writes the file (as {@link ArchiveWriterBenchmark} makes it) and the writer. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    byte[] all = new byte[ArchiveWriterBenchmark.FILE_BYTES];
    byte[] mib = data.generate(1 << 20);
    for (int i = 0; i < 16; i++) {
      mib[0] = (byte) i;
      System.arraycopy(mib, 0, all, i << 20, 1 << 20);
    }
    fs = Jimfs.newFileSystem(Configuration.unix());
    source = Files.createDirectories(fs.getPath("/source"));
    Files.write(source.resolve("relation"), all);
    byte[] master = new byte[32];
    new java.util.Random(6).nextBytes(master);
    writer =
        new V2ArchiveWriter(
            new V2Location(new Drain(), "", UUID.randomUUID()),
            Recipients.symmetric(new SecretBytes(master)),
            Optional.empty(),
            new V2WriteOptions(65536, 3, threads, false, V2WriteOptions.DEFAULT_GRANULARITY));
  }

  /** Closes the in-memory file system. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    fs.close();
  }

  /**
   * Writes one full backup of the file.
   *
   * @return its summary
   * @throws IOException never (the store drops what it is given)
   */
  @Benchmark
  public V2Summary write() throws IOException {
    return writer.full(source);
  }
}
