package dev.coffer.benchmarks;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.archive.SecretBytes;
import dev.coffer.archive.v2.CommitObject;
import dev.coffer.archive.v2.CommitStatement;
import dev.coffer.archive.v2.Recipients;
import dev.coffer.archive.v2.V2Keys;
import dev.coffer.archive.v2.X25519Identity;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
 * Issue 19's throughput target: a full format-2 backup in recipient (write-only) mode against the
 * same backup in symmetric mode, in-process, of the same {@link DatabaseTree} on Jimfs, each timed
 * once per iteration ({@code SingleShotTime}) into a fresh repository. Recipient mode differs only
 * in how each archive's data key is wrapped (one X25519 agreement per recipient per backup) and in
 * the metadata object's key, so the figures should agree within noise. MB/s = treeMegabytes x
 * 1.048576 / seconds.
 *
 * <p>{@link #commit} measures exactly that difference, per backup and without the noise of a whole
 * backup: a new data key, its keys derived, and the commit object with its key slots made (one
 * symmetric slot, or two X25519 slots with an ephemeral key agreement each), in microseconds.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(1)
public class RecipientBenchmark {

  /** How the repository is keyed. */
  public enum KeyMode {
    /** {@code key=<hex>}: the symmetric master key wraps the data key. */
    SYMMETRIC,
    /** {@code recipients-file} with two X25519 recipients (operations and escrow), no identity. */
    RECIPIENTS
  }

  /** The source tree and the key material, made once per trial. */
  @State(Scope.Benchmark)
  public static class Source {
    /** Key mode under test. */
    @Param public KeyMode mode;

    /** Size of the generated source tree. */
    @Param({"64"})
    public int treeMegabytes;

    FileSystem fileSystem;
    Path work;
    Path tree;
    Map<String, String> options;
    int repositories;

    /** Creates the file system, the source tree and the options of the mode. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      fileSystem = Jimfs.newFileSystem(Configuration.unix());
      work = Files.createDirectories(fileSystem.getPath("/bench"));
      tree = work.resolve("source");
      DatabaseTree.generate(tree, treeMegabytes * (1L << 20));
      options = new HashMap<>();
      options.put("format", "2");
      if (mode == KeyMode.SYMMETRIC) {
        options.put("key", HexFormat.of().formatHex(AeadKind.KEY));
      } else {
        options.put("recipients-file", twoRecipients(work).toString());
      }
    }

    /** Closes the file system. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      fileSystem.close();
    }
  }

  /** Writes a recipients file of two new recipients (operations and escrow) into {@code dir}. */
  static Path twoRecipients(Path dir) throws IOException {
    SecureRandom random = new SecureRandom();
    return Files.write(
        dir.resolve("recipients.txt"),
        List.of(
            X25519Identity.generate(random).recipient().toString(),
            X25519Identity.generate(random).recipient().toString()));
  }

  /** A fresh, empty repository for each iteration. */
  @State(Scope.Thread)
  public static class EmptyRepository {
    BackupRepository repository;
    Path location;

    /** Opens a new repository. */
    @Setup(Level.Iteration)
    public void setUp(Source source) throws IOException {
      location = source.work.resolve("repo-" + source.repositories++);
      repository = BackupProviders.open("archive", location, source.options);
    }

    /** Closes and deletes it. */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
      repository.close();
      FileTrees.deleteRecursively(location);
    }
  }

  /** The per-backup key material of each mode: data key, derived keys, commit with its slots. */
  @State(Scope.Benchmark)
  public static class Slots {
    /** Key mode under test. */
    @Param public KeyMode mode;

    Recipients recipients;
    final SecureRandom random = new SecureRandom();

    /** Makes the recipients of the mode. */
    @Setup(Level.Trial)
    public void setUp() {
      recipients =
          mode == KeyMode.SYMMETRIC
              ? Recipients.symmetric(new SecretBytes(AeadKind.KEY))
              : Recipients.x25519(
                  List.of(
                      X25519Identity.generate(random).recipient(),
                      X25519Identity.generate(random).recipient()));
    }
  }

  /** What one backup spends on its keys in the mode: the whole difference between the modes. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  public byte[] commit(Slots s) {
    SecretBytes dataKey = V2Keys.newDataKey(s.random);
    byte[] salt = new byte[32];
    s.random.nextBytes(salt);
    UUID archiveId = UUID.randomUUID();
    V2Keys keys = V2Keys.derive(dataKey, salt, archiveId);
    CommitStatement statement =
        new CommitStatement(
            UUID.randomUUID(),
            archiveId,
            "b-" + archiveId,
            salt,
            65536,
            1L << 26,
            4096,
            new byte[32],
            keys.commitment(),
            new byte[200]);
    keys.destroy();
    return CommitObject.create(statement, dataKey, s.recipients, Optional.empty(), s.random)
        .encode();
  }

  /** A full backup of the source into an empty repository. */
  @Benchmark
  public BackupMetadata backup(Source source, EmptyRepository repo) throws IOException {
    return repo.repository.backup(source.tree);
  }
}
