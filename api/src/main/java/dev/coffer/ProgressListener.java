package dev.coffer;

/**
 * Told about an operation's progress, so a CLI can draw a progress bar and a host can log.
 * Providers call it from the thread that runs the operation, at least once per file and at most
 * every few milliseconds for large files. A listener that throws aborts the operation, which then
 * cleans up exactly as after any other failure; that is the way to cancel.
 *
 * <p>A backup's totals may move while it runs (rule P34): a source file that vanished before it was
 * read is named by a report and leaves {@code filesTotal} and {@code bytesTotal}, and one read at
 * another size than scanned moves {@code bytesTotal} by the difference, so {@code bytesDone} never
 * passes {@code bytesTotal} and the last report equals the backup's totals. A provider that reads
 * the source again from its start ({@code changed-files=retry} in the archive provider) starts the
 * counts again.
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
