package dev.coffer.spi.support;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

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
 * The lock file that tells other repository instances and processes that the writer of one backup
 * is alive, so that their {@code open} removes the leftovers of a crashed writer (rule P10) and
 * never those of a running one.
 *
 * <p>A writer calls {@link #acquire} before it creates anything else of its backup (a staging
 * directory, a temporary file), and closes the lock after it has published the backup or removed
 * what it wrote. {@code open} calls {@link #removeIfAbandoned} for each lock file and leftover it
 * finds. A writer is alive while its lock file is registered in this JVM or locked by another
 * process ({@link FileChannel#tryLock}). The registry in this JVM is needed because closing any
 * channel on a file drops the process's lock on it, and because some file systems (Jimfs) have
 * locks that do not exclude; a file system without locks is protected by the registry alone, which
 * is enough for one that lives in one JVM.
 *
 * <p>Usage, as a provider publishing a staging directory:
 *
 * <pre>{@code
 * try (WriterLock lock = WriterLock.acquire(root.resolve(".lock-" + id))) {
 *   ... write root/.staging-<id>, then rename it to root/<id> (or delete it on failure)
 * }
 * // and in open(), for each .lock-<id> or .staging-<id> found:
 * WriterLock.removeIfAbandoned(root.resolve(".lock-" + id), root.resolve(".staging-" + id));
 * }</pre>
 *
 * <p>An instance is confined to the thread of its backup; the static methods are thread-safe.
 */
public final class WriterLock implements AutoCloseable {

  /** Lock files of the writers running in this JVM. */
  private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();

  private final Path file;
  private FileChannel channel;
  private boolean closed;

  private WriterLock(Path file) {
    this.file = file;
  }

  /**
   * Registers {@code lockFile} in this JVM, creates it (it must not exist) and locks it, then
   * checks it still exists (another process's {@link #removeIfAbandoned} may have taken it for a
   * crashed writer's between the create and the lock).
   *
   * @param lockFile the lock file of one backup, beside its leftovers
   * @return the held lock; close it when the backup is published or its files are removed
   * @throws FileAlreadyExistsException if a writer of this JVM holds it, or the file exists
   * @throws IOException if it cannot be created or locked, or was removed concurrently (the backup
   *     may be retried)
   */
  public static WriterLock acquire(Path lockFile) throws IOException {
    WriterLock w = new WriterLock(requireNonNull(lockFile, "lockFile"));
    if (!ACTIVE.add(w.file)) {
      throw new FileAlreadyExistsException(w.file + " (a backup of this id is running)");
    }
    try {
      w.channel = FileChannel.open(w.file, CREATE_NEW, WRITE);
      try {
        FileLock lock = w.channel.tryLock();
        if (lock == null) {
          throw new IOException("cannot lock a fresh lock file " + w.file);
        }
      } catch (UnsupportedOperationException noLocks) {
        // without locks, only the registry of this JVM protects the running backup
      }
      if (!Files.exists(w.file, NOFOLLOW_LINKS)) {
        throw new IOException(
            "lock file " + w.file + " was removed concurrently; retry the backup");
      }
      return w;
    } catch (IOException | RuntimeException | Error e) {
      w.close();
      throw e;
    }
  }

  /**
   * The lock file.
   *
   * @return the path given to {@link #acquire}
   */
  public Path file() {
    return file;
  }

  /**
   * Releases the lock, deletes the lock file (a failure is ignored: a stray lock file is never a
   * backup, and the next {@link #removeIfAbandoned} removes it) and unregisters it. Idempotent;
   * never throws, so a backup that was published never fails because of its lock.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (channel != null) {
        channel.close();
        Files.deleteIfExists(file);
      }
    } catch (IOException ignored) {
      // see above
    } finally {
      ACTIVE.remove(file);
    }
  }

  /**
   * Removes the leftovers of the writer of {@code lockFile} when that writer is gone: no writer of
   * this JVM holds it and its lock can be taken (a writer running in another process holds it).
   * Then deletes {@code leftovers} (files or directories, recursively, never following links;
   * missing ones are fine) while holding the lock, then the lock file. Creates the lock file when
   * it is missing, so a lone leftover is judged the same way.
   *
   * @param lockFile the lock file of one backup
   * @param leftovers what its writer may have left (a staging directory, a temporary file)
   * @return true if the writer was gone and its files were removed; false if it is running
   * @throws IOException if the lock file cannot be opened or a leftover cannot be deleted (the
   *     caller leaves it for the next open)
   */
  public static boolean removeIfAbandoned(Path lockFile, Path... leftovers) throws IOException {
    requireNonNull(lockFile, "lockFile");
    if (ACTIVE.contains(lockFile)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lockFile, CREATE, WRITE)) {
      try {
        if (ch.tryLock() == null) {
          return false; // held by a backup running in another process
        }
      } catch (OverlappingFileLockException held) {
        return false;
      } catch (UnsupportedOperationException noLocks) {
        // nothing to ask: only the registry of this JVM protects running backups here
      }
      for (Path p : leftovers) {
        FileTrees.deleteRecursively(p);
      }
      Files.deleteIfExists(lockFile);
      return true;
    }
  }
}
