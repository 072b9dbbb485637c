package dev.coffer.archive;

import dev.coffer.spi.support.ChangedFilesPolicy;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Everything {@code ArchiveBackupProvider.open} decided for one repository instance: its key
 * source, the protection and compression of new archives, the pool size and the injected clock,
 * randomness and ids. Not a record, because it holds keys: {@link #toString()} names no secret.
 */
final class ArchiveSettings {

  private final Keyring keyring;
  private final Mode writeMode;
  private final int level;
  private final int threads;
  private final int chunkSize;
  private final Keyring.Entropy entropy;
  private final Clock clock;
  private final Supplier<String> ids;
  private final SecretBytes aedbManifestKey;
  private final GcmWarmupSwitch warmup;
  private final ChangedFilesPolicy changedFiles;

  ArchiveSettings(
      Keyring keyring,
      Mode writeMode,
      int level,
      int threads,
      int chunkSize,
      Keyring.Entropy entropy,
      Clock clock,
      Supplier<String> ids,
      SecretBytes aedbManifestKey,
      GcmWarmupSwitch warmup,
      ChangedFilesPolicy changedFiles) {
    this.keyring = keyring;
    this.writeMode = writeMode;
    this.level = level;
    this.threads = threads;
    this.chunkSize = chunkSize;
    this.entropy = entropy;
    this.clock = clock;
    this.ids = ids;
    this.aedbManifestKey = aedbManifestKey;
    this.warmup = warmup;
    this.changedFiles = changedFiles;
  }

  /** The same settings writing in {@code mode} (what the repository's key check decided). */
  ArchiveSettings withWriteMode(Mode mode) {
    return new ArchiveSettings(
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
        changedFiles);
  }

  Keyring keyring() {
    return keyring;
  }

  /**
   * The protection of new archives; {@code null} when no key was given and plain was not chosen.
   */
  Mode writeMode() {
    return writeMode;
  }

  int level() {
    return level;
  }

  /** Pool threads beside the calling thread. */
  int threads() {
    return threads;
  }

  int chunkSize() {
    return chunkSize;
  }

  Keyring.Entropy entropy() {
    return entropy;
  }

  Clock clock() {
    return clock;
  }

  Supplier<String> ids() {
    return ids;
  }

  /**
   * The HMAC key of aedb's signed manifests (option {@code legacy-manifest-key}), or {@code null}.
   */
  SecretBytes aedbManifestKey() {
    return aedbManifestKey;
  }

  /** The provider's cipher warm-up, started by the first busy GCM sealer. */
  GcmWarmupSwitch warmup() {
    return warmup;
  }

  /** What a source file that changes while it is read means (options {@code changed-files}). */
  ChangedFilesPolicy changedFiles() {
    return changedFiles;
  }

  @Override
  public String toString() {
    return "ArchiveSettings["
        + writeMode
        + ", level "
        + level
        + ", "
        + threads
        + " threads, "
        + keyring
        + "]";
  }
}
