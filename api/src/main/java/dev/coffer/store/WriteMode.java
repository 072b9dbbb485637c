package dev.coffer.store;

/** What {@link ObjectStore#write} does when the object already exists. */
public enum WriteMode {
  /** Replace it, atomically: readers see the old object or the new one, never a mix (rule S4). */
  REPLACE,
  /**
   * Fail with {@link java.nio.file.FileAlreadyExistsException} and leave it unchanged (rule S5).
   * Two writers racing to create the same key are told apart only where the store can (S3 with
   * conditional writes, a local file system): never build correctness on that exclusion.
   */
  IF_ABSENT
}
