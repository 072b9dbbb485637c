package dev.coffer;

/**
 * Whose files a restore creates: how the recorded owner and group of each file are applied. Set per
 * restore with {@link RestoreRequest#withOwners(OwnerPolicy)}; the default is {@link #AUTO}, which
 * does what {@code tar} and {@code restic} do.
 *
 * <p>Owners are only ever applied where the backup recorded them and the target file system has
 * POSIX owners. Changing a file's owner normally needs root (or {@code CAP_CHOWN}).
 */
public enum OwnerPolicy {
  /**
   * Sets owners by name where the name exists on this machine, else by numeric id, when the process
   * may; when it may not (a non-root restore), the restore goes on with the restoring user as owner
   * and says so once through the {@code dev.coffer.restore} {@link System.Logger}. Never fails a
   * restore.
   */
  AUTO,
  /**
   * Like {@link #AUTO}, but failing to set an owner fails the restore (the target is left
   * unchanged).
   */
  PRESERVE,
  /**
   * Sets owners by recorded numeric id only, ignoring names (as {@code tar --numeric-owner}); fails
   * like {@link #PRESERVE} when not permitted.
   */
  NUMERIC,
  /** Never changes owners: restored files belong to the restoring user. */
  CURRENT
}
