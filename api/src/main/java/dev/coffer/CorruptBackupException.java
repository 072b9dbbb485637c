package dev.coffer;

import java.util.Optional;

/**
 * Stored bytes failed a check: a checksum, MAC or tag mismatch, a malformed or truncated structure,
 * or a hostile name (absolute, {@code ..}, a symlinked parent). Restore refuses with this exception
 * and leaves its target as it was.
 */
public class CorruptBackupException extends BackupException {
  private static final long serialVersionUID = 1L;

  /** The relative path of the damaged item, or {@code null} when not tied to one. */
  private final String path;

  /**
   * Creates the exception.
   *
   * @param message the condition, naming the backup, the path and the values involved
   * @param path the relative path of the stored file concerned, or {@code null} if none applies
   */
  public CorruptBackupException(String message, String path) {
    super(message);
    this.path = path;
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the condition, naming the backup, the path and the values involved
   * @param path the relative path of the stored file concerned, or {@code null} if none applies
   * @param cause the underlying failure
   */
  public CorruptBackupException(String message, String path, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /**
   * Returns the relative path of the stored file that failed, when the failure concerns one file.
   *
   * @return the path, or empty when the failure concerns the backup as a whole
   */
  public Optional<String> path() {
    return Optional.ofNullable(path);
  }
}
