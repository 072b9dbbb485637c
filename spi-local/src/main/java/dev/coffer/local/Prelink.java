package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.local.Manifest.FileEntry;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hard links of an incremental backup, made on a thread of their own while the caller scans the
 * source: most files of a database directory are unchanged between two backups, so the base's
 * directory tree and a link to each of its stored files are what the new backup's {@code data/}
 * will mostly be.
 *
 * <p>The thread recreates the base's directories under the staging {@code data/} directory (parents
 * first) and links each stored file of the base that is a regular file of its recorded size (a copy
 * that is missing, truncated or replaced is left out, so the caller copies the source instead).
 * Once the scan is done, the caller {@linkplain #finish() joins in}: both threads take the files
 * still to link in chunks from one counter, so the two cores share what the scan left (the scan is
 * the shorter job). The caller then takes what was made and undoes what the source does not want:
 * links of files that changed or are gone, directories that are gone. Every link and directory is
 * made in the fresh staging directory, from paths the base's manifest holds (validated when it was
 * parsed), so nothing is written anywhere else.
 *
 * <p>This is an optimisation only: when the file system cannot link, or any step fails (a full
 * disk, an injected fault), the thread stops and the caller makes whatever is missing itself,
 * meeting any lasting error there. {@link #close()} stops the thread and waits for it, so the
 * caller may delete the staging directory after it.
 */
final class Prelink implements AutoCloseable {

  /** What was made: the directories (parents first) and the linked files, by relative path. */
  record Made(List<String> directories, Set<String> files) {
    static final Made NOTHING = new Made(List.of(), Set.of());
  }

  /**
   * Files a thread takes from the counter at a time: few enough to end together, enough to rarely
   * meet.
   */
  private static final int CHUNK = 16;

  private final List<FileEntry> baseFiles;
  private final Path baseData;
  private final Path data;
  private final Thread thread;
  private final List<String> directories =
      new ArrayList<>(); // written by the thread; read after join

  /**
   * Whether file i was linked; each index is written by the one thread that took it from {@link
   * #next}.
   */
  private final boolean[] linked;

  private final AtomicInteger next = new AtomicInteger();

  /**
   * Counted down by the thread when it is done with the directories, whether it made them all or
   * not.
   */
  private final CountDownLatch directoriesDone = new CountDownLatch(1);

  /** Set by the thread once every directory exists, so the caller may link too. */
  private volatile boolean directoriesMade;

  private volatile boolean stopped;
  private boolean joined;

  private Prelink(Manifest base, Path baseData, Path data) {
    this.baseFiles = base.files();
    this.baseData = baseData;
    this.data = data;
    this.linked = new boolean[baseFiles.size()];
    this.thread = new Thread(() -> run(base.directories()), "coffer-local-prelink");
    thread.setDaemon(true);
  }

  /**
   * Starts linking {@code base}'s stored files (under {@code baseData}) into the empty {@code
   * data}.
   */
  static Prelink start(Manifest base, Path baseData, Path data) {
    Prelink p = new Prelink(base, baseData, data);
    p.thread.start();
    return p;
  }

  private void run(List<String> baseDirectories) {
    try {
      try {
        for (String d : baseDirectories) { // sorted: every parent before its children
          if (stopped) {
            return;
          }
          Files.createDirectory(Layout.under(data, d));
          directories.add(d);
        }
        directoriesMade = true;
      } finally {
        directoriesDone.countDown();
      }
      linkShare();
    } catch (IOException | RuntimeException stop) {
      // no links here, or a write failed: the caller makes what is missing and meets a lasting
      // error itself
      stopped = true;
    }
  }

  /** Links the files this thread takes from the counter until none are left or the work stopped. */
  private void linkShare() throws IOException {
    Under in = new Under(baseData); // one each: an Under is not thread-safe
    Under out = new Under(data);
    int n = baseFiles.size();
    int first;
    while (!stopped && (first = next.getAndAdd(CHUNK)) < n) {
      for (int i = first, end = Math.min(n, first + CHUNK); i < end && !stopped; i++) {
        linked[i] = link(baseFiles.get(i), in, out);
      }
    }
  }

  /** Links one stored file of the base if it is still a regular file of its recorded size. */
  private static boolean link(FileEntry f, Under in, Under out) throws IOException {
    Path from = in.resolve(f.path());
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(from, BasicFileAttributes.class, NOFOLLOW_LINKS);
    } catch (FileSystemException missing) {
      return false;
    }
    if (!attrs.isRegularFile() || attrs.size() != f.size()) {
      return false; // damaged or replaced since it was stored: the caller copies the source
    }
    try {
      Files.createLink(out.resolve(f.path()), from);
    } catch (FileSystemException notLinkable) {
      return false; // too many links, another device, a parent the base did not record
    }
    return true;
  }

  /**
   * Links the files still left alongside the thread, waits for it and returns what was made; the
   * caller owns it from now on. Any failure here only stops the linking: what is missing is the
   * caller's to make.
   */
  Made finish() {
    try {
      directoriesDone
          .await(); // short: a few directories, while the scan took the time of every file
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller's to see; this only skips helping
    }
    if (directoriesMade && !stopped) {
      try {
        linkShare();
      } catch (IOException | RuntimeException stop) {
        stopped = true;
      }
    }
    join();
    Set<String> files = new HashSet<>();
    for (int i = 0; i < linked.length; i++) {
      if (linked[i]) {
        files.add(baseFiles.get(i).path());
      }
    }
    return new Made(List.copyOf(directories), Collections.unmodifiableSet(files));
  }

  /** Stops the thread and waits for it; idempotent. */
  @Override
  public void close() {
    stopped = true;
    join();
  }

  private void join() {
    if (joined) {
      return;
    }
    ParallelCopy.joinAll(List.of(thread), () -> stopped = true);
    joined = true;
  }
}
