package dev.coffer;

/**
 * No backup with the given id exists in the repository. Thrown by every operation that takes a
 * backup id, including {@code backup} with an unknown incremental base.
 */
public class NoSuchBackupException extends BackupException {
  private static final long serialVersionUID = 1L;

  /** The id that names no backup. */
  private final String backupId;

  /**
   * Creates the exception for an id.
   *
   * @param backupId the id that was asked for (may be any string the caller gave)
   */
  public NoSuchBackupException(String backupId) {
    super("no such backup: " + backupId);
    this.backupId = backupId;
  }

  /**
   * Creates the exception for an id.
   *
   * @param backupId the id that was asked for
   */
  public NoSuchBackupException(BackupId backupId) {
    this(backupId.value());
  }

  /**
   * Returns the id that was asked for.
   *
   * @return the unknown backup id
   */
  public String backupId() {
    return backupId;
  }
}
