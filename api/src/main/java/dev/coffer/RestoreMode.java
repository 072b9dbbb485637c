package dev.coffer;

/** How a restore treats its target directory. */
public enum RestoreMode {
  /**
   * The target must be absent or an empty directory; otherwise the restore fails with {@link
   * java.nio.file.DirectoryNotEmptyException} and changes nothing.
   */
  CREATE,
  /**
   * The target may hold content, which is swapped for the restored content only after the restored
   * content is complete and verified. On any failure the old content is left intact.
   */
  REPLACE
}
