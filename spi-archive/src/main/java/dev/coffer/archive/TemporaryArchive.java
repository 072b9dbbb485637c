package dev.coffer.archive;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.coffer.BackupId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary file {@code .tmp-<id>} of one backup being written, and the lock file {@code
 * .lock-<id>} that tells other instances and processes its writer is alive; and the test whether a
 * temporary file was abandoned by a writer that is gone (crashed, killed).
 *
 * <p>{@link #begin} registers the backup in this JVM, then creates and locks the lock file; {@link
 * #close} removes the temporary file (gone already once published), then the lock file. Confined to
 * the thread of its backup.
 */
final class TemporaryArchive implements AutoCloseable {

  static final String LOCK_PREFIX = ".lock-";

  /**
   * Lock files of the backups running in this JVM. Checked before touching a lock file, because
   * closing any channel on a file drops the process's POSIX lock on it, and because some file
   * systems (Jimfs) have locks that do not exclude within one JVM.
   */
  private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final Path lockFile;
  private FileChannel lockChannel;
  private boolean published;

  private TemporaryArchive(Path root, String id) {
    this.file = root.resolve(Format.TEMP_PREFIX + id);
    this.lockFile = root.resolve(LOCK_PREFIX + id);
  }

  /** Registers and locks the backup {@code id} before its temporary file is created. */
  static TemporaryArchive begin(Path root, String id) throws IOException {
    TemporaryArchive t = new TemporaryArchive(root, id);
    if (!ACTIVE.add(t.lockFile)) {
      throw new FileAlreadyExistsException(t.lockFile + " (a backup of this id is running)");
    }
    try {
      t.lockChannel = FileChannel.open(t.lockFile, CREATE_NEW, WRITE);
      try {
        FileLock lock = t.lockChannel.tryLock();
        if (lock == null) {
          throw new IOException("cannot lock a fresh lock file " + t.lockFile);
        }
      } catch (UnsupportedOperationException noLocks) {
        // without locks, only the in-process registry protects a running backup
      }
      if (!Files.exists(t.lockFile, NOFOLLOW_LINKS)) {
        throw new IOException(
            "lock file " + t.lockFile + " was removed concurrently; retry the backup");
      }
      return t;
    } catch (IOException | RuntimeException | Error e) {
      try {
        t.close();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /** Where the backup is written until it is complete and renamed. */
  Path file() {
    return file;
  }

  /** Records that the temporary file was renamed to the backup's name. */
  void published() {
    published = true;
  }

  /**
   * Removes the temporary file unless it was published (a failure to do so is thrown, and the next
   * open removes it), then the lock file; nothing if {@link #begin} did not create the lock file.
   */
  @Override
  public void close() throws IOException {
    try {
      if (lockChannel != null && !published) {
        Files.deleteIfExists(file);
      }
    } finally {
      try {
        if (lockChannel != null) {
          lockChannel.close();
          Files.deleteIfExists(lockFile);
        }
      } catch (IOException ignored) {
        // a stray lock file is never listed; the next open removes it
      } finally {
        ACTIVE.remove(lockFile);
      }
    }
  }

  /**
   * The id of a backup's temporary or lock file name, if {@code name} is one ({@code .tmp-<id>} or
   * {@code .lock-<id>} with a valid id).
   */
  static String idOf(String name) {
    String id =
        name.startsWith(Format.TEMP_PREFIX)
            ? name.substring(Format.TEMP_PREFIX.length())
            : name.startsWith(LOCK_PREFIX) ? name.substring(LOCK_PREFIX.length()) : null;
    return BackupId.isValid(id) ? id : null;
  }

  /**
   * Removes the temporary file and lock file of backup {@code id} when its writer is gone: no
   * backup of this JVM owns it and its lock file can be locked (a backup running in another process
   * holds that lock). Returns whether they were removed.
   */
  static boolean removeIfAbandoned(Path root, String id) throws IOException {
    TemporaryArchive t = new TemporaryArchive(root, id);
    if (ACTIVE.contains(t.lockFile)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(t.lockFile, CREATE, WRITE)) {
      try {
        if (ch.tryLock() == null) {
          return false; // held by a backup running in another process
        }
      } catch (OverlappingFileLockException held) {
        return false;
      } catch (UnsupportedOperationException noLocks) {
        // nothing to ask: only the in-process registry protects running backups here
      }
      Files.deleteIfExists(t.file);
      Files.deleteIfExists(t.lockFile);
      return true;
    }
  }
}
