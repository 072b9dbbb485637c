package dev.coffer.examples.postgres;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.NoSuchBackupException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Restores an online backup taken with {@link PostgresBackupSource} into a data directory that PostgreSQL
 * starts on: the data directory's backup, then the WAL backup's {@code backup_label} and {@code pg_wal/}
 * over it, without what PostgreSQL documents as not to be
 * restored from a live copy ({@code postmaster.pid}, {@code postmaster.opts}, the old contents of
 * {@code pg_wal/} and {@code pg_replslot/}).
 *
 * <p>Tablespaces (stored as directories by {@link PostgresBackupSource#dataRequest()}, which follows the
 * {@code pg_tblspc/<oid>} links) are moved out of the data directory to {@code <tablespaces>/<oid>} and
 * linked from {@code pg_tblspc/<oid>} again, as PostgreSQL expects: recovery from an online backup refuses
 * directories under {@code pg_tblspc} ("All directory entries in pg_tblspc/ should be symbolic links").
 * The WAL backup's {@code tablespace_map} is not installed: it would link them back to the source's
 * locations; it stays in the WAL backup for an operator who maps tablespaces by hand.
 *
 * <p>Starting PostgreSQL on the result runs crash recovery from the checkpoint named in
 * {@code backup_label} through the backup's end record; PostgreSQL refuses to open a restore whose WAL ends
 * before that ("WAL ends before end of online backup"), so a started restore is a consistent one. Add a
 * {@code recovery.signal} and a {@code restore_command} before the first start to recover further from a
 * WAL archive (point-in-time recovery is the operator's, not Coffer's).
 */
public final class PostgresRestore {

  /** Entries of a live copy that a restored cluster must not start with. */
  private static final List<String> NOT_RESTORED = List.of("postmaster.pid", "postmaster.opts", "backup_label",
      "tablespace_map");
  /** Directories whose contents of a live copy are dropped (PostgreSQL recreates what it needs). */
  private static final List<String> EMPTIED = List.of("pg_wal", "pg_replslot");

  private PostgresRestore() {}

  /**
   * Restores the run whose WAL backup is {@code walBackupId} into {@code target}, with tablespaces (if
   * any) under the sibling directory {@code <target>.tablespaces}. See
   * {@link #restore(BackupRepository, String, Path, Path)}.
   *
   * @param repo the repository holding both backups of the run
   * @param walBackupId the id of the WAL backup ({@link PostgresBackupSource#backupWal})
   * @param target the new data directory; must not exist, its parent must
   * @return the WAL backup's metadata (its labels hold the start and stop positions)
   * @throws NoSuchBackupException if either backup of the run is missing
   * @throws BackupException if {@code walBackupId} is not the WAL backup of an online run, or the restored
   *     {@code pg_wal} or a tablespace under {@code pg_tblspc} is a symbolic link
   * @throws FileAlreadyExistsException if the target or the tablespace directory exists
   * @throws IOException if a restore fails; see {@link BackupRepository#restore}
   */
  public static BackupMetadata restore(BackupRepository repo, String walBackupId, Path target) throws IOException {
    requireNonNull(target, "target");
    return restore(repo, walBackupId, target, target.resolveSibling(target.getFileName() + ".tablespaces"));
  }

  /**
   * Restores the run whose WAL backup is {@code walBackupId} into {@code target}, moving each tablespace
   * to {@code tablespaces/<oid>} (created only when the cluster has tablespaces) and linking it from
   * {@code pg_tblspc/<oid>}. On failure the target and the tablespace directory are removed again.
   *
   * @param repo the repository holding both backups of the run
   * @param walBackupId the id of the WAL backup ({@link PostgresBackupSource#backupWal})
   * @param target the new data directory; must not exist, its parent must
   * @return the WAL backup's metadata (its labels hold the start and stop positions)
   * @throws NoSuchBackupException if either backup of the run is missing
   * @throws BackupException if {@code walBackupId} is not the WAL backup of an online run, or the restored
 *     {@code pg_wal} or a tablespace under {@code pg_tblspc} is a symbolic link
   * @throws FileAlreadyExistsException if the target exists
   * @throws IOException if a restore fails; see {@link BackupRepository#restore}
   */
  public static BackupMetadata restore(BackupRepository repo, String walBackupId, Path target, Path tablespaces)
      throws IOException {
    requireNonNull(repo, "repo");
    requireNonNull(tablespaces, "tablespaces");
    requireNonNull(walBackupId, "walBackupId");
    requireNonNull(target, "target");
    BackupMetadata wal = repo.find(walBackupId).orElseThrow(() -> new NoSuchBackupException(walBackupId));
    String dataId = wal.labels().get(PostgresBackupSource.LABEL_DATA_BACKUP);
    if (!"wal".equals(wal.labels().get(PostgresBackupSource.LABEL_PART)) || dataId == null) {
      throw new BackupException("backup " + walBackupId + " is not the WAL backup of a PostgreSQL online backup (labels "
          + PostgresBackupSource.LABEL_PART + "=wal and " + PostgresBackupSource.LABEL_DATA_BACKUP + " missing)");
    }
    for (Path p : List.of(target, tablespaces)) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(p.toString(), null, "restore target of a PostgreSQL backup exists");
      }
    }
    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    Path walTarget = target.resolveSibling("." + target.getFileName() + ".coffer-wal-" + HexFormat.of().formatHex(random));
    boolean done = false;
    try {
      repo.restore(dataId, target);
      repo.restore(walBackupId, walTarget);
      for (String name : NOT_RESTORED) {
        Files.deleteIfExists(target.resolve(name));
      }
      for (String dir : EMPTIED) {
        emptyFiles(target.resolve(dir));
      }
      relinkTablespaces(target, tablespaces);
      Files.move(walTarget.resolve("backup_label"), target.resolve("backup_label"));
      // tablespace_map stays out: it makes recovery replace pg_tblspc/<oid> by links to the source's
      // tablespace directories, while this restore holds them as directories of its own (followed links)
      try (DirectoryStream<Path> segments = Files.newDirectoryStream(walTarget.resolve("pg_wal"))) {
        for (Path segment : segments) {
          Files.move(segment, target.resolve("pg_wal").resolve(segment.getFileName().toString()));
        }
      }
      done = true;
      return wal;
    } finally {
      PostgresBackupSource.deleteTree(walTarget);
      if (!done) {
        PostgresBackupSource.deleteTree(target);
        PostgresBackupSource.deleteTree(tablespaces);
      }
    }
  }

  /**
   * Moves each restored tablespace directory out to {@code tablespaces/<oid>} and links it back. A
   * tablespace restored as a link would point at the source cluster's tablespace (a restored server started
   * next to the original would write into the original's files): refused.
   */
  private static void relinkTablespaces(Path target, Path tablespaces) throws IOException {
    Path links = target.resolve("pg_tblspc");
    if (!Files.isDirectory(links, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(links)) {
      for (Path c : children) {
        if (Files.isSymbolicLink(c)) {
          throw new BackupException("restored tablespace " + c + " is a symbolic link (to " + Files.readSymbolicLink(c)
              + "), which would share the source cluster's files; back up with PostgresBackupSource.dataRequest(), "
              + "which stores the tablespaces' contents");
        }
        found.add(c);
      }
    }
    if (found.isEmpty()) {
      return;
    }
    Files.createDirectory(tablespaces);
    PostgresBackupSource.sameAttributesAs(target, tablespaces); // the cluster's owner, 0700
    for (Path dir : found) {
      Path moved = Files.move(dir, tablespaces.resolve(dir.getFileName().toString()));
      Files.createSymbolicLink(dir, moved.toAbsolutePath());
    }
  }

  /** Deletes the files below {@code dir} and the directories below it, keeping {@code archive_status}. */
  private static void emptyFiles(Path dir) throws IOException {
    if (Files.isSymbolicLink(dir)) {
      // never empty what a restored link points at: it may be the live cluster's WAL directory
      throw new BackupException("restored " + dir + " is a symbolic link (to " + Files.readSymbolicLink(dir)
          + "); back up with its target followed so that the restore holds a directory there");
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path c : children) {
        if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS) && c.getFileName().toString().equals("archive_status")) {
          emptyFiles(c);
        } else {
          PostgresBackupSource.deleteTree(c);
        }
      }
    }
  }
}
