package dev.coffer;

import dev.coffer.spi.Capability;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A place where backups of directories are kept, opened through {@link BackupProviders} or a
 * provider's {@link dev.coffer.spi.BackupProvider#open open}.
 *
 * <p>Every provider keeps the numbered contract in {@code docs/contract.md} (summarised in the
 * {@link dev.coffer.spi} package documentation): backups are atomic (a failed backup never appears
 * in {@link #list()}), restores verify every byte they write and never write outside their target,
 * and a repository opened again, even in another JVM, sees the same backups.
 *
 * <p>Implementations are safe for use by several threads at once; several instances, even in
 * several processes, may use one location concurrently for backups. {@link #close()} releases
 * resources; the repository must not be used afterwards.
 *
 * <pre>{@code
 * try (BackupRepository repo = BackupProviders.open("coffer:local:/var/backups/db")) {
 *   BackupMetadata b = repo.backup(Path.of("/var/lib/db"));
 *   if (!repo.verify(b.id()).ok()) throw new IllegalStateException("bad backup");
 *   repo.restore(b.id(), Path.of("/tmp/db-restored"));
 * }
 * }</pre>
 */
public interface BackupRepository extends AutoCloseable {

  /**
   * Takes a full backup of the directory {@code source}.
   *
   * @param source the directory to back up
   * @return the new backup's metadata
   * @throws java.nio.file.NoSuchFileException if the source does not exist
   * @throws java.nio.file.NotDirectoryException if the source is not a directory
   * @throws IOException if the backup fails; nothing of it is then listed
   */
  default BackupMetadata backup(Path source) throws IOException {
    return backup(BackupRequest.full(source));
  }

  /**
   * Takes a full or incremental backup as {@code request} describes.
   *
   * @param request the source, base, labels and progress listener
   * @return the new backup's metadata
   * @throws java.nio.file.NoSuchFileException if the source does not exist
   * @throws java.nio.file.NotDirectoryException if the source is not a directory
   * @throws NoSuchBackupException if the incremental base does not exist
   * @throws UnsupportedOperationException if an incremental backup is requested from a provider
   *     without the {@link dev.coffer.spi.Capability#INCREMENTAL} capability
   * @throws BackupException if the source holds something the provider cannot store (for example a
   *     symbolic link without the {@link dev.coffer.spi.Capability#SYMLINKS} capability), or the
   *     {@linkplain BackupRequest#withFinisher finisher} adds a file or label the backup already
   *     has, naming it
   * @throws IOException if the backup or its finisher fails; nothing of it is then listed
   */
  BackupMetadata backup(BackupRequest request) throws IOException;

  /**
   * Takes a full backup of a host's snapshot, recording its {@link BackupSource#labels() labels},
   * and closes the source (the host's unfreeze) in every outcome.
   *
   * @param source the host's consistent snapshot; closed by this method, even when it throws
   * @return the new backup's metadata
   * @throws IOException if the copy, the source's {@code completed} or its {@code close} fails; a
   *     failure to close is added as suppressed to an earlier failure
   */
  default BackupMetadata backup(BackupSource source) throws IOException {
    return backup(source, null);
  }

  /**
   * Takes a backup of a host's snapshot, incremental from {@code baseBackupId} (or full when it is
   * {@code null}), recording the source's {@link BackupSource#labels() labels}, leaving out its
   * {@link BackupSource#excluded() exclusions} and adding what its {@link BackupSource#finish()
   * finish} returns before the backup is published; on success tells the source {@link
   * BackupSource#completed completed}; closes the source (the host's unfreeze) in every outcome.
   *
   * <pre>{@code
   * BackupMetadata full = repo.backup(DerbyBackupSource.freeze(conn, dbDir, labels));
   * BackupMetadata incr = repo.backup(DerbyBackupSource.freeze(conn, dbDir, labels), full.id());
   * }</pre>
   *
   * @param source the host's consistent snapshot; closed by this method, even when it throws
   * @param baseBackupId the base of an incremental backup, or {@code null} for a full backup
   * @return the new backup's metadata
   * @throws NoSuchBackupException if the base does not exist
   * @throws IOException if the copy, the source's {@code finish}, {@code completed} or {@code
   *     close} fails; a failure to close is added as suppressed to an earlier failure
   */
  default BackupMetadata backup(BackupSource source, BackupId baseBackupId) throws IOException {
    java.util.Objects.requireNonNull(source, "source");
    try (source) {
      BackupRequest request =
          baseBackupId == null
              ? BackupRequest.full(source.directory())
              : BackupRequest.incremental(source.directory(), baseBackupId);
      BackupMetadata backup =
          backup(
              request
                  .withLabels(source.labels())
                  .withExcluded(source.excluded())
                  .withFinisher(source::finish));
      source.completed(backup);
      return backup;
    }
  }

  /**
   * Restores all of backup {@code backupId} into {@code target}, which must be absent or an empty
   * directory.
   *
   * @param backupId the backup to restore
   * @param target the target directory; its parent must exist
   * @return the restored backup's metadata
   * @throws NoSuchBackupException if there is no such backup
   * @throws java.nio.file.DirectoryNotEmptyException if the target is not empty; nothing is changed
   * @throws CorruptBackupException if any stored byte fails its check; the target is left as it was
   * @throws IOException if the restore fails otherwise; the target is left as it was
   */
  default BackupMetadata restore(BackupId backupId, Path target) throws IOException {
    return restore(RestoreRequest.of(backupId, target));
  }

  /**
   * Restores as {@code request} describes: all or part of a backup, into an empty or absent target
   * or replacing an existing one.
   *
   * @param request the backup, target, mode, paths and progress listener
   * @return the restored backup's metadata
   * @throws NoSuchBackupException if there is no such backup
   * @throws java.nio.file.DirectoryNotEmptyException in {@link RestoreMode#CREATE} mode if the
   *     target is not empty; nothing is changed
   * @throws java.nio.file.NoSuchFileException if a requested path is not in the backup
   * @throws UnsupportedOperationException if a partial restore is requested from a provider without
   *     the {@link dev.coffer.spi.Capability#PARTIAL_RESTORE} capability
   * @throws CorruptBackupException if any stored byte fails its check; the target is left as it was
   * @throws IOException if the restore fails otherwise; the target is left as it was
   */
  BackupMetadata restore(RestoreRequest request) throws IOException;

  /**
   * Lists every complete backup, newest first ({@link BackupMetadata#NEWEST_FIRST}).
   *
   * @return the backups; empty for a new repository
   * @throws IOException if the repository cannot be read
   */
  List<BackupMetadata> list() throws IOException;

  /**
   * Finds one backup by id.
   *
   * @param backupId the id
   * @return its metadata, or empty when there is no such backup
   * @throws IOException if the repository cannot be read
   */
  Optional<BackupMetadata> find(BackupId backupId) throws IOException;

  /**
   * Returns the ids of stored items that look like backups but that {@link #list()} leaves out
   * because they cannot be read: damaged metadata, a planted item, or one written with another key.
   * {@link #verify} of such an id says what is wrong with it; {@code coffer verify --all} checks
   * these too. A repository that cannot tell returns an empty list (the default).
   *
   * @return the ids, sorted; empty when every stored backup is listed
   * @throws IOException if the repository cannot be read
   */
  default List<BackupId> unlisted() throws IOException {
    return List.of();
  }

  /**
   * Returns the newest backup.
   *
   * @return the newest backup, or empty for an empty repository
   * @throws IOException if the repository cannot be read
   */
  default Optional<BackupMetadata> latest() throws IOException {
    return list().stream().findFirst();
  }

  /**
   * Reads every stored byte of a backup and checks it, without changing anything in the repository.
   *
   * @param backupId the backup to verify
   * @return every problem found; {@link VerifyReport#ok()} when the backup is intact
   * @throws NoSuchBackupException if there is no such backup
   * @throws WrongKeyException if the configured key does not open the backup
   * @throws IOException if the repository cannot be read
   */
  VerifyReport verify(BackupId backupId) throws IOException;

  /**
   * Verifies a backup as {@link #verify(BackupId)} does, telling {@code listener} about its
   * progress in the {@link Progress.Phase#VERIFY VERIFY} phase: once before the first byte is read,
   * then as files are checked, and a last time when all are. A listener that throws aborts the
   * verification and the exception propagates; the repository is unchanged, as after any
   * verification.
   *
   * <p>Providers override this to report file by file; this default reports only the start (totals
   * not yet known, {@code -1}) and the end ({@link VerifyReport#filesChecked()} and {@link
   * VerifyReport#bytesChecked()} as both done and total).
   *
   * @param backupId the backup to verify
   * @param listener told about progress; exceptions it throws abort the verification
   * @return every problem found; {@link VerifyReport#ok()} when the backup is intact
   * @throws NoSuchBackupException if there is no such backup
   * @throws WrongKeyException if the configured key does not open the backup
   * @throws IOException if the repository cannot be read
   */
  default VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
    java.util.Objects.requireNonNull(listener, "listener");
    listener.onProgress(new Progress(Progress.Phase.VERIFY, 0, -1, 0, -1, ""));
    VerifyReport report = verify(backupId);
    listener.onProgress(
        new Progress(
            Progress.Phase.VERIFY,
            report.filesChecked(),
            report.filesChecked(),
            report.bytesChecked(),
            report.bytesChecked(),
            ""));
    return report;
  }

  /**
   * Key rotation: re-wraps every backup's keys to a new key set without rewriting any backup's
   * data, so that afterwards the repository opens with the new keys and the keys it was opened with
   * fail with {@link WrongKeyException}. The current keys are those this repository was opened
   * with; {@code newKeys} are given with the names {@code open} takes for keys (for example {@code
   * key}, {@code key-file}, {@code passphrase}, {@code passphrase-file}, {@code recipient}, {@code
   * recipients-file}), and nothing else.
   *
   * <p>A repository whose {@link #info()} {@linkplain RepositoryInfo#supports supports} {@link
   * dev.coffer.spi.Capability#REKEY REKEY} implements it (rule P36 of the provider contract): the
   * bytes written per backup do not depend on its size and no byte of stored data changes; an
   * interruption at any point leaves every backup openable with the old keys or the new ones, never
   * neither; calling again with the same new keys resumes (backups already done are skipped). A
   * rekey does not re-encrypt data: whoever held a removed key could already read what it opened.
   * Run it while no backup is being written: a backup started with the old keys may stay wrapped
   * for them.
   *
   * <p>The default refuses with {@link UnsupportedOperationException} and changes nothing.
   *
   * @param newKeys the new keys, as {@code open} options (file options name files)
   * @param progress told the totals so far after each backup; exceptions it throws abort the rekey,
   *     which a later call resumes
   * @return what was done
   * @throws UnsupportedOperationException if the repository cannot rekey
   * @throws IllegalArgumentException if {@code newKeys} names another option, no key, or keys of
   *     another kind than the repository can take; nothing is changed
   * @throws WrongKeyException if this repository was opened with keys that cannot open its backups
   * @throws IOException if the repository cannot be read or written
   */
  default RekeyReport rekey(
      java.util.Map<String, String> newKeys, java.util.function.Consumer<RekeyReport> progress)
      throws IOException {
    java.util.Objects.requireNonNull(newKeys, "newKeys");
    java.util.Objects.requireNonNull(progress, "progress");
    throw new UnsupportedOperationException(
        "provider '" + info().provider() + "' cannot rekey this repository (no REKEY capability)");
  }

  /**
   * Deletes a backup. Backups that remain stay restorable: a provider whose incremental backups
   * depend on their base refuses to delete a base that has dependents.
   *
   * @param backupId the backup to delete
   * @throws NoSuchBackupException if there is no such backup
   * @throws BackupInUseException if other backups depend on it; nothing is changed
   * @throws IOException if the deletion fails
   */
  void delete(BackupId backupId) throws IOException;

  /**
   * Says what this repository is: its provider, that provider's capabilities, and where it is, so a
   * host can choose (for example between a full and an incremental backup) without parsing the URL
   * it opened.
   *
   * @return the description; the same for the life of the repository
   */
  RepositoryInfo info();

  /**
   * Returns how many bytes this backup occupies in the repository beyond what other backups already
   * store (for example, files hard-linked from a base are not counted again).
   *
   * @param backupId the backup
   * @return the stored size in bytes
   * @throws NoSuchBackupException if there is no such backup
   * @throws IOException if the repository cannot be read
   */
  long storedBytes(BackupId backupId) throws IOException;

  /**
   * Returns the backups that {@link #prune prune} with {@code policy} would delete now, changing
   * nothing: those the policy does not keep, except the bases (transitively) of kept incremental
   * backups when this repository's incrementals depend on their base (it lacks {@link
   * Capability#INDEPENDENT_INCREMENTALS}). Every provider applies these same rules.
   *
   * @param policy which backups to keep
   * @return the backups to delete, dependents before their bases (newest first)
   * @throws IOException if the repository cannot be read
   */
  default List<BackupMetadata> pruneCandidates(RetentionPolicy policy) throws IOException {
    java.util.Objects.requireNonNull(policy, "policy");
    boolean basesMustSurvive = !info().capabilities().contains(Capability.INDEPENDENT_INCREMENTALS);
    return policy.unkept(list(), Instant.now(), basesMustSurvive);
  }

  /**
   * Deletes the backups that {@code policy} does not keep ({@link #pruneCandidates}), never
   * breaking a kept backup.
   *
   * @param policy which backups to keep
   * @return the deleted backups, newest first
   * @throws IOException if a deletion fails; the backups already deleted stay deleted
   */
  List<BackupMetadata> prune(RetentionPolicy policy) throws IOException;

  /**
   * Releases the repository's resources. Calling it again has no effect.
   *
   * @throws IOException if releasing fails
   */
  @Override
  void close() throws IOException;
}
