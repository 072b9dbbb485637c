package dev.coffer.local;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of a backup's {@code metadata.json}: AmateRS's fields, exactly as AmateRS writes
 * them, and beside them Coffer's own ({@code coffer_format}, {@code provider}, {@code labels},
 * {@code directories}, {@code files}, {@code symlinks}, and where present {@code root_attributes},
 * {@code directory_attributes}, {@code warnings}, and the POSIX fields {@code mode}, {@code uid},
 * {@code gid}, {@code owner}, {@code group} of file and link entries). A manifest written by
 * AmateRS has no Coffer fields; {@link #coffer()} is then false and the file list comes from the
 * stored data, checked by the whole-backup CRC32.
 *
 * <p>{@link ManifestWriter} writes it; {@link ManifestReader} parses it strictly (types, ranges,
 * duplicate keys, every path checked with {@link RelativePaths#checkStored}), since the file is
 * untrusted input; unknown fields are ignored, as AmateRS's serde does.
 *
 * @param metadata the public metadata
 * @param checksum AmateRS's whole-backup CRC32
 * @param coffer whether Coffer's fields are present
 * @param files per-file entries (empty for an AmateRS manifest)
 * @param directories every directory, sorted (empty for an AmateRS manifest)
 * @param symlinks the symbolic links recorded (never stored as links in the repository)
 * @param directoryTimes the source last-modified time of directories, by path, in directory order
 *     ({@code directory_mtimes}; absent from manifests written before it existed, and from
 *     AmateRS's)
 * @param directoryAttributes the POSIX attributes of directories, by path, in directory order
 *     ({@code directory_attributes}; absent where the source had none)
 * @param rootAttributes the POSIX attributes of the source root ({@code root_attributes}), or null
 */
record Manifest(
    BackupMetadata metadata,
    long checksum,
    boolean coffer,
    List<FileEntry> files,
    List<String> directories,
    List<Symlink> symlinks,
    Map<String, Instant> directoryTimes,
    Map<String, PosixAttributes> directoryAttributes,
    PosixAttributes rootAttributes) {

  static final int FORMAT = 1;
  static final long MAX_BYTES = 256L << 20;

  /**
   * One regular file.
   *
   * @param path the relative path
   * @param size its length in bytes
   * @param crc32c its CRC32C, or -1 when unknown (AmateRS manifests)
   * @param crc32 its CRC32, or -1 when unknown
   * @param lastModified its source last-modified time, or null when unknown
   * @param linked whether the backup hard-linked it from its base instead of writing it
   * @param posix its POSIX attributes as scanned by this backup (not the base's: a mode-only change
   *     keeps the link to the base's bytes and records the new mode), or null when unknown
   */
  record FileEntry(
      String path,
      long size,
      long crc32c,
      long crc32,
      Instant lastModified,
      boolean linked,
      PosixAttributes posix) {

    FileEntry(
        String path, long size, long crc32c, long crc32, Instant lastModified, boolean linked) {
      this(path, size, crc32c, crc32, lastModified, linked, null);
    }
  }

  /**
   * One symbolic link, recorded in the metadata only.
   *
   * @param path the relative path of the link
   * @param target the link's target text
   * @param posix the link's owner (its mode means nothing), or null when unknown
   */
  record Symlink(String path, String target, PosixAttributes posix) {

    Symlink(String path, String target) {
      this(path, target, null);
    }
  }

  Manifest {
    files = List.copyOf(files);
    directories = List.copyOf(directories);
    symlinks = List.copyOf(symlinks);
    directoryTimes =
        Collections.unmodifiableMap(new LinkedHashMap<>(directoryTimes)); // keeps the order
    directoryAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(directoryAttributes));
  }

  /** A manifest without POSIX attributes. */
  Manifest(
      BackupMetadata metadata,
      long checksum,
      boolean coffer,
      List<FileEntry> files,
      List<String> directories,
      List<Symlink> symlinks,
      Map<String, Instant> directoryTimes) {
    this(metadata, checksum, coffer, files, directories, symlinks, directoryTimes, Map.of(), null);
  }

  /** A manifest without directory times. */
  Manifest(
      BackupMetadata metadata,
      long checksum,
      boolean coffer,
      List<FileEntry> files,
      List<String> directories,
      List<Symlink> symlinks) {
    this(metadata, checksum, coffer, files, directories, symlinks, Map.of());
  }

  /** This manifest's {@code metadata.json}, as {@link ManifestWriter} writes it. */
  byte[] toJson() throws IOException {
    return ManifestWriter.write(this);
  }

  /**
   * Parses a manifest read from the directory of backup {@code expectedId} ({@link
   * ManifestReader}).
   *
   * @throws CorruptBackupException if the bytes are not a well-formed manifest of that backup
   */
  static Manifest parse(byte[] json, String expectedId) throws CorruptBackupException {
    return ManifestReader.parse(json, expectedId);
  }
}
