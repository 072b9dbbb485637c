package dev.coffer;

import static java.util.Objects.requireNonNull;

/**
 * A snapshot of an operation's progress, as told to a {@link ProgressListener}.
 *
 * @param phase the operation in progress
 * @param filesDone files completed so far
 * @param filesTotal files the operation will process, or -1 when not yet known
 * @param bytesDone bytes completed so far
 * @param bytesTotal bytes the operation will process, or -1 when not yet known
 * @param currentPath the relative path being processed, or {@code ""} between files
 */
public record Progress(
    Phase phase,
    long filesDone,
    long filesTotal,
    long bytesDone,
    long bytesTotal,
    String currentPath) {

  /** The operation a progress report is about. */
  public enum Phase {
    /** A backup (full or incremental). */
    BACKUP,
    /** A restore. */
    RESTORE,
    /** A verification. */
    VERIFY
  }

  /**
   * Validates the components.
   *
   * @param phase as described on the record
   * @param filesDone as described on the record
   * @param filesTotal as described on the record
   * @param bytesDone as described on the record
   * @param bytesTotal as described on the record
   * @param currentPath as described on the record
   * @throws NullPointerException if phase or currentPath is null
   */
  public Progress {
    requireNonNull(phase, "phase");
    requireNonNull(currentPath, "currentPath");
  }

  /**
   * The fraction of bytes done, from 0 to 1, or -1 when the total is unknown.
   *
   * @return the fraction done
   */
  public double fractionDone() {
    if (bytesTotal < 0) {
      return -1;
    }
    return bytesTotal == 0 ? 1.0 : Math.min(1.0, (double) bytesDone / bytesTotal);
  }
}
