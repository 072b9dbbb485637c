package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One entry of a {@link SourceTree}: a regular file, a directory or a symbolic link below the
 * source root.
 *
 * @param path the {@code /}-separated path relative to the root
 * @param type what the entry is
 * @param sizeBytes the size of a regular file as scanned; 0 for directories and links
 * @param lastModified the last-modified time as scanned
 * @param linkTarget the link's target text, exactly as stored in the link, for a symbolic link;
 *     {@code null} otherwise
 * @param posix the entry's permission bits and owner as scanned, or {@code null} where the source
 *     file system has no POSIX attributes (for a followed link: those of its target)
 * @param fileKey the file's identity as scanned ({@link
 *     java.nio.file.attribute.BasicFileAttributes#fileKey()}: device and inode on Linux), or {@code
 *     null} where the file system has none; a file replaced by another under the same name has
 *     another key, which {@link ReadCheck} compares with the one just before the read (rule P34)
 * @param changeTime the file's status change time as scanned ({@code unix:ctime}), or {@code null}
 *     where the file system has no {@code unix} view (Windows, Jimfs but for its unix view)
 */
public record SourceEntry(
    String path,
    Type type,
    long sizeBytes,
    Instant lastModified,
    String linkTarget,
    PosixAttributes posix,
    Object fileKey,
    Instant changeTime) {

  /** What a source entry is. */
  public enum Type {
    /** A regular file. */
    FILE,
    /** A directory. */
    DIRECTORY,
    /** A symbolic link (never followed). */
    SYMLINK
  }

  /**
   * Validates the components.
   *
   * @param path as described on the record
   * @param type as described on the record
   * @param sizeBytes as described on the record
   * @param lastModified as described on the record
   * @param linkTarget as described on the record
   * @param posix as described on the record
   * @param fileKey as described on the record
   * @param changeTime as described on the record
   * @throws NullPointerException if a required component is null
   * @throws IllegalArgumentException if the size is negative or the link target does not match the
   *     type
   */
  public SourceEntry {
    requireNonNull(path, "path");
    requireNonNull(type, "type");
    requireNonNull(lastModified, "lastModified");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("negative size for " + path);
    }
    if ((type == Type.SYMLINK) != (linkTarget != null)) {
      throw new IllegalArgumentException(
          "a link target is required for links and only for links: " + path);
    }
  }

  /**
   * An entry without a file key or change time (one not read from a file system).
   *
   * @param path as described on the record
   * @param type as described on the record
   * @param sizeBytes as described on the record
   * @param lastModified as described on the record
   * @param linkTarget as described on the record
   * @param posix as described on the record
   * @throws NullPointerException if a required component is null
   * @throws IllegalArgumentException if the size is negative or the link target does not match the
   *     type
   */
  public SourceEntry(
      String path,
      Type type,
      long sizeBytes,
      Instant lastModified,
      String linkTarget,
      PosixAttributes posix) {
    this(path, type, sizeBytes, lastModified, linkTarget, posix, null, null);
  }

  /**
   * An entry without POSIX attributes, file key or change time.
   *
   * @param path as described on the record
   * @param type as described on the record
   * @param sizeBytes as described on the record
   * @param lastModified as described on the record
   * @param linkTarget as described on the record
   * @throws NullPointerException if a required component is null
   * @throws IllegalArgumentException if the size is negative or the link target does not match the
   *     type
   */
  public SourceEntry(
      String path, Type type, long sizeBytes, Instant lastModified, String linkTarget) {
    this(path, type, sizeBytes, lastModified, linkTarget, null);
  }
}
