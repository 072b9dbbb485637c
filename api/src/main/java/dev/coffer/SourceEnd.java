package dev.coffer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a host hands back when its snapshot ends ({@link BackupSource#finish()}), after Coffer
 * copied the snapshot and before the backup is published: files and labels that belong in the same
 * backup, such as the record a database writes when it leaves its backup mode and the log written
 * during the copy.
 *
 * <p>The provider stores the entries of {@code files} as if they had been in the source at the same
 * relative paths: a directory the source already has is merged, a file or link whose path the
 * source already has fails the backup naming it. The labels are added to the backup's; a key the
 * backup already has fails it. The directory must stay unchanged until the source is {@linkplain
 * BackupSource#close() closed}.
 *
 * <pre>{@code
 * public SourceEnd finish() throws IOException {
 *   String stop = endBackupMode(conn, staging);      // writes the host's end-of-backup files into staging
 *   return new SourceEnd(staging, Map.of("stop-position", stop));
 * }
 * }</pre>
 *
 * @param files a directory whose entries are added to the backup, or {@code null} for none
 * @param labels labels added to the backup's; the same rules as {@link BackupRequest#withLabels}
 */
public record SourceEnd(Path files, Map<String, String> labels) {

  /** Nothing to add: no files, no labels. */
  public static final SourceEnd NONE = new SourceEnd(null, Map.of());

  /**
   * Validates and copies the components.
   *
   * @param files as described on the record
   * @param labels as described on the record; {@code null} means none
   * @throws IllegalArgumentException if a label is malformed
   */
  public SourceEnd {
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    labels.forEach(BackupRequest::checkLabel);
  }
}
