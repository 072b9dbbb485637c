package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.store.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The commit objects of a repository, read without any key: what a write-only host may know of the
 * repository (issue 19). A commit's statement and summary are in clear and bound to the repository
 * and backup id; its signature, when there is one, is checked against a host key with {@link
 * #latestBy}. Used for the host state's staleness check, for {@code delete} on a write-only host
 * and for the structural {@code verify}.
 */
final class V2Commits {

  /** One decoded commit: its object and its summary. */
  record Commit(CommitObject object, V2Summary summary) {
    String backupId() {
      return summary.backupId();
    }
  }

  private V2Commits() {}

  /**
   * Reads and decodes the commit of {@code backupId}.
   *
   * @throws NoSuchBackupException if there is none
   * @throws CorruptBackupException if it does not decode for this repository and id
   */
  static Commit read(V2Location location, String backupId) throws IOException {
    CommitObject commit = object(location, backupId);
    return new Commit(commit, V2Summary.decode(commit.statement().summary(), backupId));
  }

  /**
   * Reads and decodes the commit object of {@code backupId}, bounded by its largest size.
   *
   * @throws NoSuchBackupException if there is none
   * @throws CorruptBackupException if it does not decode for this repository and id
   */
  static CommitObject object(V2Location location, String backupId) throws IOException {
    byte[] bytes;
    try (InputStream in =
        location.store().read(location.layout().commit(backupId), 0, CommitObject.MAX_BYTES + 1)) {
      bytes = in.readNBytes(CommitObject.MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new NoSuchBackupException(backupId);
    }
    return CommitObject.decode(bytes, location.repositoryId(), backupId);
  }

  /**
   * Every commit that decodes, oldest first (by time, then id); a commit that does not decode is
   * left out (a listing with a key leaves it out too, and {@code verify} reports it).
   */
  static List<Commit> all(V2Location location) throws IOException {
    List<Commit> out = new ArrayList<>();
    String prefix = location.layout().commits();
    for (ObjectInfo o : location.store().list(prefix)) {
      String id = o.key().substring(prefix.length());
      if (!CommitStatement.validBackupId(id)) {
        continue;
      }
      try {
        out.add(read(location, id));
      } catch (CorruptBackupException | NoSuchBackupException skipped) {
        // damaged, foreign or deleted meanwhile: not a backup of this repository
      }
    }
    out.sort(
        Comparator.comparing((Commit c) -> c.summary().createdAt())
            .thenComparing(Commit::backupId));
    return out;
  }

  /** The newest backup whose commit carries a valid signature of {@code host}, if any. */
  static Optional<Commit> latestBy(List<Commit> commits, HostPublicKey host) {
    for (int i = commits.size() - 1; i >= 0; i--) {
      Commit c = commits.get(i);
      try {
        c.object().verifySignature(host);
        return Optional.of(c);
      } catch (CorruptBackupException notThisHost) {
        // unsigned, another host's, or a bad signature: not this host's backup
      }
    }
    return Optional.empty();
  }
}
