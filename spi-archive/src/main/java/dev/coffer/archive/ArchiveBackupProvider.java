package dev.coffer.archive;

import dev.coffer.BackupRepository;
import dev.coffer.RepositoryInfo;
import dev.coffer.archive.v2.BlockSealer;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code archive} provider: each backup is one file, {@code <id>.coffer}, in the repository
 * directory — a stream of 64 KiB chunks sealed with AES-256-GCM (or HMAC-SHA256 in signed mode)
 * under keys derived per archive, holding zstd-compressed file data, every directory, a per-file
 * SHA-256 and an authenticated manifest that doubles as an index for partial restores. Incremental
 * backups store changed files only. Symbolic links are stored as links (never followed); POSIX
 * modes and owners are recorded and restored where both file systems have them. The format is
 * specified in {@code docs/archive-format.md}.
 *
 * <p>Options: exactly one of {@code key} (64 hex digits), {@code key-file} (a file holding 32 raw
 * bytes or 64 hex digits), {@code passphrase} or {@code passphrase-file} (Argon2id), or none;
 * {@code mode} ({@code encrypted} by default with a key, {@code signed}, or {@code plain} which
 * must be chosen explicitly and only without a key); {@code level}; {@code threads} (pool threads
 * beside the calling thread; default: available processors - 1, at least 1); Argon2 cost options
 * for new archives.
 *
 * <p>{@code format=2} (or an existing format-2 repository) opens archive format 2 instead ({@code
 * FormatTwo}, package {@code dev.coffer.archive.v2}; docs/archive-format.md section 15): objects on
 * a directory store, or on any object store ({@code coffer:archive:s3://bucket/prefix?format=2},
 * {@link #open(dev.coffer.store.ObjectStore, Map)}), block-level incrementals ({@code rehash} reads
 * every file), and either the key options above or X25519 {@code recipient} / {@code
 * recipients-file} (a write-only repository) and {@code identity-file}.
 *
 * <p>Thread-safe; the constructor does no I/O. Its only state is the cipher warm-up switch its
 * repositories share.
 */
public final class ArchiveBackupProvider implements BackupProvider {

  static final String NAME = Format.PROVIDER;

  /**
   * Pool threads by default: the calling thread reads, hashes and compresses when the pool falls
   * behind, so one core is already its own (docs/benchmarks.md, "Ordered output with caller-runs").
   */
  static final int DEFAULT_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

  static final List<OptionInfo> OPTIONS =
      List.of(
          OptionInfo.secret("key", "master key: 64 hex digits (32 bytes)"),
          OptionInfo.optional(
              "key-file",
              "path of a file holding the master key (32 raw bytes or 64 hex digits)",
              null),
          OptionInfo.secret("passphrase", "passphrase; the master key is derived with Argon2id"),
          OptionInfo.optional(
              "passphrase-file",
              "path of a UTF-8 file holding the passphrase (one trailing newline ignored)",
              null),
          OptionInfo.optional(
              "mode",
              "protection of new archives: encrypted (default with a key), signed, or plain (no key; checksums only)",
              null),
          OptionInfo.integer(
              "format",
              "archive format of a new repository: 1 (one file per backup) or 2 (objects with "
                  + "block-level incrementals; docs/archive-format.md); an existing repository is "
                  + "opened in its own format when the option is left out",
              1,
              1,
              2),
          OptionInfo.optional(
              "recipient",
              "format 2: an X25519 recipient (coffer-x25519-public:...) each new backup's data key "
                  + "is wrapped to, instead of a key: a host without an identity can back up but not "
                  + "read",
              null),
          OptionInfo.optional(
              "recipients-file",
              "format 2: a file of X25519 recipients, one per line (# starts a comment)",
              null),
          OptionInfo.optional(
              "identity-file",
              "format 2: a file of X25519 identities (coffer-x25519-secret:...), one per line, that "
                  + "open the backups of a write-only repository",
              null),
          OptionInfo.optional(
              "host-key-file",
              "format 2: a file holding this host's Ed25519 key (coffer-ed25519-secret:...); every "
                  + "new backup's commit is signed with it",
              null),
          OptionInfo.optional(
              "state-file",
              "format 2, write-only hosts: a file where this host keeps the state of its last "
                  + "backup, sealed with its host key (needs host-key-file), so it can take "
                  + "incrementals without an identity; no default (docs/keys.md)",
              null),
          OptionInfo.optional(
              "trusted-host",
              "format 2: the Ed25519 public key (coffer-ed25519-public:...) whose signature every "
                  + "backup read must carry; others are left out of the listing and refused",
              null),
          OptionInfo.flag(
              "rehash",
              "format 2: read every file of an incremental, also those whose size, times and "
                  + "identity say unchanged (format 1 always reads every file)",
              false),
          OptionInfo.integer(
              "block-size",
              "format 2: bytes per block of a new full backup, a power of two from 4096 to "
                  + "1048576; an incremental keeps its base's block size (docs/archive-format.md §15)",
              BlockSealer.DEFAULT_BLOCK_SIZE_BYTES,
              4096,
              1048576),
          OptionInfo.integer(
              "leftover-hours",
              "format 2: how many hours the objects of a backup without a commit (on an object "
                  + "store) and a lease past its expiry are kept before an open removes them, 1 to "
                  + "8760",
              24,
              1,
              8760),
          OptionInfo.integer(
              "max-chain",
              "format 2: the most incrementals on one full backup; an incremental asked for on a base "
                  + "that already has this many is written as a full backup whose unchanged files are "
                  + "copied from the chain, not read again (so prune can then drop the old chain)",
              998,
              1,
              998),
          OptionInfo.integer("level", "zstd compression level, 1 to 19", 3, 1, 19),
          new OptionInfo(
              "threads",
              "pool threads for compression and sealing beside the calling thread, which hashes and "
                  + "helps when the pool falls behind (default: available processors - 1, at least 1)",
              false,
              null,
              false,
              OptionInfo.Type.INTEGER,
              1,
              256),
          OptionInfo.integer(
              "argon2-memory-kib",
              "Argon2id memory for new archives, KiB",
              65536,
              8,
              Argon2Params.MAX_MEMORY_KIB),
          OptionInfo.integer(
              "argon2-iterations",
              "Argon2id passes for new archives",
              3,
              1,
              Argon2Params.MAX_ITERATIONS),
          OptionInfo.integer(
              "argon2-parallelism",
              "Argon2id lanes for new archives",
              4,
              1,
              Argon2Params.MAX_PARALLELISM),
          OptionInfo.integer(
              "argon2-max-memory-kib",
              "the most memory (KiB) a reader lets an archive's Argon2id "
                  + "parameters use, above which the archive is refused unread (passes: at most 4, or argon2-iterations)",
              Keyring.DEFAULT_MAX_ARGON2_MEMORY_KIB,
              8,
              Argon2Params.MAX_MEMORY_KIB),
          OptionInfo.secret(
              "legacy-manifest-key",
              "HMAC key (64 hex digits) of aedb's signed backup manifests; "
                  + "when given, aedb archives must hold a signed manifest"),
          // rule P34's options; the archive appends a file's blocks as it reads them, so retry
          // writes the whole archive again under new keys (docs/archive-format.md §7.2)
          OptionInfo.optional(
              ChangedFilesPolicy.CHANGED_FILES.name(),
              "a file that changes while it is read: warn (keep the backup, record the file as "
                  + "read), retry (write the archive again from the start, reading every file "
                  + "again, up to changed-retries times, then warn; format 2 reads only that file again) or "
                  + "fail (the backup fails)",
              ChangedFilesPolicy.CHANGED_FILES.defaultValue()),
          ChangedFilesPolicy.CHANGED_RETRIES);

  /**
   * The cipher warm-up switch of this provider's repositories, made by the first {@code open}: one
   * per provider, since what it warms (the JIT's compiled GCM code) serves every repository in the
   * JVM (docs/benchmarks.md). Not made by the constructor, which loads nothing beyond this class.
   */
  private GcmWarmupSwitch warmup;

  /** Creates the provider; does no I/O. */
  public ArchiveBackupProvider() {}

  /** {@inheritDoc} */
  @Override
  public String name() {
    return NAME;
  }

  /** {@inheritDoc} */
  @Override
  public String description() {
    return "Streaming, compressed, encrypted single-file archives with per-file SHA-256 and incremental backups";
  }

  /** {@inheritDoc} */
  @Override
  public Set<Capability> capabilities() {
    return Set.copyOf(
        EnumSet.of(
            Capability.INCREMENTAL,
            Capability.PARTIAL_RESTORE,
            Capability.ENCRYPTION,
            Capability.COMPRESSION,
            Capability.TIMESTAMPS,
            Capability.SYMLINKS,
            Capability.POSIX_ATTRIBUTES,
            Capability.OBJECT_STORES, // format 2 only: open(ObjectStore) refuses format=1
            Capability.RECIPIENTS));
  }

  /** {@inheritDoc} */
  @Override
  public List<OptionInfo> options() {
    return OPTIONS;
  }

  /** {@inheritDoc} */
  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    if (FormatTwo.chosen(location, options)) {
      return FormatTwo.open(location, options, Clock.systemUTC(), () -> BackupIds.newId().value());
    }
    return open(
        location,
        options,
        new SecureRandom()::nextBytes,
        Clock.systemUTC(),
        () -> BackupIds.newId().value(),
        Format.DEFAULT_CHUNK_SIZE,
        warmup());
  }

  /**
   * Opens (creating with {@code format=2} if the store holds nothing) the format-2 repository at
   * the root of {@code store}, such as {@code s3://bucket/prefix}; the {@code coffer-repository}
   * config lives in the store. Format 1 needs a file system: {@code format=1}, or no {@code format}
   * on a store without a repository, is refused. Key, recipient and identity files are read from
   * the default file system. The repository closes the store when it is closed.
   *
   * @param store the store
   * @param options as for {@link #open(Path, Map)}
   * @return the open repository
   * @throws IllegalArgumentException if an option is malformed, or the format is not 2
   * @throws IOException if the store cannot be used or holds something else
   */
  @Override
  public BackupRepository open(dev.coffer.store.ObjectStore store, Map<String, String> options)
      throws IOException {
    return FormatTwo.open(store, options, Clock.systemUTC(), () -> BackupIds.newId().value());
  }

  private synchronized GcmWarmupSwitch warmup() {
    if (warmup == null) {
      warmup = GcmWarmupSwitch.fromSystemProperty();
    }
    return warmup;
  }

  /**
   * Opens with injected randomness, clock, id source, chunk size and warm-up (known-answer tests).
   */
  static ArchiveRepository open(
      Path location,
      Map<String, String> options,
      Keyring.Entropy entropy,
      Clock clock,
      Supplier<String> ids,
      int chunkSize,
      GcmWarmupSwitch warmup)
      throws IOException {
    ProviderOptions o = ProviderOptions.parse(NAME, OPTIONS, options);
    ChangedFilesPolicy changedFiles = ChangedFilesPolicy.of(o); // a bad value fails at open
    int level = (int) o.getLong("level");
    int threads = o.isSet("threads") ? (int) o.getLong("threads") : DEFAULT_THREADS;
    Mode mode = null;
    if (o.isSet("mode")) {
      switch (o.get("mode").orElseThrow()) {
        case "encrypted":
          mode = Mode.ENCRYPTED;
          break;
        case "signed":
          mode = Mode.SIGNED;
          break;
        case "plain":
          mode = Mode.PLAIN;
          break;
        default:
          throw o.invalid("mode", "expected encrypted, signed or plain");
      }
    }
    Keyring keyring = KeySources.keyring(location, o);
    boolean explicitMode = mode != null;
    if (keyring.kind() == Keyring.Kind.NONE) {
      if (mode != null && mode != Mode.PLAIN) {
        throw o.invalid(
            "mode", "mode " + o.get("mode").orElseThrow() + " needs a key or passphrase");
      }
    } else {
      if (mode == Mode.PLAIN) {
        throw o.invalid("mode", "plain archives cannot be written with a key or passphrase");
      }
      if (mode == null) {
        mode = Mode.ENCRYPTED;
      }
    }
    SecretBytes aedbManifestKey =
        o.isSet("legacy-manifest-key")
            ? KeySources.parseHexKey(
                o.get("legacy-manifest-key").orElseThrow(), o, "legacy-manifest-key")
            : null;
    return ArchiveRepository.open(
        location,
        new ArchiveSettings(
            keyring,
            mode,
            level,
            threads,
            chunkSize,
            entropy,
            clock,
            ids,
            aedbManifestKey,
            warmup,
            changedFiles),
        explicitMode,
        RepositoryInfo.of(new ArchiveBackupProvider(), location));
  }
}
