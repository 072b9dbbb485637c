package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

  /**
   * Lock files of the backups running in this JVM. Checked before touching a lock file, because
   * closing any channel on a file drops the process's POSIX lock on it.
   */
  private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();

  private final Layout layout;
  private final String id;
  private final Path lockFile;
  private final Path directory;
  private FileChannel lockChannel;
  private boolean created;
  private boolean published;

  private Staging(Layout layout, String id) {
    this.layout = layout;
    this.id = id;
    this.lockFile = layout.lockFile(id);
    this.directory = layout.staging(id);
  }

  /** Locks {@code .lock-<id>} and creates {@code .staging-<id>/data/}. */
  static Staging begin(Layout layout, String id) throws IOException {
    Staging s = new Staging(layout, id);
    ACTIVE.add(s.lockFile);
    try {
      s.lockChannel = FileChannel.open(s.lockFile, CREATE_NEW, WRITE);
      lock(s.lockChannel);
      if (!Files.exists(s.lockFile, NOFOLLOW_LINKS)) {
        // another instance's open() removed it as abandoned before we locked it: start over cleanly
        throw new IOException(
            "lock file " + s.lockFile + " was removed concurrently; retry the backup");
      }
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
      try {
        if (lockChannel != null) {
          lockChannel.close();
        }
        Files.deleteIfExists(lockFile);
      } catch (IOException ignored) {
        // a stray lock file is harmless and never listed; the next open removes it
      } finally {
        ACTIVE.remove(lockFile);
      }
    }
  }

  private static void lock(FileChannel channel) throws IOException {
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IOException("cannot lock a fresh staging lock file " + channel);
      }
    } catch (UnsupportedOperationException noLocks) {
      // without locks, only the age rule protects a running backup from another open()
    }
  }

  /**
   * Removes the leftovers of interrupted deletions, and of backups whose writer is gone: a staging
   * directory (or a lone lock file) is abandoned when no backup of this JVM owns it and its lock
   * file can be locked (a backup running in another process holds that lock). File systems whose
   * locks do not exclude (Jimfs) live in one JVM, where the in-process registry protects running
   * backups. Best effort: failures leave the leftover for the next open, and leftovers are never
   * listed.
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
          removeAbandoned(p, layout.lockFile(name.substring(Layout.STAGING.length())));
        } else if (name.startsWith(Layout.LOCK)
            && !Files.exists(
                layout.staging(name.substring(Layout.LOCK.length())), NOFOLLOW_LINKS)) {
          removeAbandoned(null, p);
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

  private static void removeAbandoned(Path staging, Path lockFile) throws IOException {
    if (ACTIVE.contains(lockFile)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(lockFile, CREATE, WRITE)) {
      try {
        if (ch.tryLock() == null) {
          return; // held by a backup running in another process
        }
      } catch (OverlappingFileLockException held) {
        return;
      } catch (UnsupportedOperationException noLocks) {
        // nothing to ask: only the in-process registry protects running backups here
      }
      if (staging != null) {
        FileTrees.deleteRecursively(staging);
      }
      Files.deleteIfExists(lockFile);
    }
  }
}
