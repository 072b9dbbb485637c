package dev.coffer.spi;

/**
 * An optional ability of a {@link BackupProvider}. The conformance suite tests every capability a
 * provider declares, and checks that it refuses cleanly what it does not declare.
 */
public enum Capability {
  /** Incremental backups relative to a base backup (rule P12). */
  INCREMENTAL,
  /**
   * Incremental backups stay restorable when their base is deleted; without it, deleting a base
   * that has dependents is refused (rule P22).
   */
  INDEPENDENT_INCREMENTALS,
  /** Symbolic links in the source are stored as links and restored as links (rule P9). */
  SYMLINKS,
  /** Last-modified times of files are restored (rule P20). */
  TIMESTAMPS,
  /** A subset of paths can be restored (rule P19). */
  PARTIAL_RESTORE,
  /** Stored bytes are encrypted; without the key, no content is readable (rule P25). */
  ENCRYPTION,
  /** Stored bytes are compressed (rule P26). */
  COMPRESSION,
  /**
   * POSIX permission bits and owners of files, directories and the source root are recorded and
   * restored where both file systems have them (rules P27 to P29).
   */
  POSIX_ATTRIBUTES,
  /**
   * Repositories can also be kept in an {@link dev.coffer.store.ObjectStore} such as an S3 bucket:
   * {@link BackupProvider#open(dev.coffer.store.ObjectStore, java.util.Map)} is implemented (rule
   * P6). Where a provider keeps only some kinds of repository in stores, the others are refused by
   * that method with an {@link IllegalArgumentException} naming the option that selects them (the
   * {@code archive} provider: {@code format=2} only).
   */
  OBJECT_STORES,
  /**
   * Public-key (recipient) encryption: a repository can be written with public keys only (a
   * write-only host), and what it writes is read with a matching private key (identity) only (rule
   * P35).
   */
  RECIPIENTS,
  /**
   * Key rotation without rewriting data ({@link dev.coffer.BackupRepository#rekey}, rule P36). A
   * provider whose every repository can rekey declares it in {@link BackupProvider#capabilities()};
   * one whose repositories differ (the {@code archive} provider: format 2 only) declares it in the
   * repository's {@link dev.coffer.RepositoryInfo#capabilities()} only, which is what callers and
   * the TCK ask.
   */
  REKEY
}
