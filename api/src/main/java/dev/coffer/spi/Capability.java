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
   * Key rotation without rewriting data ({@link dev.coffer.BackupRepository#rekey}, rule P36). A
   * provider whose every repository can rekey declares it in {@link BackupProvider#capabilities()};
   * one whose repositories differ (the {@code archive} provider: format 2 only) declares it in the
   * repository's {@link dev.coffer.RepositoryInfo#capabilities()} only, which is what callers and
   * the TCK ask.
   */
  REKEY
}
