package dev.coffer.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What a store knows about one complete object.
 *
 * @param key the object's key
 * @param sizeBytes its length in bytes
 * @param lastModified when it was written, as the store records it
 */
public record ObjectInfo(String key, long sizeBytes, Instant lastModified) {

  /**
   * Validates the components.
   *
   * @param key as described on the record
   * @param sizeBytes as described on the record
   * @param lastModified as described on the record
   * @throws IllegalArgumentException if the key is not a valid key or the size is negative
   */
  public ObjectInfo {
    ObjectKeys.check(key);
    requireNonNull(lastModified, "lastModified");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("negative size " + sizeBytes + " for object " + key);
    }
  }
}
