package dev.coffer;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The result of {@link BackupRepository#verify}: every problem found, and how much was checked.
 *
 * @param backupId the backup that was verified
 * @param problems every problem found, in the order found; empty when the backup is intact
 * @param filesChecked how many stored files were read
 * @param bytesChecked how many stored bytes were read
 */
public record VerifyReport(
    String backupId, List<Problem> problems, long filesChecked, long bytesChecked) {

  /** What is wrong with a stored item. */
  public enum Kind {
    /** Its bytes do not match the recorded checksum, MAC or size (changed or truncated). */
    CORRUPT,
    /** It is recorded but not stored. */
    MISSING,
    /** It is stored but not recorded. */
    UNEXPECTED,
    /**
     * The backup's own metadata (manifest, index, header) is unreadable, altered or inconsistent.
     */
    METADATA
  }

  /**
   * One problem.
   *
   * @param path the relative path of the item concerned (a file in the backup, or the provider's
   *     name for a metadata item such as {@code metadata.json})
   * @param kind what is wrong
   * @param detail one line saying what was expected and what was found
   */
  public record Problem(String path, Kind kind, String detail) {
    /**
     * Validates the components.
     *
     * @param path as described on the record
     * @param kind as described on the record
     * @param detail as described on the record
     * @throws NullPointerException if a component is null
     */
    public Problem {
      requireNonNull(path, "path");
      requireNonNull(kind, "kind");
      requireNonNull(detail, "detail");
    }
  }

  /**
   * Validates and copies the components.
   *
   * @param backupId as described on the record
   * @param problems as described on the record
   * @param filesChecked as described on the record
   * @param bytesChecked as described on the record
   * @throws NullPointerException if the id or problem list is null
   */
  public VerifyReport {
    requireNonNull(backupId, "backupId");
    problems = List.copyOf(problems);
  }

  /**
   * Whether the backup is intact.
   *
   * @return true when no problem was found
   */
  public boolean ok() {
    return problems.isEmpty();
  }
}
