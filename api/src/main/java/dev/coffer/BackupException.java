package dev.coffer;

import java.io.IOException;

/**
 * The root of Coffer's checked exceptions: a backup operation failed for a reason the caller may
 * want to handle. Subclasses name the conditions callers handle differently ({@link
 * NoSuchBackupException}, {@link CorruptBackupException}, {@link WrongKeyException}, {@link
 * BackupInUseException}).
 *
 * <p>Plain I/O failures (disk full, permission denied) surface as the JDK's own {@link IOException}
 * subclasses; caller mistakes (bad arguments, unknown options) are {@link
 * IllegalArgumentException}s. Messages never contain key material, passphrases or file contents.
 */
public class BackupException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what failed, naming the backup and path involved
   */
  public BackupException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what failed, naming the backup and path involved
   * @param cause the underlying failure
   */
  public BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
