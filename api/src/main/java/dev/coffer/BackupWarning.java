package dev.coffer;

import static java.util.Objects.requireNonNull;

/**
 * Something a backup did not store exactly as found, recorded with the backup (see
 * {@link BackupMetadata#warnings()}) so that nothing is ever left out silently.
 *
 * @param path the {@code /}-separated path relative to the source root
 * @param kind what happened
 * @param detail a short human-readable explanation, for example {@code "socket"}
 */
public record BackupWarning(String path, Kind kind, String detail) {

  /** What a warning reports. */
  public enum Kind {
    /** A socket, FIFO or device node was left out (see {@link SpecialFiles#SKIP}). */
    SKIPPED_SPECIAL_FILE
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
   * @return for example {@code "skipped special file run/mysql.sock (socket)"}
   */
  @Override
  public String toString() {
    String what = switch (kind) {
      case SKIPPED_SPECIAL_FILE -> "skipped special file";
    };
    return what + " " + path + (detail.isEmpty() ? "" : " (" + detail + ")");
  }
}
