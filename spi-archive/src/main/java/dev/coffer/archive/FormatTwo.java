package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import dev.coffer.RepositoryInfo;
import dev.coffer.archive.v2.MasterKeys;
import dev.coffer.archive.v2.V2Repository;
import dev.coffer.archive.v2.V2Settings;
import dev.coffer.archive.v2.WriterLocks;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ProviderOptions;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code archive} provider's door to format 2 ({@code format=2}, or an existing format-2
 * repository): parses the options as format 1 does and hands the repository the v1 key source
 * ({@link Keyring}: raw key or Argon2id passphrase, bounded) and writer locks ({@link
 * TemporaryArchive}'s lock files), which live in this package.
 */
final class FormatTwo {

  private FormatTwo() {}

  /**
   * Whether {@code options} open format 2: {@code format=2}, or no {@code format} option and a
   * format-2 repository at {@code location}.
   *
   * @throws IllegalArgumentException if an option is malformed, or {@code format=1} names a
   *     format-2 repository
   */
  static boolean chosen(Path location, Map<String, String> options) {
    ProviderOptions o =
        ProviderOptions.parse(ArchiveBackupProvider.NAME, ArchiveBackupProvider.OPTIONS, options);
    if (o.isSet("format")) {
      boolean two = o.getLong("format") == 2;
      if (!two && V2Repository.holdsRepository(location)) {
        throw o.invalid("format", "the repository is format 2: use format=2 or leave it out");
      }
      return two;
    }
    return V2Repository.holdsRepository(location);
  }

  static V2Repository open(
      Path location, Map<String, String> options, Clock clock, Supplier<String> ids)
      throws IOException {
    ProviderOptions o =
        ProviderOptions.parse(ArchiveBackupProvider.NAME, ArchiveBackupProvider.OPTIONS, options);
    ChangedFilesPolicy changedFiles = ChangedFilesPolicy.of(o);
    if (o.isSet("legacy-manifest-key")) {
      throw o.invalid(
          "legacy-manifest-key", "aedb archives are read in format-1 repositories only");
    }
    String mode = o.get("mode").orElse(null);
    if (mode != null && !List.of("encrypted", "signed", "plain").contains(mode)) {
      throw o.invalid("mode", "expected encrypted, signed or plain");
    }
    Keyring keyring = ArchiveBackupProvider.keyring(location, o);
    if (keyring.kind() == Keyring.Kind.NONE) {
      throw new IllegalArgumentException(
          "provider 'archive' with format=2 needs a key: give key, key-file, passphrase or "
              + "passphrase-file");
    }
    int threads =
        o.isSet("threads")
            ? (int) o.getLong("threads")
            : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    V2Settings settings =
        new V2Settings(
            new Keys(keyring, ArchiveBackupProvider.argon2(o)),
            new Locks(location),
            (int) o.getLong("level"),
            threads,
            o.getBoolean("rehash"),
            changedFiles,
            clock,
            ids,
            RepositoryInfo.of(new ArchiveBackupProvider(), location));
    return V2Repository.open(location, settings, mode);
  }

  /** A {@link Keyring} as format 2's key source. */
  private static final class Keys implements MasterKeys {
    private final Keyring keyring;
    private final Argon2Params writeParams;

    Keys(Keyring keyring, Argon2Params writeParams) {
      this.keyring = keyring;
      this.writeParams = writeParams;
    }

    @Override
    public boolean passphrase() {
      return keyring.kind() == Keyring.Kind.PASSPHRASE;
    }

    @Override
    public int[] newArgon2Parameters() {
      return new int[] {
        writeParams.memoryKib(), writeParams.iterations(), writeParams.parallelism()
      };
    }

    @Override
    public SecretBytes master(int[] argon2, byte[] salt) throws CorruptBackupException {
      if (!passphrase()) {
        return keyring.rawKey();
      }
      String problem = Argon2Params.problem(argon2[0], argon2[1], argon2[2]);
      if (!problem.isEmpty()) {
        throw new CorruptBackupException("repository config: " + problem, null);
      }
      return keyring.derivePassphrase(new Argon2Params(argon2[0], argon2[1], argon2[2]), salt);
    }

    @Override
    public String toString() {
      return "Keys[" + keyring + "]";
    }
  }

  /** The lock files {@code .lock-<id>} of {@link TemporaryArchive} in the repository directory. */
  private static final class Locks implements WriterLocks {
    private final Path root;

    Locks(Path root) {
      this.root = root;
    }

    @Override
    public Closeable begin(String backupId) throws IOException {
      TemporaryArchive lock = TemporaryArchive.begin(root, backupId);
      lock.published(); // format 2 writes no temporary file at the root: close removes the lock
      // only
      return lock::close;
    }

    @Override
    public boolean abandoned(String backupId) throws IOException {
      return TemporaryArchive.removeIfAbandoned(root, backupId);
    }

    @Override
    public List<String> lockedIds() throws IOException {
      List<String> ids = new ArrayList<>();
      if (!Files.isDirectory(root)) {
        return ids;
      }
      try (DirectoryStream<Path> ds =
          Files.newDirectoryStream(
              root, p -> p.getFileName().toString().startsWith(TemporaryArchive.LOCK_PREFIX))) {
        for (Path p : ds) {
          String id = TemporaryArchive.idOf(p.getFileName().toString());
          if (id != null) {
            ids.add(id);
          }
        }
      }
      return ids;
    }
  }
}
