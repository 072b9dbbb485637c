package dev.coffer;

import java.util.List;

/**
 * A backup cannot be deleted because other backups depend on it (it is the base of incremental
 * backups and the provider stores increments as differences). Nothing was changed.
 */
public class BackupInUseException extends BackupException {
  private static final long serialVersionUID = 1L;

  /** The backup that other backups depend on. */
  private final String backupId;

  /** The ids of the backups that depend on it. */
  private final List<String> dependents;

  /**
   * Creates the exception.
   *
   * @param backupId the backup that was to be deleted
   * @param dependents the ids of the backups that depend on it
   */
  public BackupInUseException(String backupId, List<String> dependents) {
    super(
        "backup "
            + backupId
            + " is the base of "
            + dependents
            + "; delete those first or prune the chain");
    this.backupId = backupId;
    this.dependents = List.copyOf(dependents);
  }

  /**
   * Returns the id of the backup that was to be deleted.
   *
   * @return the backup id
   */
  public String backupId() {
    return backupId;
  }

  /**
   * Returns the ids of the backups that depend on it.
   *
   * @return the dependent backup ids, never empty
   */
  public List<String> dependents() {
    return dependents;
  }
}
