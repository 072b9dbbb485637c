package dev.coffer.archive.v2;

import dev.coffer.store.ObjectStore;
import java.util.Objects;
import java.util.UUID;

/**
 * Where a version-2 repository lives: a store, a key prefix in it ({@code ""} or ending in {@code
 * /}) and the repository's id (bound into every commit, so objects of another repository are
 * refused).
 *
 * @param store the object store (not closed by the readers and writers)
 * @param prefix the key prefix of the repository's objects
 * @param repositoryId the repository id
 */
public record V2Location(ObjectStore store, String prefix, UUID repositoryId) {

  /**
   * Validates the components.
   *
   * @param store as described on the record
   * @param prefix as described on the record
   * @param repositoryId as described on the record
   * @throws IllegalArgumentException if the prefix is not a key prefix ending in {@code /} (or
   *     empty)
   */
  public V2Location {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(repositoryId, "repositoryId");
    new V2Layout(Objects.requireNonNull(prefix, "prefix"));
  }

  V2Layout layout() {
    return new V2Layout(prefix);
  }
}
