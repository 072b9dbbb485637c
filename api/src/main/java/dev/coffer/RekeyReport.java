package dev.coffer;

/**
 * What a {@link BackupRepository#rekey rekey} did so far, or in all: told to its progress listener
 * after each backup, and returned at the end. Holds counts only, never a key.
 *
 * @param backups the backups the repository holds (those the rekey looks at)
 * @param rekeyed backups whose keys were re-wrapped by this call
 * @param skipped backups already wrapped for the new keys (by an earlier, interrupted call)
 * @param bytesWritten bytes this call wrote to the repository: key material and small sealed
 *     objects only, never a backup's data
 */
public record RekeyReport(long backups, long rekeyed, long skipped, long bytesWritten) {

  /**
   * Validates the counts.
   *
   * @param backups as described on the record
   * @param rekeyed as described on the record
   * @param skipped as described on the record
   * @param bytesWritten as described on the record
   * @throws IllegalArgumentException if a count is negative, or more backups are done than there
   *     are
   */
  public RekeyReport {
    if (backups < 0 || rekeyed < 0 || skipped < 0 || bytesWritten < 0) {
      throw new IllegalArgumentException("a rekey count is negative");
    }
    if (rekeyed + skipped > backups) {
      throw new IllegalArgumentException("more backups rekeyed or skipped than there are");
    }
  }
}
