package dev.coffer;

/**
 * What a backup does with special files in its source: sockets, FIFOs and device nodes. Set per
 * backup with {@link BackupRequest#withSpecialFiles(SpecialFiles)}; the default is {@link #SKIP}.
 *
 * <p>Skipping is the default because a socket is recreated by its server when it starts (a restored
 * stale {@code mysql.sock} is harmful), and a FIFO or device cannot be created through {@code
 * java.nio} on an arbitrary file system. A special file is never skipped silently: each one is
 * listed in {@link BackupMetadata#warnings()}.
 */
public enum SpecialFiles {
  /**
   * Leave special files out and report each one as a {@link
   * BackupWarning.Kind#SKIPPED_SPECIAL_FILE}.
   */
  SKIP,
  /** Refuse the backup, naming the first special file found. */
  FAIL
}
