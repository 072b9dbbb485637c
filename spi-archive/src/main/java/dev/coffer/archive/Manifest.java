package dev.coffer.archive;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import dev.coffer.CorruptBackupException;
import dev.coffer.spi.BackupIds;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The manifest of one archive: what the backup holds (the full state of the source, also for incremental
 * backups) and where each file's bytes are. Doubles as the archive's index: {@link FileEntry#offset()} is the
 * container offset of the file's record in the archive named by {@link FileEntry#archive()}.
 */
record Manifest(
    String format,
    String backupId,
    String createdAt,
    String type,
    String baseBackupId,
    String baseArchiveSha256,
    String sourceDir,
    String provider,
    String version,
    Map<String, String> labels,
    long totalFiles,
    long totalBytes,
    List<String> directories,
    List<FileEntry> files,
    List<String> deleted) {

  static final String FORMAT = "coffer-archive-manifest/1";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /**
   * One regular file.
   *
   * @param path relative path
   * @param size bytes
   * @param mtimeMillis last-modified time, milliseconds since the epoch
   * @param sha256 lowercase hex SHA-256 of the content
   * @param archive the backup whose archive holds the bytes (this one or an ancestor)
   * @param offset container offset of the file's record in that archive
   */
  record FileEntry(String path, long size, long mtimeMillis, String sha256, String archive, long offset) {}

  BackupMetadata metadata() {
    return new BackupMetadata(backupId, Instant.parse(createdAt), sourceDir, totalFiles, totalBytes,
        BackupType.valueOf(type), baseBackupId, provider, version, labels);
  }

  /** Checks every field a reader relies on; paths get their full check in the repository. */
  void validate(String expectedId) throws CorruptBackupException {
    String where = "manifest of backup " + expectedId + ": ";
    if (!FORMAT.equals(format)) {
      throw new CorruptBackupException(where + "unknown format " + format, null);
    }
    if (!expectedId.equals(backupId)) {
      throw new CorruptBackupException(where + "names backup " + backupId, null);
    }
    if (createdAt == null || sourceDir == null || provider == null || version == null || labels == null
        || directories == null || files == null || deleted == null) {
      throw new CorruptBackupException(where + "a required field is missing", null);
    }
    try {
      Instant.parse(createdAt);
    } catch (DateTimeParseException e) {
      throw new CorruptBackupException(where + "malformed created_at", null);
    }
    if ("FULL".equals(type)) {
      if (baseBackupId != null || baseArchiveSha256 != null) {
        throw new CorruptBackupException(where + "a full backup with a base", null);
      }
    } else if ("INCREMENTAL".equals(type)) {
      if (!BackupIds.isValid(baseBackupId) || baseArchiveSha256 == null || !SHA256.matcher(baseArchiveSha256).matches()) {
        throw new CorruptBackupException(where + "an incremental backup without a valid base reference", null);
      }
    } else {
      throw new CorruptBackupException(where + "unknown type " + type, null);
    }
    long bytes = 0;
    Set<String> seen = new HashSet<>();
    for (FileEntry f : files) {
      if (f == null || f.path() == null || f.sha256() == null || f.archive() == null) {
        throw new CorruptBackupException(where + "incomplete file entry", null);
      }
      if (f.size() < 0 || f.offset() < 0 || !SHA256.matcher(f.sha256()).matches() || !BackupIds.isValid(f.archive())) {
        throw new CorruptBackupException(where + "malformed entry for '" + f.path() + "'", f.path());
      }
      if (!seen.add(f.path())) {
        throw new CorruptBackupException(where + "duplicate path '" + f.path() + "'", f.path());
      }
      bytes += f.size();
    }
    for (String d : directories) {
      if (d == null || !seen.add(d)) {
        throw new CorruptBackupException(where + "duplicate or null directory", d);
      }
    }
    if (files.size() != totalFiles || bytes != totalBytes) {
      throw new CorruptBackupException(where + "totals do not match the file list", null);
    }
    try {
      metadata();
    } catch (RuntimeException e) {
      throw new CorruptBackupException(where + "invalid metadata: " + e.getMessage(), null);
    }
  }
}
