package dev.coffer.local;

import dev.coffer.spi.support.ChangedFilesPolicy;
import java.util.Objects;

/**
 * The options of one open repository, parsed by {@link LocalBackupProvider}.
 *
 * @param fsync whether files and directories are forced to disk before a backup or restore is
 *     published
 * @param compareCrc whether an incremental also compares CRC32C before reusing an unchanged file
 * @param hardlinks whether an incremental hard-links unchanged files from its base
 * @param threads how many threads copy and checksum files (at least 1)
 * @param changedFiles what a source file that changes while it is copied means (rule P34)
 */
record Settings(
    boolean fsync,
    boolean compareCrc,
    boolean hardlinks,
    int threads,
    ChangedFilesPolicy changedFiles) {
  Settings {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    Objects.requireNonNull(changedFiles, "changedFiles");
  }

  /** Settings that warn about every source file that changes while it is copied. */
  Settings(boolean fsync, boolean compareCrc, boolean hardlinks, int threads) {
    this(fsync, compareCrc, hardlinks, threads, ChangedFilesPolicy.DEFAULT);
  }
}
