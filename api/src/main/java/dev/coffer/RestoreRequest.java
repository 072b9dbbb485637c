package dev.coffer;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.support.RelativePaths;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What to restore and how: a backup id, a target directory, a {@link RestoreMode}, optionally a
 * subset of paths, and a progress listener.
 *
 * <pre>{@code
 * repo.restore(RestoreRequest.of(id, target).withMode(RestoreMode.REPLACE));
 * repo.restore(RestoreRequest.of(id, target).withPaths(List.of("wal", "base/16384/1259")));
 * }</pre>
 *
 * @param backupId the backup to restore
 * @param target the directory to restore into
 * @param mode how an existing target is treated
 * @param paths relative paths ({@code /}-separated) of the files or directories to restore, with
 *     their parents; empty means everything
 * @param progress told about progress; exceptions it throws abort the restore
 * @param owners how recorded owners are applied; {@link OwnerPolicy#AUTO} by default
 */
public record RestoreRequest(
    BackupId backupId,
    Path target,
    RestoreMode mode,
    Set<String> paths,
    ProgressListener progress,
    OwnerPolicy owners) {

  /**
   * Validates and copies the components.
   *
   * @param backupId as described on the record
   * @param target as described on the record
   * @param mode as described on the record
   * @param paths as described on the record
   * @param progress as described on the record
   * @param owners as described on the record; {@code null} means {@link OwnerPolicy#AUTO}
   * @throws NullPointerException if the id, target or mode is null
   * @throws IllegalArgumentException if a path is not a valid relative path
   */
  public RestoreRequest {
    requireNonNull(backupId, "backupId");
    requireNonNull(target, "target");
    requireNonNull(mode, "mode");
    paths = paths == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(paths));
    paths.forEach(RelativePaths::requireValid);
    progress = progress == null ? ProgressListener.NONE : progress;
    owners = owners == null ? OwnerPolicy.AUTO : owners;
  }

  /**
   * A request with the default owner policy, {@link OwnerPolicy#AUTO}.
   *
   * @param backupId as described on the record
   * @param target as described on the record
   * @param mode as described on the record
   * @param paths as described on the record
   * @param progress as described on the record
   * @throws NullPointerException if the id, target or mode is null
   * @throws IllegalArgumentException if a path is not a valid relative path
   */
  public RestoreRequest(
      BackupId backupId,
      Path target,
      RestoreMode mode,
      Set<String> paths,
      ProgressListener progress) {
    this(backupId, target, mode, paths, progress, OwnerPolicy.AUTO);
  }

  /**
   * Restores all of backup {@code backupId} into {@code target}, which must be absent or empty.
   *
   * @param backupId the backup to restore
   * @param target the target directory
   * @return the request
   */
  public static RestoreRequest of(BackupId backupId, Path target) {
    return new RestoreRequest(
        backupId, target, RestoreMode.CREATE, Set.of(), ProgressListener.NONE);
  }

  /**
   * Returns a copy with another mode.
   *
   * @param newMode the mode
   * @return the new request
   */
  public RestoreRequest withMode(RestoreMode newMode) {
    return new RestoreRequest(
        backupId, target, requireNonNull(newMode, "mode"), paths, progress, owners);
  }

  /**
   * Returns a copy that restores only these paths (files, or directories with everything below
   * them).
   *
   * @param newPaths relative {@code /}-separated paths as stored in the backup
   * @return the new request
   */
  public RestoreRequest withPaths(Collection<String> newPaths) {
    return new RestoreRequest(
        backupId, target, mode, Set.copyOf(requireNonNull(newPaths, "paths")), progress, owners);
  }

  /**
   * Returns a copy that reports progress to {@code listener}.
   *
   * @param listener the listener
   * @return the new request
   */
  public RestoreRequest withProgress(ProgressListener listener) {
    return new RestoreRequest(
        backupId, target, mode, paths, requireNonNull(listener, "listener"), owners);
  }

  /**
   * Returns a copy that applies recorded owners as {@code policy} says.
   *
   * @param policy the owner policy
   * @return the new request
   */
  public RestoreRequest withOwners(OwnerPolicy policy) {
    return new RestoreRequest(
        backupId, target, mode, paths, progress, requireNonNull(policy, "policy"));
  }

  /**
   * Whether this request restores only a subset of the backup.
   *
   * @return true when paths were given
   */
  public boolean partial() {
    return !paths.isEmpty();
  }

  /**
   * Whether the stored entry {@code path} is selected by this request: always for a full restore;
   * otherwise when it equals a requested path or lies below one.
   *
   * @param path a stored relative path
   * @return true when the entry is to be restored
   */
  public boolean selects(String path) {
    if (paths.isEmpty()) {
      return true;
    }
    for (String p : paths) {
      if (path.equals(p) || path.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }
}
