package dev.coffer;

/**
 * The key or passphrase given does not open this backup (its key commitment did not match), or a
 * key was given for a backup that has none, or none for one that needs it. The message never
 * contains key material.
 */
public class WrongKeyException extends BackupException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the condition, naming the backup; never key material
   */
  public WrongKeyException(String message) {
    super(message);
  }
}
