package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.WriterLock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The staging directory of one backup being written ({@code .staging-<id>/data/}) and the lock file
 * that tells other processes its writer is alive ({@code .lock-<id>}); and the removal of the
 * leftovers whose writer is gone.
 *
 * <p>{@link #begin} creates and locks the lock file, then the staging directory; {@link #publish}
 * renames the staging directory to the backup's name; {@link #close} removes the staging directory
 * unless it was published, then the lock file. Confined to the thread of its backup.
 */
final class Staging implements AutoCloseable {

  /** Warnings and clean-ups a host should see (docs/observability.md). */
  private static final System.Logger LOG = System.getLogger("dev.coffer.local");

  private final Layout layout;
  private final String id;
  private final Path directory;
  private WriterLock lock;
  private boolean created;
  private boolean published;

  private Staging(Layout layout, String id) {
    this.layout = layout;
    this.id = id;
    this.directory = layout.staging(id);
  }

  /** Locks {@code .lock-<id>} ({@link WriterLock}) and creates {@code .staging-<id>/data/}. */
  static Staging begin(Layout layout, String id) throws IOException {
    Staging s = new Staging(layout, id);
    s.lock = WriterLock.acquire(layout.lockFile(id));
    try {
      Files.createDirectory(s.directory);
      s.created = true;
      Files.createDirectory(s.data());
      return s;
    } catch (Throwable t) {
      try {
        s.close();
      } catch (IOException again) {
        t.addSuppressed(again);
      }
      throw t;
    }
  }

  /** The staging directory, where the metadata files go. */
  Path directory() {
    return directory;
  }

  /** The staging {@code data/} directory. */
  Path data() {
    return directory.resolve(Layout.DATA);
  }

  /**
   * Forces the staging directory and renames it to the backup's name, forcing the repository too.
   */
  void publish(boolean fsync) throws IOException {
    if (fsync) {
      Disk.forceDirectory(directory);
    }
    Files.move(directory, layout.published(id), StandardCopyOption.ATOMIC_MOVE);
    published = true;
    if (fsync) {
      Disk.forceDirectory(layout.root());
    }
  }

  /**
   * Removes the staging directory unless it was published (a failure to do so is thrown, and the
   * next open removes it), then the lock file.
   */
  @Override
  public void close() throws IOException {
    try {
      if (created && !published) {
        FileTrees.deleteRecursively(directory);
      }
    } finally {
      lock.close();
    }
  }

  /**
   * Removes the leftovers of interrupted deletions, and of backups whose writer is gone: a staging
   * directory (or a lone lock file) is abandoned when its {@link WriterLock} is held by no writer,
   * in this JVM or another process. Best effort: failures leave the leftover for the next open, and
   * leftovers are never listed.
   */
  static void removeLeftovers(Layout layout) throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(layout.root())) {
      stream.forEach(entries::add);
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      try {
        if (name.startsWith(Layout.DELETING)) {
          FileTrees.deleteRecursively(p);
          LOG.log(System.Logger.Level.INFO, "finished the interrupted deletion {0}", p);
        } else if (name.startsWith(Layout.STAGING)) {
          WriterLock.removeIfAbandoned(layout.lockFile(name.substring(Layout.STAGING.length())), p);
        } else if (name.startsWith(Layout.LOCK)
            && !Files.exists(
                layout.staging(name.substring(Layout.LOCK.length())), NOFOLLOW_LINKS)) {
          WriterLock.removeIfAbandoned(p);
        }
      } catch (IOException e) {
        // left for the next open; never listed meanwhile
        LOG.log(
            System.Logger.Level.WARNING,
            "could not remove the leftover {0} (tried again at the next open): {1}",
            p,
            e.toString());
      }
    }
  }
}
