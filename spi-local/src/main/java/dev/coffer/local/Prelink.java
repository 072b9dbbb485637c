package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.local.Manifest.FileEntry;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The hard links of an incremental backup, made on a thread of their own while the caller scans the
 * source: most files of a database directory are unchanged between two backups, so the base's directory
 * tree and a link to each of its stored files are what the new backup's {@code data/} will mostly be.
 *
 * <p>The thread recreates the base's directories under the staging {@code data/} directory (parents
 * first) and links each stored file of the base that is a regular file of its recorded size (a copy that
 * is missing, truncated or replaced is left out, so the caller copies the source instead). Once the scan
 * is done, the caller {@linkplain #finish() takes} what was made and undoes what the source does not
 * want: links of files that changed or are gone, directories that are gone. Every link and directory is
 * made in the fresh staging directory, from paths the base's manifest holds (validated when it was
 * parsed), so nothing is written anywhere else.
 *
 * <p>This is an optimisation only: when the file system cannot link, or any step fails (a full disk, an
 * injected fault), the thread stops and the caller makes whatever is missing itself, meeting any lasting
 * error there. {@link #close()} stops the thread and waits for it, so the caller may delete the staging
 * directory after it.
 */
final class Prelink implements AutoCloseable {

  /** What the thread made: the directories (parents first) and the linked files, by relative path. */
  record Made(List<String> directories, Set<String> files) {
    static final Made NOTHING = new Made(List.of(), Set.of());
  }

  private final Manifest base;
  private final Path baseData;
  private final Path data;
  private final Thread thread;
  private final List<String> directories = new ArrayList<>(); // written by the thread; read after join
  private final Set<String> files = new HashSet<>();
  private volatile boolean stopped;
  private boolean joined;

  private Prelink(Manifest base, Path baseData, Path data) {
    this.base = base;
    this.baseData = baseData;
    this.data = data;
    this.thread = new Thread(this::run, "coffer-local-prelink");
    thread.setDaemon(true);
  }

  /** Starts linking {@code base}'s stored files (under {@code baseData}) into the empty {@code data}. */
  static Prelink start(Manifest base, Path baseData, Path data) {
    Prelink p = new Prelink(base, baseData, data);
    p.thread.start();
    return p;
  }

  private void run() {
    try {
      LocalRepository.Under out = new LocalRepository.Under(data);
      LocalRepository.Under in = new LocalRepository.Under(baseData);
      for (String d : base.directories()) { // sorted: every parent before its children
        if (stopped) {
          return;
        }
        Files.createDirectory(out.resolve(d));
        directories.add(d);
      }
      for (FileEntry f : base.files()) {
        if (stopped) {
          return;
        }
        Path from = in.resolve(f.path());
        BasicFileAttributes attrs;
        try {
          attrs = Files.readAttributes(from, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (FileSystemException missing) {
          continue;
        }
        if (!attrs.isRegularFile() || attrs.size() != f.size()) {
          continue; // damaged or replaced since it was stored: the caller copies the source
        }
        try {
          Files.createLink(out.resolve(f.path()), from);
        } catch (FileSystemException notLinkable) {
          continue; // too many links, another device, a parent the base did not record
        }
        files.add(f.path());
      }
    } catch (IOException | RuntimeException stop) {
      // no links here, or a write failed: the caller makes what is missing and meets a lasting error itself
    }
  }

  /** Waits for the thread and returns what it made; the caller owns it from now on. */
  Made finish() {
    join();
    return new Made(List.copyOf(directories), Set.copyOf(files));
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
