package dev.coffer.archive.v2;

import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.RetentionPolicy;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code delete} and {@code prune} of a format-2 repository, safe against backups running on other
 * hosts ({@link V2Leases}): a backup named by a live lease as base, or up such a base's chain, or
 * up the chain of a backup that stays, is never removed.
 *
 * <p>A lease written after this removal read the leases is caught by reading them again: each
 * backup is removed commit first (it leaves {@code list()} at once), then the leases are read
 * again, and if one now protects the backup its commit is written back (the same bytes) and nothing
 * else is removed; otherwise its metadata, manifest and data go. A backup writes its lease before
 * it opens its base and checks that the base's commit is still there before its own commit: so
 * either this second read sees the lease, or the base's commit was gone before the backup opened it
 * or committed, and the backup fails rather than depend on a removed base.
 */
final class V2Removal {

  /** A step of the removal, for tests that interleave a backup deterministically. */
  interface Hook {
    /**
     * Called after the commit of {@code backupId} was removed, before the leases are read again.
     */
    void afterCommitRemoved(String backupId) throws IOException;
  }

  static volatile Hook hook = id -> {};

  private final V2Repository repo;

  V2Removal(V2Repository repo) {
    this.repo = repo;
  }

  /** Deletes backup {@code id}, refused if a listed backup or a live lease depends on it. */
  void delete(String id) throws IOException {
    Map<String, String> baseOf = basesOf();
    List<String> dependents = new ArrayList<>();
    baseOf.forEach(
        (backup, base) -> {
          if (id.equals(base)) {
            dependents.add(backup);
          }
        });
    dependents.addAll(leasing(id, baseOf));
    if (!dependents.isEmpty()) {
      throw new BackupInUseException(id, dependents);
    }
    if (!removeUnlessLeased(id)) {
      throw new BackupInUseException(id, leasing(id, basesOf()));
    }
    if (repo.canRead()) { // a write-only host has no catalog key
      repo.catalog.afterRemoval(repo.list());
    }
  }

  /**
   * Each incremental's id to its base's id: from the listing, or on a write-only host (which cannot
   * open the listing's metadata) from the commit summaries, which name the base in clear.
   */
  private Map<String, String> basesOf() throws IOException {
    if (repo.canRead()) {
      return V2Leases.basesOf(repo.list());
    }
    Map<String, String> baseOf = new java.util.LinkedHashMap<>();
    for (V2Commits.Commit c : V2Commits.all(repo.v2)) {
      if (c.summary().baseBackupId() != null) {
        baseOf.put(c.backupId(), c.summary().baseBackupId());
      }
    }
    return baseOf;
  }

  /** Deletes what {@code policy} does not keep, newest first; returns what was deleted. */
  List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    List<BackupMetadata> listed = repo.list();
    List<BackupMetadata> candidates = repo.pruneCandidates(policy);
    Set<String> doomed = new HashSet<>();
    candidates.forEach(b -> doomed.add(b.backupId()));
    List<String> kept = new ArrayList<>();
    listed.stream()
        .map(BackupMetadata::backupId)
        .filter(i -> !doomed.contains(i))
        .forEach(kept::add);
    Set<String> keep = V2Leases.upChains(kept, listed);
    keep.addAll(repo.leases.protectedIds(listed));
    List<BackupMetadata> removed = new ArrayList<>();
    for (BackupMetadata b : candidates) { // newest first: a dependent goes before its base
      if (!keep.contains(b.backupId()) && removeUnlessLeased(b.backupId())) {
        removed.add(b);
      }
    }
    if (!removed.isEmpty()) {
      repo.catalog.afterRemoval(repo.list());
    }
    return removed;
  }

  /** The backups whose live lease protects {@code id}. */
  private List<String> leasing(String id, Map<String, String> baseOf) throws IOException {
    List<String> out = new ArrayList<>();
    for (V2Leases.Lease l : repo.leases.live()) {
      if (l.baseBackupId() != null
          && V2Leases.upChains(List.of(l.baseBackupId()), baseOf).contains(id)) {
        out.add(l.backupId());
      }
    }
    return out;
  }

  /**
   * Removes backup {@code id}, commit first; if a live lease protects it once its commit is gone,
   * writes the commit back and returns false.
   */
  private boolean removeUnlessLeased(String id) throws IOException {
    V2Layout layout = repo.layout();
    byte[] commit;
    try (InputStream in = repo.store.read(layout.commit(id), 0, CommitObject.MAX_BYTES + 1)) {
      commit = in.readNBytes(CommitObject.MAX_BYTES + 1);
    } catch (NoSuchFileException gone) {
      commit = null;
    }
    repo.store.delete(layout.commit(id));
    repo.forget(id);
    hook.afterCommitRemoved(id);
    if (commit != null
        && !repo.leases.live().isEmpty()
        && repo.leases.protectedIds(basesOf()).contains(id)) {
      repo.store.write(layout.commit(id), new ByteArrayInputStream(commit), WriteMode.IF_ABSENT);
      return false;
    }
    repo.store.delete(layout.meta(id));
    repo.store.delete(layout.manifest(id));
    repo.store.delete(layout.data(id));
    return true;
  }
}
