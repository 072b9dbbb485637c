package dev.coffer.archive.v2;

import dev.coffer.NoSuchBackupException;
import dev.coffer.WrongKeyException;
import java.io.IOException;

/**
 * The base of an incremental on a write-only host (issue 19), which cannot open the repository's
 * manifests: the host state of option {@code state-file} ({@link HostState}) when it is this
 * host's, for this repository, authentic, of the requested base and not stale; otherwise no base,
 * so the backup is a full one, with a warning in the log that says why.
 */
final class WriteOnlyBase {

  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");

  private WriteOnlyBase() {}

  /**
   * The base for an incremental on {@code baseId}, or null for a full backup.
   *
   * @throws NoSuchBackupException if the repository has no backup {@code baseId}
   * @throws WrongKeyException if the host has no state file (and no identity)
   */
  static V2Backup open(V2Repository repo, String baseId) throws IOException {
    if (repo.settings.stateFile == null) {
      throw new WrongKeyException(
          "repository "
              + repo.where
              + " is write-only here: an incremental needs option state-file (with "
              + "host-key-file) or identity-file");
    }
    if (repo.store.stat(repo.layout().commit(baseId)).isEmpty()) {
      throw new NoSuchBackupException(baseId);
    }
    HostState.Loaded loaded =
        HostState.load(repo.settings.stateFile, repo.settings.signer, repo.v2, baseId);
    if (loaded.base() == null) {
      LOG.log(
          System.Logger.Level.WARNING,
          "taking a full backup instead of an incremental on {0}: {1}",
          baseId,
          loaded.problem());
    }
    return loaded.base();
  }

  /**
   * Records a backup just committed in the host state, when there is a state file; a failure is
   * logged (the backup stands; the next incremental finds the state stale and takes a full one).
   */
  static void record(V2Repository repo, CommitStatement statement, V2Manifest manifest) {
    if (repo.settings.stateFile == null) {
      return;
    }
    try {
      HostState.save(
          repo.settings.stateFile,
          repo.settings.signer,
          repo.v2.repositoryId(),
          statement,
          manifest);
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "backup {0} is stored, but host state {1} could not be written ({2}): the next "
              + "incremental will be a full backup",
          statement.backupId(),
          repo.settings.stateFile,
          e.toString());
    }
  }
}
