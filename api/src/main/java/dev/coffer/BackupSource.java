package dev.coffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A consistent snapshot of a host database's files, handed to Coffer for one backup: the host
 * prepares it (freezes its writes, or writes a copy of its files), Coffer copies {@link
 * #directory()}, and the host is told when the copy is done.
 *
 * <p>The life cycle, driven by {@link BackupRepository#backup(BackupSource, BackupId)}:
 *
 * <ol>
 *   <li>The host creates the source, already consistent: creating it is the "freeze" (or the
 *       snapshot command). A factory that fails after freezing unfreezes before it throws.
 *   <li>Coffer reads {@link #labels()} and {@link #excluded()} and copies {@link #directory()},
 *       minus the excluded entries, into a repository, recording the labels with the backup.
 *   <li>{@link #finish()} is called once, after the copy and before the backup is published: a host
 *       whose snapshot is a backup mode (rather than a freeze) ends it here, and the files and
 *       labels it returns go into the same backup. A failure here fails the backup: nothing is
 *       published.
 *   <li>On success only, {@link #completed(BackupMetadata)} tells the host the new backup's id (a
 *       host may log it, or note it as the base of its next incremental backup).
 *   <li>{@link #close()} is called exactly once, in every outcome (success, provider failure, a
 *       progress listener that cancels): it is the "unfreeze", or the removal of a staging copy.
 * </ol>
 *
 * <p>The interface knows nothing of any database: Derby implements it with {@code
 * SYSCS_FREEZE_DATABASE} and its live directory, HSQLDB with {@code BACKUP DATABASE ... AS FILES}
 * into a staging directory (see {@code examples/derby} and {@code docs/host-integration.md}). An
 * implementation is used by one thread at a time.
 *
 * <pre>{@code
 * long committed = maxCommittedId(conn);          // read before freezing: a lower bound
 * BackupMetadata b = repo.backup(DerbyBackupSource.freeze(conn, dbDir, Map.of("rows", "" + committed)));
 * }</pre>
 */
public interface BackupSource extends AutoCloseable {

  /**
   * The directory holding the host's consistent files. It stays unchanged until {@link #close()}.
   *
   * @return the directory to copy
   */
  Path directory();

  /**
   * The host's own positions to record with the backup, read when the snapshot was taken: a
   * checkpoint, a log sequence number, a row count. Restores compare against them. Keys and values
   * follow {@link BackupRequest#withLabels}'s rules.
   *
   * @return the labels, possibly empty, never null
   */
  Map<String, String> labels();

  /**
   * Entries under {@link #directory()} that the host documents as safe to leave out (a lock file, a
   * log directory's contents, temporary files), as patterns of {@link
   * BackupRequest#withExcluded(Set)}'s syntax. They are never read, so the host may delete or
   * recycle them during the copy. The default leaves nothing out.
   *
   * @return the exclusion patterns, possibly empty, never null
   */
  default Set<String> excluded() {
    return Set.of();
  }

  /**
   * Ends the snapshot after {@link #directory()} is copied and before the backup is published,
   * returning what must go into the same backup: files (stored at their paths relative to {@link
   * SourceEnd#files()}, as if they had been in the source) and labels (added to {@link
   * #labels()}'s). Called at most once, by the thread running the backup, and only when the copy
   * succeeded; {@link #close()} follows in every outcome. The default returns {@link
   * SourceEnd#NONE}.
   *
   * @return the files and labels to add, {@link SourceEnd#NONE} for nothing
   * @throws IOException if the snapshot cannot be ended; the backup fails and is never published
   */
  default SourceEnd finish() throws IOException {
    return SourceEnd.NONE;
  }

  /**
   * Tells the host the copy succeeded, before {@link #close()}. The default does nothing.
   *
   * @param backup the metadata of the new backup
   * @throws IOException if the host fails to record it; the backup exists nonetheless
   */
  default void completed(BackupMetadata backup) throws IOException {
    // most hosts only need close()
  }

  /**
   * Ends the snapshot: unfreezes the host or removes the staging copy. Called exactly once, whether
   * the copy succeeded or not; an implementation makes a second call a no-op.
   *
   * @throws IOException if the host could not be unfrozen; the caller must treat the host as stuck
   */
  @Override
  void close() throws IOException;
}
