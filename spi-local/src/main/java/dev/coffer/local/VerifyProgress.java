package dev.coffer.local;

import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import java.util.List;

/**
 * Tells a verify's listener the totals first, then the files and bytes checked so far ({@code
 * checked}).
 */
record VerifyProgress(ProgressListener listener, long[] checked, long filesTotal, long bytesTotal) {
  VerifyProgress(ProgressListener listener, long[] checked, List<ParallelCopy.Job> jobs) {
    this(listener, checked, jobs.size(), jobs.stream().mapToLong(ParallelCopy.Job::sizeHint).sum());
    in("", 0);
  }

  void in(String path, long bytesIntoFile) {
    listener.onProgress(
        new Progress(
            Progress.Phase.VERIFY,
            checked[0],
            filesTotal,
            checked[1] + bytesIntoFile,
            bytesTotal,
            path));
  }

  /** Counts a file checked and tells the listener. */
  void done(String path, long bytes) {
    checked[0]++;
    checked[1] += bytes;
    in(path, 0);
  }
}
