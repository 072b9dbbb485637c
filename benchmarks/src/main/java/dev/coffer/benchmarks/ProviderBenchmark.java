package dev.coffer.benchmarks;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.VerifyReport;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
 * End-to-end provider runs through the public API ({@link BackupProviders}): a full backup, an
 * incremental backup after 1% of the files changed, verify and restore, each timed once per
 * iteration ({@code SingleShotTime}) against a fresh repository made in an iteration-level setup.
 * The source is a {@link DatabaseTree} of {@code treeMegabytes} on the real disk (under {@code
 * java.io.tmpdir}) or on Jimfs. MB/s = treeMegabytes x 1.048576 / seconds.
 *
 * <p>Providers are found with {@code ServiceLoader}; a run fails in setup if one is not on the
 * class path.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class ProviderBenchmark {

  /** The provider and the options it is opened with. */
  public enum ProviderKind {
    /** {@code local} with fsync off, as cp -a (the comparison issue 3 asks for). */
    LOCAL("local", Map.of("fsync", "false")),
    /** {@code archive}, encrypted with a fixed benchmark key, zstd level 3. */
    ARCHIVE("archive", Map.of("key", HexFormat.of().formatHex(AeadKind.KEY)));

    final String provider;
    final Map<String, String> options;

    ProviderKind(String provider, Map<String, String> options) {
      this.provider = provider;
      this.options = options;
    }
  }

  /** Where source, repository and restore target live. */
  public enum FileSystemKind {
    /** The default file system, under {@code java.io.tmpdir}. */
    DISK,
    /** An in-memory Jimfs (unix configuration). */
    JIMFS
  }

  /** The source tree, made once per trial. */
  @State(Scope.Benchmark)
  public static class Source {
    /** Provider under test. */
    @Param public ProviderKind provider;

    /** File system under test. */
    @Param public FileSystemKind fs;

    /** Size of the generated source tree. */
    @Param({"64"})
    public int treeMegabytes;

    FileSystem fileSystem;
    Path work;
    Path tree;
    List<Path> files;
    int generation;

    /** Creates the file system and the source tree. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      if (fs == FileSystemKind.JIMFS) {
        fileSystem = Jimfs.newFileSystem(Configuration.unix());
        work = Files.createDirectories(fileSystem.getPath("/bench"));
      } else {
        fileSystem = FileSystems.getDefault();
        work =
            Files.createTempDirectory(
                fileSystem.getPath(System.getProperty("java.io.tmpdir")), "coffer-provider-bench");
      }
      tree = work.resolve("source");
      files = DatabaseTree.generate(tree, treeMegabytes * (1L << 20));
    }

    /** Deletes everything the trial wrote. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      FileTrees.deleteRecursively(work);
      if (fs == FileSystemKind.JIMFS) {
        fileSystem.close();
      }
    }

    BackupRepository openFresh(String name) throws IOException {
      Path location = work.resolve(name);
      if (Files.exists(location)) {
        FileTrees.deleteRecursively(location);
      }
      return BackupProviders.open(provider.provider, location, provider.options);
    }
  }

  /** A fresh, empty repository for each iteration. */
  @State(Scope.Thread)
  public static class EmptyRepository {
    BackupRepository repository;

    /** Opens a new repository. */
    @Setup(Level.Iteration)
    public void setUp(Source source) throws IOException {
      repository = source.openFresh("repo-empty");
    }

    /** Closes it. */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
      repository.close();
    }
  }

  /**
   * A fresh repository holding one full backup of the source, after which 1% of the source files
   * changed; and an absent restore target.
   */
  @State(Scope.Thread)
  public static class BackedUp {
    BackupRepository repository;
    BackupMetadata full;
    Path target;

    /** Opens a new repository, backs the source up, changes 1% of its files. */
    @Setup(Level.Iteration)
    public void setUp(Source source) throws IOException {
      repository = source.openFresh("repo-full");
      full = repository.backup(source.tree);
      DatabaseTree.touch(source.files, 100, source.generation++);
      target = source.work.resolve("restored");
      if (Files.exists(target)) {
        FileTrees.deleteRecursively(target);
      }
    }

    /** Closes the repository. */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
      repository.close();
    }
  }

  /** A full backup of the source into an empty repository. */
  @Benchmark
  public BackupMetadata backup(Source source, EmptyRepository repo) throws IOException {
    return repo.repository.backup(source.tree);
  }

  /** An incremental backup, 1% of the files changed since the full backup. */
  @Benchmark
  public BackupMetadata incremental(Source source, BackedUp state) throws IOException {
    return state.repository.backup(BackupRequest.incremental(source.tree, state.full.id()));
  }

  /** Verify of the full backup (reads every stored byte). */
  @Benchmark
  public VerifyReport verify(BackedUp state) throws IOException {
    return state.repository.verify(state.full.id());
  }

  /** Restore of the full backup into an absent directory. */
  @Benchmark
  public BackupMetadata restore(BackedUp state) throws IOException {
    return state.repository.restore(state.full.id(), state.target);
  }
}
