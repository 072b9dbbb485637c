package dev.coffer;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a repository knows about one backup: its id, when and from where it was taken, its logical
 * size, its type and base, the provider and software version that wrote it, and the labels the
 * caller attached (a host database records its checkpoint or log sequence number there).
 *
 * <p>Instances are immutable and round-trip through JSON (for example with Jackson, which reads the
 * record's components). {@code labels} iterate in key order.
 *
 * @param backupId the backup's id, unique within its repository (see {@link BackupId}); its text,
 *     the form JSON and stored metadata hold, while {@link #id()} gives it typed
 * @param createdAt when the backup was started
 * @param sourceDir the source directory as the caller named it, for information only
 * @param totalFiles how many regular files the backup holds
 * @param totalBytes the logical size: the sum of the sizes of those files
 * @param backupType full or incremental
 * @param baseBackupId the base's id for an incremental backup; {@code null} for a full one
 * @param provider the name of the provider that wrote the backup
 * @param version the version of the software that wrote the backup
 * @param labels caller-supplied key/value pairs, sorted by key
 * @param warnings what the backup did not store exactly as found (for example skipped special
 *     files), in source order; empty for most backups
 */
public record BackupMetadata(
    String backupId,
    Instant createdAt,
    String sourceDir,
    long totalFiles,
    long totalBytes,
    BackupType backupType,
    String baseBackupId,
    String provider,
    String version,
    Map<String, String> labels,
    List<BackupWarning> warnings) {

  /**
   * Orders backups newest first: by {@code createdAt} descending, then by {@code backupId}
   * descending.
   */
  public static final Comparator<BackupMetadata> NEWEST_FIRST =
      Comparator.comparing(BackupMetadata::createdAt)
          .thenComparing(BackupMetadata::backupId)
          .reversed();

  /**
   * Validates and copies the components.
   *
   * @param backupId as described on the record
   * @param createdAt as described on the record
   * @param sourceDir as described on the record
   * @param totalFiles as described on the record
   * @param totalBytes as described on the record
   * @param backupType as described on the record
   * @param baseBackupId as described on the record
   * @param provider as described on the record
   * @param version as described on the record
   * @param labels as described on the record
   * @param warnings as described on the record; {@code null} means none
   * @throws NullPointerException if a required component is null
   * @throws IllegalArgumentException if the id is malformed, a count is negative, or the base id
   *     does not match the type (required for incremental, absent for full)
   */
  public BackupMetadata {
    requireNonNull(backupId, "backupId");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(sourceDir, "sourceDir");
    requireNonNull(backupType, "backupType");
    requireNonNull(provider, "provider");
    requireNonNull(version, "version");
    if (!BackupId.isValid(backupId)) {
      throw new IllegalArgumentException("malformed backup id: " + backupId);
    }
    if (totalFiles < 0 || totalBytes < 0) {
      throw new IllegalArgumentException(
          "negative totals for backup "
              + backupId
              + ": files "
              + totalFiles
              + ", bytes "
              + totalBytes);
    }
    if (baseBackupId != null && !BackupId.isValid(baseBackupId)) {
      throw new IllegalArgumentException("malformed base backup id for backup " + backupId);
    }
    if (backupType == BackupType.INCREMENTAL && baseBackupId == null) {
      throw new IllegalArgumentException("incremental backup " + backupId + " needs a base id");
    }
    if (backupType == BackupType.FULL && baseBackupId != null) {
      throw new IllegalArgumentException("full backup " + backupId + " cannot have a base id");
    }
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /**
   * Metadata without warnings.
   *
   * @param backupId as described on the record
   * @param createdAt as described on the record
   * @param sourceDir as described on the record
   * @param totalFiles as described on the record
   * @param totalBytes as described on the record
   * @param backupType as described on the record
   * @param baseBackupId as described on the record
   * @param provider as described on the record
   * @param version as described on the record
   * @param labels as described on the record
   * @throws NullPointerException if a required component is null
   * @throws IllegalArgumentException as for the canonical constructor
   */
  public BackupMetadata(
      String backupId,
      Instant createdAt,
      String sourceDir,
      long totalFiles,
      long totalBytes,
      BackupType backupType,
      String baseBackupId,
      String provider,
      String version,
      Map<String, String> labels) {
    this(
        backupId,
        createdAt,
        sourceDir,
        totalFiles,
        totalBytes,
        backupType,
        baseBackupId,
        provider,
        version,
        labels,
        List.of());
  }

  /**
   * Returns the backup's id as a typed value, the form {@link BackupRepository}'s methods take.
   *
   * <pre>{@code
   * repo.restore(metadata.id(), target);
   * }</pre>
   *
   * @return the id
   */
  public BackupId id() {
    return BackupId.of(backupId);
  }

  /**
   * Returns the base's id of an incremental backup as a typed value.
   *
   * @return the base's id; empty for a full backup
   */
  public Optional<BackupId> baseId() {
    return Optional.ofNullable(baseBackupId).map(BackupId::of);
  }
}
