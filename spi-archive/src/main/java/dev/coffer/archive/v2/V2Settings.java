package dev.coffer.archive.v2;

import dev.coffer.RepositoryInfo;
import dev.coffer.spi.support.ChangedFilesPolicy;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the {@code archive} provider decided for one format-2 repository instance: its key source,
 * writer locks, compression level, workers, the block size of new full backups, the {@code
 * changed-files} policy, the clock, the id source and what {@code info()} tells. Not a record,
 * because it holds the key source: {@link #toString()} names no secret.
 */
public final class V2Settings {

  final HostSigningKey signer;
  final HostPublicKey trustedHost;
  final MasterKeys keys;
  final List<X25519Recipient> recipients;
  final List<X25519Identity> identities;
  final WriterLocks locks;
  final int level;
  final int threads;
  final boolean rehash;
  final ChangedFilesPolicy changedFiles;
  final Clock clock;
  final Supplier<String> ids;
  final RepositoryInfo info;
  final int blockSizeBytes;

  /** The host state file of a write-only host ({@link HostState}), or null. */
  final java.nio.file.Path stateFile;

  private Function<Map<String, String>, V2Settings> newKeys;
  private int maxChain = V2Format.MAX_CHAIN - 2;

  /**
   * The settings.
   *
   * @param signer the host key every new commit is signed with, or null
   * @param trustedHost the host whose signature every backup read must carry, or null
   * @param keys the symmetric key source, or null for a write-only repository (mode {@code
   *     recipients})
   * @param recipients the X25519 recipients new backups are wrapped to (mode {@code recipients})
   * @param identities the X25519 identities that open them (mode {@code recipients})
   * @param locks the writer locks of the repository directory
   * @param level zstd level, 1 to 19
   * @param threads workers that hash, compress and seal blocks
   * @param rehash whether an incremental reads files whose stats say unchanged
   * @param changedFiles what a file changed while read means (rule P34)
   * @param clock the clock of backup times
   * @param ids the source of new backup ids
   * @param info what the repository's {@code info()} returns
   * @param blockSizeBytes bytes per block of a new full backup, a power of two from 4 KiB to 1 MiB
   *     (an incremental keeps its base's: its blocks are compared with the base's at the same
   *     offsets)
   * @throws IllegalArgumentException if the block size is not one of those
   */
  public V2Settings(
      HostSigningKey signer,
      HostPublicKey trustedHost,
      MasterKeys keys,
      List<X25519Recipient> recipients,
      List<X25519Identity> identities,
      WriterLocks locks,
      int level,
      int threads,
      boolean rehash,
      ChangedFilesPolicy changedFiles,
      Clock clock,
      Supplier<String> ids,
      RepositoryInfo info,
      int blockSizeBytes) {
    if (!V2Format.validBlockSize(blockSizeBytes)) {
      throw new IllegalArgumentException(
          "block size must be a power of two from 4 KiB to 1 MiB: " + blockSizeBytes);
    }
    this.blockSizeBytes = blockSizeBytes;
    this.signer = signer;
    this.trustedHost = trustedHost;
    this.keys = keys;
    this.recipients = List.copyOf(recipients);
    this.identities = List.copyOf(identities);
    if ((keys == null) == (this.recipients.isEmpty() && this.identities.isEmpty())) {
      throw new IllegalArgumentException(
          "a format-2 repository is opened with a symmetric key or with recipients and identities");
    }
    this.locks = Objects.requireNonNull(locks, "locks");
    this.level = level;
    this.threads = Math.max(1, Math.min(64, threads));
    this.rehash = rehash;
    this.changedFiles = Objects.requireNonNull(changedFiles, "changedFiles");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.info = Objects.requireNonNull(info, "info");
    this.stateFile = null;
  }

  private V2Settings(V2Settings s, java.nio.file.Path stateFile) {
    this.signer = s.signer;
    this.trustedHost = s.trustedHost;
    this.keys = s.keys;
    this.recipients = s.recipients;
    this.identities = s.identities;
    this.locks = s.locks;
    this.level = s.level;
    this.threads = s.threads;
    this.rehash = s.rehash;
    this.changedFiles = s.changedFiles;
    this.clock = s.clock;
    this.ids = s.ids;
    this.info = s.info;
    this.blockSizeBytes = s.blockSizeBytes;
    this.stateFile = stateFile;
    this.newKeys = s.newKeys;
    this.maxChain = s.maxChain;
  }

  /**
   * These settings with a host state file (option {@code state-file}): after each backup the host
   * records it there, sealed under a key derived from its host key, and a write-only host takes
   * incrementals on it (docs/keys.md, "Write-only hosts").
   *
   * @param stateFile the state file
   * @return the new settings
   * @throws IllegalArgumentException if there is no host key to seal the state with
   */
  public V2Settings withStateFile(java.nio.file.Path stateFile) {
    Objects.requireNonNull(stateFile, "stateFile");
    if (signer == null) {
      throw new IllegalArgumentException(
          "option state-file of provider 'archive' needs host-key-file: the state is sealed with "
              + "the host key and names the host's last backup by its signature");
    }
    return new V2Settings(this, stateFile);
  }

  /**
   * These settings, able to rekey: {@code parser} turns the new key options of a rekey ({@link
   * dev.coffer.BackupRepository#rekey}) into settings whose key source is the new keys, or throws
   * {@link IllegalArgumentException} naming the option at fault.
   *
   * @param parser the parser of new key options
   * @return these settings (the parser is set once, before the repository opens)
   */
  public V2Settings withNewKeys(Function<Map<String, String>, V2Settings> parser) {
    this.newKeys = Objects.requireNonNull(parser, "parser");
    return this;
  }

  /** The settings of a rekey's new keys. */
  V2Settings newKeys(Map<String, String> options) {
    if (newKeys == null) {
      throw new UnsupportedOperationException("this repository was opened without a key parser");
    }
    return newKeys.apply(options);
  }

  /**
   * Sets option {@code max-chain}: the most incrementals on one full backup; a backup asked for on
   * a base that already has that many is written as a full backup whose unchanged files are copied
   * from the chain, not read ({@link ChainCopy}). Call it before the repository is opened.
   *
   * @param incrementals 1 to 998 (the format's limit, and the default)
   * @return these settings
   * @throws IllegalArgumentException if out of range
   */
  public V2Settings maxChain(int incrementals) {
    if (incrementals < 1 || incrementals > V2Format.MAX_CHAIN - 2) {
      throw new IllegalArgumentException("max-chain must be 1 to 998: " + incrementals);
    }
    this.maxChain = incrementals;
    return this;
  }

  /** The most incrementals on one full backup (option {@code max-chain}). */
  int maxChain() {
    return maxChain;
  }

  V2WriteOptions writeOptions() {
    return new V2WriteOptions(
        blockSizeBytes, level, threads, rehash, V2WriteOptions.DEFAULT_GRANULARITY);
  }

  @Override
  public String toString() {
    return "V2Settings[level "
        + level
        + ", "
        + threads
        + " threads, block size "
        + blockSizeBytes
        + ", keys redacted]";
  }
}
