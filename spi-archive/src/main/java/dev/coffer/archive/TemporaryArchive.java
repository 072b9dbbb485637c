package dev.coffer.archive;

import dev.coffer.BackupId;
import dev.coffer.spi.support.WriterLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The temporary file {@code .tmp-<id>} of one backup being written, and the lock file {@code
 * .lock-<id>} that tells other instances and processes its writer is alive ({@link WriterLock});
 * and the test whether a temporary file was abandoned by a writer that is gone (crashed, killed).
 *
 * <p>{@link #begin} acquires the lock before the temporary file is created; {@link #close} removes
 * the temporary file (gone already once published), then the lock. Confined to the thread of its
 * backup.
 */
final class TemporaryArchive implements AutoCloseable {

  static final String LOCK_PREFIX = ".lock-";

  private final Path file;
  private final WriterLock lock;
  private boolean published;

  private TemporaryArchive(Path file, WriterLock lock) {
    this.file = file;
    this.lock = lock;
  }

  /** Registers and locks the backup {@code id} before its temporary file is created. */
  static TemporaryArchive begin(Path root, String id) throws IOException {
    WriterLock lock = WriterLock.acquire(root.resolve(LOCK_PREFIX + id));
    return new TemporaryArchive(root.resolve(Format.TEMP_PREFIX + id), lock);
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
   * open removes it), then the lock file.
   */
  @Override
  public void close() throws IOException {
    try {
      if (!published) {
        Files.deleteIfExists(file);
      }
    } finally {
      lock.close();
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
   * Removes the temporary file and lock file of backup {@code id} when its writer is gone (see
   * {@link WriterLock#removeIfAbandoned}). Returns whether they were removed.
   */
  static boolean removeIfAbandoned(Path root, String id) throws IOException {
    return WriterLock.removeIfAbandoned(
        root.resolve(LOCK_PREFIX + id), root.resolve(Format.TEMP_PREFIX + id));
  }
}
