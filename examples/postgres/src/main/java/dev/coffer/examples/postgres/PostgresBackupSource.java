package dev.coffer.examples.postgres;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A running PostgreSQL 15+ cluster in backup mode, the documented non-exclusive low-level procedure driven
 * over one JDBC connection: {@code pg_backup_start(label, fast)}, copy the data directory,
 * {@code pg_backup_stop()}, then put the returned {@code backup_label} and {@code tablespace_map} and the
 * WAL from the start to the stop position next to the copy.
 *
 * <p><b>How the WAL gets into the backup.</b> Before {@code pg_backup_start} the source creates a
 * <em>temporary physical replication slot</em> that reserves WAL on the same connection; PostgreSQL then
 * keeps every segment from the backup's start until the slot is dropped, even across checkpoints. After
 * {@code pg_backup_stop} (which writes the backup-end record and switches to a new segment, so the stop
 * segment is complete) the segments from the start to the stop segment are copied from {@code pg_wal}.
 * This needs no {@code archive_command} and no change to the server's configuration (only the defaults
 * {@code wal_level=replica} and {@code max_replication_slots > 0}); a WAL archive is the operator's tool
 * for point-in-time recovery, which this example leaves out of scope.
 *
 * <p><b>Two backups per run, for now.</b> Coffer's {@link BackupSource} handshake reads the labels before
 * the copy and calls {@link #close()} after the backup is published, so what {@code pg_backup_stop}
 * returns cannot go into the same backup. The run is therefore two backups: the data directory
 * ({@code repo.backup(source)}, labels {@value #LABEL_START_LSN}, {@value #LABEL_TIMELINE}), then
 * {@link #backupWal} of {@code backup_label}, {@code tablespace_map} and {@code pg_wal/} (labels
 * {@value #LABEL_STOP_LSN} and {@value #LABEL_DATA_BACKUP}). {@link PostgresRestore} puts them together.
 *
 * <pre>{@code
 * PostgresBackupSource source = PostgresBackupSource.start(conn, dataDir, workDir, "nightly", Map.of());
 * BackupMetadata data = repo.backup(source);              // copies; close() runs pg_backup_stop
 * BackupMetadata wal = source.backupWal(repo, data);      // the WAL and backup_label
 * PostgresRestore.restore(repo, wal.backupId(), target);  // later: both, ready to start
 * }</pre>
 *
 * <p>A cluster with a separate WAL directory or tablespaces (symbolic links {@code pg_wal},
 * {@code pg_tblspc/*}) is backed up with {@link #dataRequest()}, which follows them.
 *
 * <p>The connection must be in auto-commit mode, belong to a superuser (or a role with REPLICATION,
 * {@code pg_read_all_settings} and EXECUTE on {@code pg_backup_start}/{@code pg_backup_stop}), and stay
 * open and otherwise unused until {@link #backupWal} returns: closing it aborts the backup. One thread at a
 * time.
 */
public final class PostgresBackupSource implements BackupSource {

  /** Label: {@code data} on the data directory's backup, {@code wal} on the WAL backup. */
  public static final String LABEL_PART = "postgres.part";
  /** Label: the WAL position where the backup starts ({@code pg_backup_start}'s result). */
  public static final String LABEL_START_LSN = "postgres.start-lsn";
  /** Label: the WAL segment that holds the start position. */
  public static final String LABEL_START_WAL_FILE = "postgres.start-wal-file";
  /** Label: the timeline of the backup. */
  public static final String LABEL_TIMELINE = "postgres.timeline";
  /** Label: the server's version ({@code server_version}). */
  public static final String LABEL_VERSION = "postgres.version";
  /** Label: the label passed to {@code pg_backup_start}. */
  public static final String LABEL_BACKUP_LABEL = "postgres.label";
  /** Label of the WAL backup: the WAL position where the backup ends ({@code pg_backup_stop}'s result). */
  public static final String LABEL_STOP_LSN = "postgres.stop-lsn";
  /** Label of the WAL backup: the WAL segment that holds the stop position. */
  public static final String LABEL_STOP_WAL_FILE = "postgres.stop-wal-file";
  /** Label of the WAL backup: the id of the data directory's backup it completes. */
  public static final String LABEL_DATA_BACKUP = "postgres.data-backup";

  private final Connection connection;
  private final Path dataDirectory;
  private final Path workDirectory;
  private final String slot;
  private final Map<String, String> labels;
  private final long segmentSizeBytes;
  private Stop stop;
  private boolean closed;
  private boolean slotDropped;

  /** What {@code pg_backup_stop} returned. */
  private record Stop(String lsn, String walFile, String labelFile, String tablespaceMap) {}

  private PostgresBackupSource(Connection connection, Path dataDirectory, Path workDirectory, String slot,
      Map<String, String> labels, long segmentSizeBytes) {
    this.connection = connection;
    this.dataDirectory = dataDirectory;
    this.workDirectory = workDirectory;
    this.slot = slot;
    this.labels = labels;
    this.segmentSizeBytes = segmentSizeBytes;
  }

  /**
   * Reserves WAL with a temporary replication slot and puts the cluster in backup mode
   * ({@code pg_backup_start(label, true)}: an immediate checkpoint, so the copy can start at once). If
   * anything fails after that, the backup mode is ended and the slot dropped before this throws.
   *
   * <p>Read the host's own positions (a counter's high-water mark) before calling this and pass them as
   * {@code hostLabels}: every transaction committed before {@code pg_backup_stop} is in the restore, so a
   * position read before the start is a safe lower bound.
   *
   * @param connection an auto-commit connection to the cluster, held until {@link #backupWal} returns
   * @param dataDirectory the cluster's data directory, as this process sees it (checked against the
   *     server's {@code data_directory})
   * @param workDirectory where the WAL is gathered for {@link #backupWal} (a few segments); must exist
   * @param label the backup label PostgreSQL records in {@code backup_label}
   * @param hostLabels the host's positions, recorded with the data directory's backup
   * @return the source, in backup mode
   * @throws NoSuchFileException if a directory does not exist
   * @throws NotDirectoryException if a path is not a directory
   * @throws IllegalArgumentException if the connection is not in auto-commit mode
   * @throws IOException if the server refuses (older than 15, not the same data directory, no privilege,
   *     no free replication slot), naming the reason; the cluster is then not in backup mode
   */
  public static PostgresBackupSource start(Connection connection, Path dataDirectory, Path workDirectory, String label,
      Map<String, String> hostLabels) throws IOException {
    requireNonNull(connection, "connection");
    requireNonNull(dataDirectory, "dataDirectory");
    requireNonNull(workDirectory, "workDirectory");
    requireNonNull(label, "label");
    requireNonNull(hostLabels, "hostLabels");
    requireDirectory(dataDirectory, "PostgreSQL data directory");
    requireDirectory(workDirectory, "work directory");
    try {
      if (!connection.getAutoCommit()) {
        throw new IllegalArgumentException("the backup connection must be in auto-commit mode");
      }
      int version = Integer.parseInt(query(connection, "SHOW server_version_num"));
      if (version < 150000) {
        throw new IOException("PostgreSQL " + query(connection, "SHOW server_version")
            + " has no pg_backup_start (15 or newer is needed)");
      }
      Path serverDirectory = Path.of(query(connection, "SHOW data_directory"));
      if (!Files.isSameFile(serverDirectory, dataDirectory)) {
        throw new IOException("the server's data directory is " + serverDirectory + ", not " + dataDirectory);
      }
      long segmentSize = Long.parseLong(query(connection,
          "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
      Map<String, String> labels = new TreeMap<>(hostLabels);
      labels.put(LABEL_VERSION, query(connection, "SHOW server_version"));
      labels.put(LABEL_BACKUP_LABEL, label);
      labels.put(LABEL_PART, "data");
      byte[] random = new byte[8];
      new SecureRandom().nextBytes(random);
      String slot = "coffer_" + HexFormat.of().formatHex(random);
      query(connection, "SELECT pg_create_physical_replication_slot(?, true, true)", slot);
      PostgresBackupSource source = new PostgresBackupSource(connection, dataDirectory, workDirectory, slot, labels,
          segmentSize);
      try {
        String startLsn = query(connection, "SELECT pg_backup_start(?, true)", label);
        String startFile = query(connection, "SELECT pg_walfile_name(?::pg_lsn)", startLsn);
        labels.put(LABEL_START_LSN, startLsn);
        labels.put(LABEL_START_WAL_FILE, startFile);
        labels.put(LABEL_TIMELINE, Long.toString(WalFiles.timeline(startFile)));
      } catch (SQLException | RuntimeException e) {
        source.abort(e);
        throw e;
      }
      return source;
    } catch (SQLException e) {
      throw new IOException("cannot start a backup of PostgreSQL data directory " + dataDirectory + ": SQLState "
          + e.getSQLState() + ": " + e.getMessage(), e);
    }
  }

  private void abort(Exception cause) {
    try {
      closed = true;
      query(connection, "SELECT lsn FROM pg_backup_stop(false)");
    } catch (SQLException again) {
      cause.addSuppressed(again); // not in backup mode yet: nothing to end
    }
    dropSlot(cause);
  }

  private void dropSlot(Exception cause) {
    if (slotDropped) {
      return;
    }
    try {
      query(connection, "SELECT pg_drop_replication_slot(?)", slot);
      slotDropped = true;
    } catch (SQLException again) {
      if (cause != null) {
        cause.addSuppressed(again); // a temporary slot goes away with the session anyway
      }
    }
  }

  /**
   * The live data directory. PostgreSQL keeps writing it during the copy; the WAL from the start to the
   * stop position, replayed at the first start of a restore, makes the copy consistent.
   *
   * @return the data directory
   */
  @Override
  public Path directory() {
    return dataDirectory;
  }

  /**
   * The caller's labels plus {@value #LABEL_START_LSN}, {@value #LABEL_START_WAL_FILE},
   * {@value #LABEL_TIMELINE}, {@value #LABEL_VERSION}, {@value #LABEL_BACKUP_LABEL} and
   * {@value #LABEL_PART}{@code =data}.
   *
   * @return the labels, sorted by key
   */
  @Override
  public Map<String, String> labels() {
    return Collections.unmodifiableMap(labels);
  }

  /**
   * The request for the data directory's backup when the cluster has links: {@link #directory()} with
   * {@link #labels()}, following {@code pg_wal} (an {@code initdb --waldir} cluster) and
   * {@code pg_tblspc/*} (tablespaces) so that their contents are stored in place of the links and a
   * restore has them as its own directories. {@code repo.backup(source)} cannot ask for that yet, so a
   * cluster with links is backed up as
   * {@code try (source) { data = repo.backup(source.dataRequest()); }} (the {@code try} ends backup
   * mode in every outcome, as {@code repo.backup(source)} does).
   *
   * @return the request
   */
  public BackupRequest dataRequest() {
    return BackupRequest.full(dataDirectory).withLabels(labels).withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*"));
  }

  /**
   * Ends backup mode with {@code pg_backup_stop(false)} (not waiting for an archiver: the WAL is copied by
   * {@link #backupWal}) and keeps what it returns. The replication slot stays until {@link #backupWal}, so
   * the backup's WAL stays in {@code pg_wal}. A second call does nothing.
   *
   * @throws IOException if the server refuses; the session's backup mode then ends with the connection
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT lsn, labelfile, spcmapfile, pg_walfile_name(lsn) FROM pg_backup_stop(false)");
         ResultSet r = s.executeQuery()) {
      r.next();
      stop = new Stop(r.getString(1), r.getString(4), r.getString(2), r.getString(3));
    } catch (SQLException e) {
      IOException failure = new IOException("cannot stop the backup of PostgreSQL data directory " + dataDirectory
          + ": SQLState " + e.getSQLState() + ": " + e.getMessage(), e);
      dropSlot(failure);
      throw failure;
    }
  }

  /**
   * Takes the second backup of the run: {@code backup_label}, {@code tablespace_map} (when the cluster has
   * tablespaces) and {@code pg_wal/} with every segment from the start to the stop segment plus the
   * timeline history files; then drops the replication slot. Call it after {@code repo.backup(source)}
   * succeeded; the WAL is gathered in a temporary directory under the work directory, removed afterwards.
   *
   * @param repo the repository that holds {@code data}
   * @param data the data directory's backup, taken from this source
   * @return the WAL backup, labelled {@value #LABEL_STOP_LSN}, {@value #LABEL_STOP_WAL_FILE},
   *     {@value #LABEL_DATA_BACKUP} and {@value #LABEL_PART}{@code =wal} plus the start labels
   * @throws IllegalStateException if the source was not closed (backup mode not ended)
   * @throws IllegalArgumentException if {@code data} was not taken from this source
   * @throws NoSuchFileException if a WAL segment of the backup is missing from {@code pg_wal}
   * @throws IOException if gathering or the backup fails
   */
  public BackupMetadata backupWal(BackupRepository repo, BackupMetadata data) throws IOException {
    requireNonNull(repo, "repo");
    requireNonNull(data, "data");
    if (stop == null) {
      throw new IllegalStateException("backup mode has not ended: back up the source (which closes it) first");
    }
    if (!labels.get(LABEL_START_LSN).equals(data.labels().get(LABEL_START_LSN))) {
      throw new IllegalArgumentException("backup " + data.backupId() + " was not taken from this source");
    }
    Path end = Files.createTempDirectory(workDirectory, "coffer-pg-wal-");
    try {
      gatherWal(end);
      dropSlot(null);
      Map<String, String> walLabels = new TreeMap<>(labels);
      walLabels.put(LABEL_PART, "wal");
      walLabels.put(LABEL_STOP_LSN, stop.lsn());
      walLabels.put(LABEL_STOP_WAL_FILE, stop.walFile());
      walLabels.put(LABEL_DATA_BACKUP, data.backupId());
      return repo.backup(BackupRequest.full(end).withLabels(walLabels));
    } finally {
      deleteTree(end);
    }
  }

  private void gatherWal(Path end) throws IOException {
    Path walIn = dataDirectory.resolve("pg_wal");
    sameAttributesAs(dataDirectory, end);
    Path label = Files.writeString(end.resolve("backup_label"), stop.labelFile(), StandardCharsets.UTF_8);
    sameAttributesAs(dataDirectory.resolve("PG_VERSION"), label);
    if (stop.tablespaceMap() != null && !stop.tablespaceMap().isEmpty()) {
      Path map = Files.writeString(end.resolve("tablespace_map"), stop.tablespaceMap(), StandardCharsets.UTF_8);
      sameAttributesAs(dataDirectory.resolve("PG_VERSION"), map);
    }
    Path walOut = Files.createDirectory(end.resolve("pg_wal"));
    sameAttributesAs(walIn, walOut);
    List<String> segments = WalFiles.range(labels.get(LABEL_START_WAL_FILE), stop.walFile(), segmentSizeBytes);
    for (String segment : segments) {
      Path in = walIn.resolve(segment);
      if (!Files.isRegularFile(in)) {
        throw new NoSuchFileException(in.toString(), null, "WAL segment of the backup is missing (start "
            + labels.get(LABEL_START_LSN) + ", stop " + stop.lsn() + ")");
      }
      sameAttributesAs(in, Files.copy(in, walOut.resolve(segment)));
    }
    for (Path history : WalFiles.histories(walIn)) {
      sameAttributesAs(history, Files.copy(history, walOut.resolve(history.getFileName().toString())));
    }
  }

  /**
   * Gives a gathered file the mode, owner and group of its counterpart in the cluster, so that the restore
   * (which restores what was backed up) hands PostgreSQL files it owns, as the data directory's own. An
   * owner that cannot be set (not running as root) stays the process's: then it is the cluster's owner.
   */
  static void sameAttributesAs(Path model, Path made) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(made, PosixFileAttributeView.class);
    if (view == null) {
      return; // no POSIX attributes here to keep
    }
    PosixFileAttributes attributes = Files.readAttributes(model, PosixFileAttributes.class);
    view.setPermissions(attributes.permissions());
    if (!attributes.owner().equals(Files.getOwner(made))) {
      try {
        view.setOwner(attributes.owner());
        view.setGroup(attributes.group());
      } catch (FileSystemException e) {
        // not permitted: this process is not root, so it runs as the cluster's owner or a member of its group
      }
    }
  }

  private static String query(Connection connection, String sql, String... parameters) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setString(i + 1, parameters[i]);
      }
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new SQLException("no row from: " + sql);
        }
        return r.getString(1);
      }
    }
  }

  private static void requireDirectory(Path dir, String what) throws IOException {
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString(), null, what + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir.toString());
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (var children = Files.newDirectoryStream(root)) {
        for (Path c : children) {
          deleteTree(c);
        }
      }
    }
    Files.delete(root);
  }
}
