package dev.coffer.benchmarks;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 18's restore target: restoring the tip of a chain of daily incrementals (format 2) against
 * a full restore of the same tree. The trial copies a source tree (a real PostgreSQL data directory
 * with {@code -p source=/var/tmp/coffer-bench/pgdata-s10}, or a generated database-like tree of
 * {@code treeMegabytes}), backs it up in full, then {@code days} times rewrites {@code pagesPerDay}
 * random 8 KiB pages of its relation files (times moved as a checkpoint moves them) and takes an
 * incremental on the previous backup; last it takes a full backup of the final tree in the same
 * repository. {@code kind} chooses which of the two backups of the same tree is restored, into an
 * absent directory on the same disk (deleted after each restore).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class ChainRestoreBenchmark {

  /** Which backup of the final tree is restored. */
  public enum Kind {
    /** The full backup of the final tree. */
    FULL,
    /** The last incremental of the chain (its bases bound by their manifests). */
    CHAIN_TIP
  }

  /** Which backup is restored. */
  @Param public Kind kind;

  /** "generated", or a directory to copy as the source. */
  @Param({"generated"})
  public String source;

  /** Size of the generated tree. */
  @Param({"256"})
  public int treeMegabytes;

  /** Incrementals in the chain. */
  @Param({"30"})
  public int days;

  /** Pages rewritten before each incremental. */
  @Param({"200"})
  public int pagesPerDay;

  private Path work;
  private Path target;
  private BackupRepository repository;
  private BackupMetadata tip;
  private BackupMetadata full;

  /** Builds the chain and the full backup of its final tree. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    work =
        Files.createTempDirectory(
            FileSystems.getDefault().getPath(System.getProperty("java.io.tmpdir")),
            "coffer-chain-bench");
    Path tree = work.resolve("source");
    List<Path> relations = new ArrayList<>();
    if (source.equals("generated")) {
      DatabaseTree.generate(tree, treeMegabytes * (1L << 20));
    } else {
      copy(Path.of(source), tree);
    }
    try (Stream<Path> s = Files.walk(tree)) {
      s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> p.toString().contains("/base/"))
          .filter(p -> sizeOf(p) >= 8192)
          .sorted()
          .forEach(relations::add);
    }
    repository =
        BackupProviders.open(
            "archive",
            work.resolve("repo"),
            Map.of(
                "format",
                "2",
                "key",
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    BackupMetadata last = repository.backup(tree);
    SplittableRandom random = new SplittableRandom(18);
    byte[] page = new byte[8192];
    for (int day = 1; day <= days; day++) {
      for (int n = 0; n < pagesPerDay; n++) {
        Path file = relations.get(random.nextInt(relations.size()));
        long pages = sizeOf(file) / 8192;
        random.nextBytes(page);
        try (var ch = Files.newByteChannel(file, java.nio.file.StandardOpenOption.WRITE)) {
          ch.position(random.nextLong(pages) * 8192);
          ch.write(java.nio.ByteBuffer.wrap(page));
        }
        // a day's checkpoint: older than the next scan by more than the racily-clean window
        Files.setLastModifiedTime(
            file, FileTime.from(Instant.now().minusSeconds(3600L * 24 * (days - day) + 60)));
      }
      last = repository.backup(BackupRequest.incremental(tree, last.id()));
    }
    tip = last;
    full = repository.backup(tree);
    target = work.resolve("restored");
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(q);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /** Removes the restored tree. */
  @TearDown(Level.Iteration)
  public void removeTarget() throws IOException {
    if (Files.exists(target)) {
      FileTrees.deleteRecursively(target);
    }
  }

  /** Removes everything the trial wrote. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    repository.close();
    FileTrees.deleteRecursively(work);
  }

  /**
   * The same comparison back to back, for a shared machine: builds the chain once, then restores
   * the full backup and the chain's tip alternately ({@code rounds} pairs, the order swapped every
   * round), printing each restore's wall time and the process's CPU time.
   *
   * <p>{@code java -cp benchmarks.jar dev.coffer.benchmarks.ChainRestoreBenchmark SOURCE ROUNDS}
   *
   * @param args the source ({@code generated} or a directory) and the number of rounds
   * @throws IOException if a backup or restore fails
   */
  public static void main(String[] args) throws IOException {
    ChainRestoreBenchmark b = new ChainRestoreBenchmark();
    b.source = args.length > 0 ? args[0] : "generated";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    b.treeMegabytes = 256;
    b.days = 30;
    b.pagesPerDay = 200;
    b.setUp();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    try {
      for (int round = 0; round < rounds; round++) {
        for (Kind k : round % 2 == 0 ? Kind.values() : new Kind[] {Kind.CHAIN_TIP, Kind.FULL}) {
          b.kind = k;
          long wall = System.nanoTime();
          long cpu = os.getProcessCpuTime();
          b.restore();
          System.out.printf(
              "%s round %d: %.0f ms wall, %.0f ms cpu%n",
              k, round, (System.nanoTime() - wall) / 1e6, (os.getProcessCpuTime() - cpu) / 1e6);
          b.removeTarget();
        }
      }
    } finally {
      b.tearDown();
    }
  }

  /** Restores the chosen backup of the final tree. */
  @Benchmark
  public BackupMetadata restore() throws IOException {
    return repository.restore((kind == Kind.FULL ? full : tip).id(), target);
  }
}
