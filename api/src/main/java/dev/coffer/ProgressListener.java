package dev.coffer;

/**
 * Told about an operation's progress, so a CLI can draw a progress bar and a host can log.
 * Providers call it from the thread that runs the operation, at least once per file and at most
 * every few milliseconds for large files. A listener that throws aborts the operation, which then
 * cleans up exactly as after any other failure; that is the way to cancel.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = progress -> {};

  /**
   * Receives one progress report.
   *
   * @param progress the current state
   */
  void onProgress(Progress progress);
}
