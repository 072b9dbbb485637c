package dev.coffer.local;

/**
 * The options of one open repository, parsed by {@link LocalBackupProvider}.
 *
 * @param fsync whether files and directories are forced to disk before a backup or restore is
 *     published
 * @param compareCrc whether an incremental also compares CRC32C before reusing an unchanged file
 * @param hardlinks whether an incremental hard-links unchanged files from its base
 * @param threads how many threads copy and checksum files (at least 1)
 */
record Settings(boolean fsync, boolean compareCrc, boolean hardlinks, int threads) {
  Settings {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
  }
}
