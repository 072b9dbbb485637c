package dev.coffer.benchmarks;

import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceTree;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
 * The source scan every backup starts with, on the real disk (page cache warm): {@link
 * SourceTree#scan} (one {@code lstat} per entry, read through the {@code unix} view's attribute map
 * to get the mode and owner ids, issue 14) against the bare {@code Files.walkFileTree} with {@code
 * BasicFileAttributes} that scans made before it, on a tree of {@code files} one-byte files in
 * directories of 100. The difference is the CPU cost of recording POSIX attributes; both make the
 * same system calls (checked with strace).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ScanBenchmark {

  /** How many files the tree holds (a pgbench -s 40 data directory has 1,013). */
  @Param({"1000"})
  public int files;

  private Path dir;

  /** Makes the tree under {@code java.io.tmpdir}. */
  @Setup(Level.Trial)
  public void makeTree() throws IOException {
    dir =
        Files.createTempDirectory(
            FileSystems.getDefault().getPath(System.getProperty("java.io.tmpdir")), "coffer-scan-");
    for (int i = 0; i < files; i++) {
      Path sub = Files.createDirectories(dir.resolve("d" + (i / 100)));
      Files.write(sub.resolve("f" + i), new byte[] {1});
    }
  }

  /** Removes the tree. */
  @TearDown(Level.Trial)
  public void removeTree() throws IOException {
    FileTrees.deleteRecursively(dir);
  }

  /** The scan as providers run it, attributes included. */
  @Benchmark
  public SourceTree sourceTreeScan() throws IOException {
    return SourceTree.scan(dir, ScanOptions.DEFAULT);
  }

  /** The walk without POSIX attributes that the scan was before issue 14 (no sorting, no names). */
  @Benchmark
  public long walkBasicAttributes() throws IOException {
    long[] sum = {0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            sum[0] += attrs.size() + file.getFileName().toString().length();
            return FileVisitResult.CONTINUE;
          }
        });
    return sum[0];
  }
}
