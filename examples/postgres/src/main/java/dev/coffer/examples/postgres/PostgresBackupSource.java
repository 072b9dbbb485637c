package dev.coffer.examples.postgres;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupRequest;
import dev.coffer.BackupSource;
import dev.coffer.SourceEnd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A running PostgreSQL 15+ cluster in backup mode, PostgreSQL's documented non-exclusive low-level
 * procedure driven over one JDBC connection and taken as ONE Coffer backup: {@code
 * pg_backup_start(label, fast)}; Coffer copies the data directory minus what PostgreSQL documents
 * as safe to leave out ({@link #excluded()}); {@link #finish()} runs {@code pg_backup_stop()} and
 * hands back {@code backup_label}, {@code tablespace_map} and the WAL from the start to the stop
 * position, which go into the same backup before it is published; {@link #close()} drops the
 * replication slot and the staging directory.
 *
 * <p><b>How the WAL gets into the backup.</b> Before {@code pg_backup_start} the source creates a
 * <em>temporary physical replication slot</em> that reserves WAL on the same connection; PostgreSQL
 * then keeps every segment from the backup's start until the slot is dropped, even across
 * checkpoints. After {@code pg_backup_stop} (which writes the backup-end record and switches to a
 * new segment, so the stop segment is complete) the segments from the start to the stop segment are
 * copied from {@code pg_wal}. This needs no {@code archive_command} and no change to the server's
 * configuration (only the defaults {@code wal_level=replica} and {@code max_replication_slots >
 * 0}); a WAL archive is the operator's tool for point-in-time recovery, which this example leaves
 * out of scope.
 *
 * <pre>{@code
 * try (PostgresBackupSource source = PostgresBackupSource.start(conn, dataDir, workDir, "nightly", Map.of())) {
 *   BackupMetadata b = repo.backup(source.request());     // one backup: data, backup_label, WAL
 * }
 * // later: repo.restore(b.id(), target), then pg_ctl start (PostgresRestore for tablespaces)
 * }</pre>
 *
 * <p>{@code repo.backup(source)} works as well for a cluster without links; {@link #request()} also
 * follows {@code pg_wal} (an {@code initdb --waldir} cluster) and {@code pg_tblspc/*}
 * (tablespaces), which the {@link BackupSource} handshake cannot ask for. A backup of a cluster
 * with links that did not come from {@link #request()} fails in {@link #finish()} (nothing is
 * published): its restore would share the source's WAL directory or tablespaces.
 *
 * <p>The connection must be in auto-commit mode, belong to a superuser (or a role with REPLICATION,
 * {@code pg_read_all_settings} and EXECUTE on {@code pg_backup_start}/{@code pg_backup_stop}), and
 * stay open and otherwise unused until {@link #close()}: closing it aborts the backup. One thread
 * at a time.
 */
public final class PostgresBackupSource implements BackupSource {

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

  /**
   * Label added by {@link #finish()}: the WAL position where the backup ends ({@code
   * pg_backup_stop}'s).
   */
  public static final String LABEL_STOP_LSN = "postgres.stop-lsn";

  /** Label added by {@link #finish()}: the WAL segment that holds the stop position. */
  public static final String LABEL_STOP_WAL_FILE = "postgres.stop-wal-file";

  /**
   * The links of a data directory that belong to the cluster: a separate WAL directory,
   * tablespaces.
   */
  private static final Set<String> FOLLOWED_LINKS = Set.of("pg_wal", "pg_tblspc/*");

  /**
   * What PostgreSQL documents as safe to leave out of a base backup ("Backing Up the Data
   * Directory"; the same list pg_basebackup skips), within the fixed-depth pattern syntax: the lock
   * and options files, the contents of directories recreated at start, WAL (the backup's own comes
   * from {@link #finish()}), temporary files and temporary relations ({@code
   * t<backend>_<relfilenode>}) in the default and in other tablespaces, relation-cache files, and a
   * stray {@code backup_label}/{@code tablespace_map}. Unlogged relations cannot be told apart by
   * name and are copied.
   */
  private static final Set<String> EXCLUDED =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "backup_label",
          "tablespace_map",
          "backup_manifest",
          "postgresql.auto.conf.tmp",
          "current_logfiles.tmp",
          "pg_wal/*",
          "pg_replslot/*",
          "pg_stat_tmp/*",
          "pg_dynshmem/*",
          "pg_notify/*",
          "pg_serial/*",
          "pg_snapshots/*",
          "pg_subtrans/*",
          "base/pgsql_tmp*",
          "pg_tblspc/*/*/pgsql_tmp*",
          "base/*/t*",
          "pg_tblspc/*/*/*/t*",
          "global/pg_internal.init*",
          "base/*/pg_internal.init*",
          "pg_tblspc/*/*/*/pg_internal.init*");

  private final Connection connection;
  private final Path dataDirectory;
  private final Path workDirectory;
  private final String slot;
  private final Map<String, String> labels;
  private final long segmentSizeBytes;
  private boolean linksFollowed;
  private boolean stopped;
  private boolean closed;
  private boolean slotDropped;
  private Path staging;

  /** What {@code pg_backup_stop} returned. */
  private record Stop(String lsn, String walFile, String labelFile, String tablespaceMap) {}

  private PostgresBackupSource(
      Connection connection,
      Path dataDirectory,
      Path workDirectory,
      String slot,
      Map<String, String> labels,
      long segmentSizeBytes) {
    this.connection = connection;
    this.dataDirectory = dataDirectory;
    this.workDirectory = workDirectory;
    this.slot = slot;
    this.labels = labels;
    this.segmentSizeBytes = segmentSizeBytes;
  }

  /**
   * Reserves WAL with a temporary replication slot and puts the cluster in backup mode ({@code
   * pg_backup_start(label, true)}: an immediate checkpoint, so the copy can start at once). If
   * anything fails after that, the backup mode is ended and the slot dropped before this throws.
   *
   * <p>Read the host's own positions (a counter's high-water mark) before calling this and pass
   * them as {@code hostLabels}: every transaction committed before {@code pg_backup_stop} is in the
   * restore, so a position read before the start is a safe lower bound.
   *
   * @param connection an auto-commit connection to the cluster, held until {@link #close()}
   * @param dataDirectory the cluster's data directory, as this process sees it (checked against the
   *     server's {@code data_directory})
   * @param workDirectory where {@link #finish()} gathers {@code backup_label} and the WAL (a few
   *     segments, removed by {@link #close()}); must exist
   * @param label the backup label PostgreSQL records in {@code backup_label}
   * @param hostLabels the host's positions, recorded with the backup
   * @return the source, in backup mode
   * @throws NoSuchFileException if a directory does not exist
   * @throws NotDirectoryException if a path is not a directory
   * @throws IllegalArgumentException if the connection is not in auto-commit mode
   * @throws IOException if the server refuses (older than 15, not the same data directory, no
   *     privilege, no free replication slot), naming the reason; the cluster is then not in backup
   *     mode
   */
  public static PostgresBackupSource start(
      Connection connection,
      Path dataDirectory,
      Path workDirectory,
      String label,
      Map<String, String> hostLabels)
      throws IOException {
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
        throw new IOException(
            "PostgreSQL "
                + query(connection, "SHOW server_version")
                + " has no pg_backup_start (15 or newer is needed)");
      }
      Path serverDirectory =
          dataDirectory.getFileSystem().getPath(query(connection, "SHOW data_directory"));
      if (!Files.isSameFile(serverDirectory, dataDirectory)) {
        throw new IOException(
            "the server's data directory is " + serverDirectory + ", not " + dataDirectory);
      }
      long segmentSize =
          Long.parseLong(
              query(connection, "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
      Map<String, String> labels = new TreeMap<>(hostLabels);
      labels.put(LABEL_VERSION, query(connection, "SHOW server_version"));
      labels.put(LABEL_BACKUP_LABEL, label);
      byte[] random = new byte[8];
      new SecureRandom().nextBytes(random);
      String slot = "coffer_" + HexFormat.of().formatHex(random);
      query(connection, "SELECT pg_create_physical_replication_slot(?, true, true)", slot);
      PostgresBackupSource source =
          new PostgresBackupSource(
              connection, dataDirectory, workDirectory, slot, labels, segmentSize);
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
      throw new IOException(
          "cannot start a backup of PostgreSQL data directory "
              + dataDirectory
              + ": SQLState "
              + e.getSQLState()
              + ": "
              + e.getMessage(),
          e);
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
   * The live data directory. PostgreSQL keeps writing it during the copy; the WAL from the start to
   * the stop position, replayed at the first start of a restore, makes the copy consistent.
   *
   * @return the data directory
   */
  @Override
  public Path directory() {
    return dataDirectory;
  }

  /**
   * The caller's labels plus {@value #LABEL_START_LSN}, {@value #LABEL_START_WAL_FILE}, {@value
   * #LABEL_TIMELINE}, {@value #LABEL_VERSION} and {@value #LABEL_BACKUP_LABEL}; {@link #finish()}
   * adds {@value #LABEL_STOP_LSN} and {@value #LABEL_STOP_WAL_FILE}.
   *
   * @return the labels, sorted by key
   */
  @Override
  public Map<String, String> labels() {
    return Collections.unmodifiableMap(labels);
  }

  /**
   * What PostgreSQL documents as safe to leave out of a base backup, never read during the copy (so
   * a WAL segment recycled or a temporary file deleted meanwhile cannot fail it): {@code
   * postmaster.pid}, {@code postmaster.opts}, the contents of {@code pg_wal}, {@code pg_replslot},
   * {@code pg_stat_tmp}, {@code pg_dynshmem}, {@code pg_notify}, {@code pg_serial}, {@code
   * pg_snapshots} and {@code pg_subtrans} (the directories themselves are kept), {@code pgsql_tmp*}
   * temporary files, temporary relations, {@code pg_internal.init} files, and a stray {@code
   * backup_label} or {@code tablespace_map}; also inside followed tablespaces.
   *
   * @return the exclusion patterns
   */
  @Override
  public Set<String> excluded() {
    return EXCLUDED;
  }

  /**
   * The whole backup as one request, for any cluster: {@link #directory()} with {@link #labels()},
   * {@link #excluded()} left out, {@link #finish()} as the finisher, and {@code pg_wal} and {@code
   * pg_tblspc/*} followed, so that a separate WAL directory and the tablespaces are stored in place
   * of their links and a restore has them as its own directories. Use it as {@code try (source) { b
   * = repo.backup(source.request()); }}: the {@code try} ends backup mode in every outcome, as
   * {@code repo.backup(source)} does.
   *
   * @return the request
   */
  public BackupRequest request() {
    linksFollowed = true;
    return BackupRequest.full(dataDirectory)
        .withLabels(labels)
        .withFollowedLinks(FOLLOWED_LINKS)
        .withExcluded(EXCLUDED)
        .withFinisher(this::finish);
  }

  /**
   * Ends backup mode with {@code pg_backup_stop(false)} (not waiting for an archiver: the WAL is
   * copied here) and gathers, in a new directory under the work directory with the cluster's modes
   * and owner, {@code backup_label}, {@code tablespace_map} (when the cluster has tablespaces) and
   * {@code pg_wal/} with every segment from the start to the stop segment plus the timeline history
   * files. The replication slot keeps those segments in {@code pg_wal} until {@link #close()}.
   *
   * @return that directory and the labels {@value #LABEL_STOP_LSN} and {@value
   *     #LABEL_STOP_WAL_FILE}
   * @throws IllegalStateException if called twice or after {@link #close()}
   * @throws NoSuchFileException if a WAL segment of the backup is missing from {@code pg_wal}
   * @throws IOException if the server refuses to stop, the cluster has links this backup did not
   *     follow (not taken with {@link #request()}), or gathering fails; the backup then fails
   */
  @Override
  public SourceEnd finish() throws IOException {
    if (stopped || closed) {
      throw new IllegalStateException("backup mode of " + dataDirectory + " has already ended");
    }
    Stop stop;
    try (PreparedStatement s =
            connection.prepareStatement(
                "SELECT lsn, labelfile, spcmapfile, pg_walfile_name(lsn) FROM pg_backup_stop(false)");
        ResultSet r = s.executeQuery()) {
      r.next();
      stop = new Stop(r.getString(1), r.getString(4), r.getString(2), r.getString(3));
      stopped = true;
    } catch (SQLException e) {
      throw new IOException(
          "cannot stop the backup of PostgreSQL data directory "
              + dataDirectory
              + ": SQLState "
              + e.getSQLState()
              + ": "
              + e.getMessage(),
          e);
    }
    if (!linksFollowed) {
      refuseLinks();
    }
    staging = Files.createTempDirectory(workDirectory, "coffer-pg-end-");
    gather(stop, staging);
    return new SourceEnd(
        staging, Map.of(LABEL_STOP_LSN, stop.lsn(), LABEL_STOP_WAL_FILE, stop.walFile()));
  }

  /**
   * Fails a backup of a cluster with links that were stored as links (a restore would share their
   * targets).
   */
  private void refuseLinks() throws IOException {
    List<Path> links = new ArrayList<>();
    if (Files.isSymbolicLink(dataDirectory.resolve("pg_wal"))) {
      links.add(dataDirectory.resolve("pg_wal"));
    }
    Path tablespaces = dataDirectory.resolve("pg_tblspc");
    if (Files.isDirectory(tablespaces, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(tablespaces)) {
        children.forEach(links::add);
      }
    }
    if (!links.isEmpty()) {
      throw new IOException(
          "PostgreSQL data directory "
              + dataDirectory
              + " has links "
              + links
              + " that this backup stored as links; back up with repo.backup(source.request()), which follows them");
    }
  }

  /**
   * Ends backup mode if {@link #finish()} did not (a failed copy), drops the replication slot and
   * removes the directory {@link #finish()} gathered. A second call does nothing.
   *
   * @throws IOException if backup mode cannot be ended (it then ends with the connection) or the
   *     gathered directory cannot be removed
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    if (!stopped) {
      try {
        query(connection, "SELECT lsn FROM pg_backup_stop(false)");
      } catch (SQLException e) {
        failure =
            new IOException(
                "cannot stop the backup of PostgreSQL data directory "
                    + dataDirectory
                    + ": SQLState "
                    + e.getSQLState()
                    + ": "
                    + e.getMessage(),
                e);
      }
    }
    dropSlot(failure);
    try {
      if (staging != null) {
        deleteTree(staging);
      }
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void gather(Stop stop, Path end) throws IOException {
    Path walIn = dataDirectory.resolve("pg_wal");
    sameAttributesAs(dataDirectory, end);
    Path label =
        Files.writeString(end.resolve("backup_label"), stop.labelFile(), StandardCharsets.UTF_8);
    sameAttributesAs(dataDirectory.resolve("PG_VERSION"), label);
    if (stop.tablespaceMap() != null && !stop.tablespaceMap().isEmpty()) {
      Path map =
          Files.writeString(
              end.resolve("tablespace_map"), stop.tablespaceMap(), StandardCharsets.UTF_8);
      sameAttributesAs(dataDirectory.resolve("PG_VERSION"), map);
    }
    Path walOut = Files.createDirectory(end.resolve("pg_wal"));
    sameAttributesAs(walIn, walOut);
    List<String> segments =
        WalFiles.range(labels.get(LABEL_START_WAL_FILE), stop.walFile(), segmentSizeBytes);
    for (String segment : segments) {
      Path in = walIn.resolve(segment);
      if (!Files.isRegularFile(in)) {
        throw new NoSuchFileException(
            in.toString(),
            null,
            "WAL segment of the backup is missing (start "
                + labels.get(LABEL_START_LSN)
                + ", stop "
                + stop.lsn()
                + ")");
      }
      sameAttributesAs(in, Files.copy(in, walOut.resolve(segment)));
    }
    for (Path history : WalFiles.histories(walIn)) {
      sameAttributesAs(
          history, Files.copy(history, walOut.resolve(history.getFileName().toString())));
    }
  }

  /**
   * Gives a gathered file the mode, owner and group of its counterpart in the cluster, so that the
   * restore (which restores what was backed up) hands PostgreSQL files it owns, as the data
   * directory's own. An owner that cannot be set (not running as root) stays the process's: then it
   * is the cluster's owner.
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
        // not permitted: this process is not root, so it runs as the cluster's owner or a member of
        // its group
      }
    }
  }

  private static String query(Connection connection, String sql, String... parameters)
      throws SQLException {
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
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      try (var children = Files.newDirectoryStream(root)) {
        for (Path c : children) {
          deleteTree(c);
        }
      }
    }
    Files.delete(root);
  }
}
