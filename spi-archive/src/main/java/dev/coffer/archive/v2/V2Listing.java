package dev.coffer.archive.v2;

import java.util.List;
import java.util.Objects;

/**
 * The backups of a version-2 repository, as its commit objects describe them, and the commit
 * objects that could not be read (reported apart: a damaged commit never hides the others).
 *
 * @param backups readable commits, oldest first
 * @param unreadable commit objects that are damaged, foreign or unreadable
 */
public record V2Listing(List<V2Summary> backups, List<Unreadable> unreadable) {

  /**
   * A commit object that could not be read.
   *
   * @param key its store key
   * @param reason why, without secrets
   */
  public record Unreadable(String key, String reason) {

    /**
     * Validates the components.
     *
     * @param key as described on the record
     * @param reason as described on the record
     */
    public Unreadable {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Copies the lists.
   *
   * @param backups as described on the record
   * @param unreadable as described on the record
   */
  public V2Listing {
    backups = List.copyOf(backups);
    unreadable = List.copyOf(unreadable);
  }
}
