package dev.coffer.examples;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import java.io.IOException;

/** Takes backups of {@link BackupSource}s, guaranteeing the host's unfreeze in every outcome. */
public final class HostBackups {

  private HostBackups() {}

  /**
   * Copies {@code source} into {@code repo}, recording {@link BackupSource#labels()}, then closes the
   * source (whatever happened). The source is closed even when this method throws, including for a
   * malformed base id or a null repository.
   *
   * <pre>{@code
   * BackupMetadata full = HostBackups.backup(repo, DerbyBackupSource.freeze(conn, dbDir), null);
   * BackupMetadata incr = HostBackups.backup(repo, DerbyBackupSource.freeze(conn, dbDir), full.backupId());
   * }</pre>
   *
   * @param repo the repository to write to
   * @param source the host's snapshot; closed by this method
   * @param baseIdOrNull the base of an incremental backup, or {@code null} for a full backup
   * @return the new backup's metadata
   * @throws dev.coffer.NoSuchBackupException if the base does not exist
   * @throws IOException if the copy, the host's {@code completed} or its {@code close} fails; a failure to
   *     close is added as suppressed to an earlier failure
   */
  public static BackupMetadata backup(BackupRepository repo, BackupSource source, String baseIdOrNull)
      throws IOException {
    requireNonNull(source, "source");
    try (source) {
      requireNonNull(repo, "repo");
      BackupRequest request = baseIdOrNull == null
          ? BackupRequest.full(source.directory())
          : BackupRequest.incremental(source.directory(), baseIdOrNull);
      BackupMetadata backup = repo.backup(request.withLabels(source.labels()));
      source.completed(backup);
      return backup;
    }
  }
}
