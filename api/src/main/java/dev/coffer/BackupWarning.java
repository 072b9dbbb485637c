package dev.coffer;

import static java.util.Objects.requireNonNull;

/**
 * Something a backup did not store exactly as found, recorded with the backup (see {@link
 * BackupMetadata#warnings()}) so that nothing is ever left out silently.
 *
 * @param path the {@code /}-separated path relative to the source root
 * @param kind what happened
 * @param detail a short human-readable explanation, for example {@code "socket"}
 */
public record BackupWarning(String path, Kind kind, String detail) {

  /** What a warning reports. */
  public enum Kind {
    /** A socket, FIFO or device node was left out (see {@link SpecialFiles#SKIP}). */
    SKIPPED_SPECIAL_FILE,
    /**
     * A regular file changed between the scan and the end of its read: its size, modification time,
     * change time or identity (file key) differed, it was deleted while open, or fewer or more
     * bytes were read than it held. The backup holds the bytes as read, which may be a version that
     * never existed as a whole; the detail says what changed.
     */
    CHANGED_WHILE_READ,
    /**
     * A regular file listed by the scan was gone when it was to be read: it is not in the backup. A
     * host in backup mode (PostgreSQL drops a table's files during an online backup) expects this;
     * its log replay accounts for the file.
     */
    VANISHED_WHILE_READ
  }

  /**
   * Validates the components.
   *
   * @param path as described on the record
   * @param kind as described on the record
   * @param detail as described on the record; {@code null} becomes empty
   * @throws NullPointerException if the path or kind is null
   */
  public BackupWarning {
    requireNonNull(path, "path");
    requireNonNull(kind, "kind");
    detail = detail == null ? "" : detail;
  }

  /**
   * The warning as one line, for logs and command-line output.
   *
   * @return for example {@code "skipped special file run/mysql.sock (socket)"} or {@code "file
   *     changed while read: log/app.log (size 838860800 -> 104857600 bytes)"}
   */
  @Override
  public String toString() {
    String what =
        switch (kind) {
          case SKIPPED_SPECIAL_FILE -> "skipped special file";
          case CHANGED_WHILE_READ -> "file changed while read:";
          case VANISHED_WHILE_READ -> "file vanished before it was read (left out):";
        };
    return what + " " + path + (detail.isEmpty() ? "" : " (" + detail + ")");
  }

  /**
   * Whether this warning says a file was not read as one stable version ({@link
   * Kind#CHANGED_WHILE_READ} or {@link Kind#VANISHED_WHILE_READ}): the backup may not hold the
   * source as it was at any one instant. {@code coffer backup} exits with its "completed with
   * warnings" code for these.
   *
   * @return true for a file that changed or vanished while the backup read it
   */
  public boolean changedWhileRead() {
    return kind == Kind.CHANGED_WHILE_READ || kind == Kind.VANISHED_WHILE_READ;
  }
}
