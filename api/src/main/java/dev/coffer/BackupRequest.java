package dev.coffer;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.BackupIds;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What to back up and how: the source directory, an optional incremental base, labels, and a progress
 * listener. Build one with {@link #full(Path)} or {@link #incremental(Path, String)} and refine it with the
 * {@code with...} methods:
 *
 * <pre>{@code
 * repo.backup(BackupRequest.incremental(dataDir, base.backupId())
 *     .withLabel("checkpoint", "4711")
 *     .withProgress(p -> log.info(p.toString())));
 * }</pre>
 *
 * @param source the directory to back up
 * @param baseBackupId the base backup for an incremental backup, or {@code null} for a full one
 * @param labels key/value pairs stored with the backup's metadata
 * @param progress told about progress; exceptions it throws abort the backup
 */
public record BackupRequest(
    Path source, String baseBackupId, Map<String, String> labels, ProgressListener progress) {

  /**
   * Validates and copies the components.
   *
   * @param source as described on the record
   * @param baseBackupId as described on the record
   * @param labels as described on the record
   * @param progress as described on the record
   * @throws NullPointerException if {@code source} is null
   * @throws IllegalArgumentException if the base id or a label is malformed
   */
  public BackupRequest {
    requireNonNull(source, "source");
    if (baseBackupId != null && !BackupIds.isValid(baseBackupId)) {
      throw new IllegalArgumentException("malformed base backup id: " + baseBackupId);
    }
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    labels.forEach(BackupRequest::checkLabel);
    progress = progress == null ? ProgressListener.NONE : progress;
  }

  /**
   * A full backup of {@code source}.
   *
   * @param source the directory to back up
   * @return the request
   */
  public static BackupRequest full(Path source) {
    return new BackupRequest(source, null, Map.of(), ProgressListener.NONE);
  }

  /**
   * An incremental backup of {@code source} relative to the backup {@code baseBackupId}.
   *
   * @param source the directory to back up
   * @param baseBackupId the id of an existing backup in the same repository
   * @return the request
   */
  public static BackupRequest incremental(Path source, String baseBackupId) {
    requireNonNull(baseBackupId, "baseBackupId");
    return new BackupRequest(source, baseBackupId, Map.of(), ProgressListener.NONE);
  }

  /**
   * Returns a copy with these labels replacing the current ones.
   *
   * @param newLabels the labels; keys are non-blank, at most 128 characters, values at most 4096
   * @return the new request
   */
  public BackupRequest withLabels(Map<String, String> newLabels) {
    return new BackupRequest(source, baseBackupId, requireNonNull(newLabels, "labels"), progress);
  }

  /**
   * Returns a copy with one more label.
   *
   * @param key the label's key
   * @param value the label's value
   * @return the new request
   */
  public BackupRequest withLabel(String key, String value) {
    Map<String, String> copy = new TreeMap<>(labels);
    copy.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return withLabels(copy);
  }

  /**
   * Returns a copy that reports progress to {@code listener}.
   *
   * @param listener the listener
   * @return the new request
   */
  public BackupRequest withProgress(ProgressListener listener) {
    return new BackupRequest(source, baseBackupId, labels, requireNonNull(listener, "listener"));
  }

  /**
   * Whether this is an incremental backup request.
   *
   * @return true when a base id is set
   */
  public boolean incremental() {
    return baseBackupId != null;
  }

  private static void checkLabel(String key, String value) {
    requireNonNull(key, "label key");
    requireNonNull(value, "label value");
    if (key.isBlank() || key.length() > 128) {
      throw new IllegalArgumentException("label key must be 1 to 128 characters and not blank: '" + key + "'");
    }
    if (value.length() > 4096) {
      throw new IllegalArgumentException("label value for '" + key + "' is longer than 4096 characters");
    }
  }
}
