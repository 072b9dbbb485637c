package dev.coffer.examples.postgres;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.NoSuchBackupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Restores an online backup taken with {@link PostgresBackupSource} whose cluster has tablespaces.
 * A cluster without tablespaces needs none of this: {@code repo.restore(id, target)} (or {@code
 * coffer restore}) gives a data directory PostgreSQL starts on, recovering from {@code
 * backup_label} through the backup's WAL.
 *
 * <p>Tablespaces are stored as directories {@code pg_tblspc/<oid>} (the backup followed their
 * links), and PostgreSQL cannot recover such a copy: with the backup's {@code tablespace_map} it
 * fails to replace the non-empty directories by links, and without it recovery ends in a PANIC
 * ("All directory entries in pg_tblspc/ should be symbolic links"). So this does what PostgreSQL's
 * documentation asks of an operator who restores tablespaces elsewhere: after {@code repo.restore},
 * each tablespace directory is moved to {@code <tablespaces>/<oid>} and {@code tablespace_map} is
 * rewritten to name those locations; PostgreSQL links {@code pg_tblspc/<oid>} to them when it
 * starts. The backup's own {@code tablespace_map} names the source's locations: installed as it is,
 * a restored server would use the source's tablespaces.
 *
 * <p>Starting PostgreSQL on the result runs crash recovery from the checkpoint named in {@code
 * backup_label} through the backup's end record; PostgreSQL refuses to open a restore whose WAL
 * ends before that ("WAL ends before end of online backup"), so a started restore is a consistent
 * one.
 */
public final class PostgresRestore {

  private PostgresRestore() {}

  /**
   * Restores {@code backupId} into {@code target}, with tablespaces (if any) under the sibling
   * directory {@code <target>.tablespaces}. See {@link #restore(BackupRepository, String, Path,
   * Path)}.
   *
   * @param repo the repository holding the backup
   * @param backupId the id of a backup taken with {@link PostgresBackupSource}
   * @param target the new data directory; must not exist, its parent must
   * @return the backup's metadata (its labels hold the start and stop positions)
   * @throws NoSuchBackupException if the backup is missing
   * @throws BackupException if it is not an online PostgreSQL backup, or a restored tablespace is a
   *     link
   * @throws FileAlreadyExistsException if the target or the tablespace directory exists
   * @throws IOException if the restore fails; see {@link BackupRepository#restore}
   */
  public static BackupMetadata restore(BackupRepository repo, BackupId backupId, Path target)
      throws IOException {
    requireNonNull(target, "target");
    return restore(
        repo, backupId, target, target.resolveSibling(target.getFileName() + ".tablespaces"));
  }

  /**
   * Restores {@code backupId} into {@code target}, moves each tablespace to {@code
   * tablespaces/<oid>} (created only when the cluster has tablespaces) and rewrites {@code
   * tablespace_map} to name them. On failure the target and the tablespace directory are removed
   * again.
   *
   * @param repo the repository holding the backup
   * @param backupId the id of a backup taken with {@link PostgresBackupSource}
   * @param target the new data directory; must not exist, its parent must
   * @param tablespaces where the tablespaces go; must not exist
   * @return the backup's metadata (its labels hold the start and stop positions)
   * @throws NoSuchBackupException if the backup is missing
   * @throws BackupException if it is not an online PostgreSQL backup (no {@value
   *     PostgresBackupSource#LABEL_STOP_LSN} label), a restored tablespace is a link (the backup
   *     did not follow it) or {@code tablespace_map} names a tablespace the backup does not hold
   * @throws FileAlreadyExistsException if the target or the tablespace directory exists
   * @throws IOException if the restore fails; see {@link BackupRepository#restore}
   */
  public static BackupMetadata restore(
      BackupRepository repo, BackupId backupId, Path target, Path tablespaces) throws IOException {
    requireNonNull(repo, "repo");
    requireNonNull(backupId, "backupId");
    requireNonNull(target, "target");
    requireNonNull(tablespaces, "tablespaces");
    BackupMetadata backup =
        repo.find(backupId).orElseThrow(() -> new NoSuchBackupException(backupId));
    if (!backup.labels().containsKey(PostgresBackupSource.LABEL_STOP_LSN)) {
      throw new BackupException(
          "backup "
              + backupId
              + " is not an online PostgreSQL backup (no label "
              + PostgresBackupSource.LABEL_STOP_LSN
              + ")");
    }
    for (Path p : List.of(target, tablespaces)) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(
            p.toString(), null, "restore target of a PostgreSQL backup exists");
      }
    }
    boolean done = false;
    try {
      repo.restore(backupId, target);
      moveTablespaces(target, tablespaces);
      done = true;
      return backup;
    } finally {
      if (!done) {
        PostgresBackupSource.deleteTree(target);
        PostgresBackupSource.deleteTree(tablespaces);
      }
    }
  }

  /**
   * Moves each tablespace that {@code tablespace_map} names out to {@code tablespaces/<oid>} and
   * rewrites the map with those locations (PostgreSQL's escaping: a backslash before {@code \}, CR
   * and LF).
   */
  private static void moveTablespaces(Path target, Path tablespaces) throws IOException {
    Path map = target.resolve("tablespace_map");
    if (!Files.isRegularFile(map, LinkOption.NOFOLLOW_LINKS)) {
      return; // no tablespaces
    }
    Set<String> oids = new TreeSet<>();
    for (String line : Files.readAllLines(map, StandardCharsets.UTF_8)) {
      int space = line.indexOf(' ');
      if (space > 0 && line.substring(0, space).chars().allMatch(c -> c >= '0' && c <= '9')) {
        oids.add(line.substring(0, space)); // "<oid> <escaped path>"
      }
    }
    Files.createDirectory(tablespaces);
    PostgresBackupSource.sameAttributesAs(target, tablespaces); // the cluster's owner, 0700
    List<String> lines = new ArrayList<>();
    for (String oid : oids) {
      Path dir = target.resolve("pg_tblspc").resolve(oid);
      if (Files.isSymbolicLink(dir)) {
        throw new BackupException(
            "restored tablespace "
                + dir
                + " is a symbolic link (to "
                + Files.readSymbolicLink(dir)
                + "), which would share the source cluster's files; back up with PostgresBackupSource.request(), "
                + "which stores the tablespaces' contents");
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new BackupException(
            "tablespace_map names tablespace "
                + oid
                + ", which the backup does not hold at "
                + dir);
      }
      Path moved = Files.move(dir, tablespaces.resolve(oid)).toAbsolutePath();
      lines.add(
          oid
              + " "
              + moved.toString().replace("\\", "\\\\").replace("\r", "\\\r").replace("\n", "\\\n"));
    }
    Path rewritten =
        Files.write(target.resolve("tablespace_map.coffer-new"), lines, StandardCharsets.UTF_8);
    PostgresBackupSource.sameAttributesAs(map, rewritten);
    Files.move(rewritten, map, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
