package dev.coffer.archive.v2;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Tells writers that are alive from ones that are gone: a backup holds its lock while it writes
 * objects, and {@code open} removes the objects of a backup without a commit only when its writer
 * is gone (crashed or killed), never those of a backup still running in this process or another.
 */
public interface WriterLocks {

  /**
   * Registers and locks backup {@code backupId} as being written, before its first object.
   *
   * @param backupId the new backup's id
   * @return the lock, released by {@code close}
   * @throws IOException if the lock cannot be taken
   */
  Closeable begin(String backupId) throws IOException;

  /**
   * Whether the writer of {@code backupId} is gone; if so its lock file is removed too.
   *
   * @param backupId a backup id
   * @return true when no writer holds the backup's lock
   * @throws IOException if the lock file cannot be examined
   */
  boolean abandoned(String backupId) throws IOException;

  /**
   * The ids of the backups that have a lock file (running, or crashed before they cleaned up).
   *
   * @return the ids
   * @throws IOException if the repository cannot be listed
   */
  List<String> lockedIds() throws IOException;

  /**
   * How long the objects of a backup without a commit, and a lease after its expiry, are kept
   * before an {@code open} removes them (option {@code leftover-hours}).
   *
   * @return the leftover age, 24 hours unless configured
   */
  default java.time.Duration leftoverAge() {
    return StoreWriterLocks.STALE;
  }

  /**
   * Whether {@link #abandoned} tells a running writer from a gone one at any moment (a lock held by
   * the writer), rather than by the age of its objects.
   *
   * @return true for lock files, false where writers hold no lock
   */
  default boolean seesRunningWriters() {
    return true;
  }
}
