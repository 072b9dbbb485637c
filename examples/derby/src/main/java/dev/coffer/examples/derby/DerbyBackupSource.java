package dev.coffer.examples.derby;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live Apache Derby database, frozen for an external backup: Derby's documented procedure is
 * {@code SYSCS_UTIL.SYSCS_FREEZE_DATABASE()}, copy the database directory with any tool, then
 * {@code SYSCS_UTIL.SYSCS_UNFREEZE_DATABASE()}. While frozen, Derby has checkpointed and flushed
 * its log, and every transaction that writes blocks (readers go on), so the directory is a
 * consistent crash image: booting a copy runs Derby's ordinary crash recovery, which keeps every
 * transaction that had committed before the freeze and rolls back the rest.
 *
 * <p>{@link #directory()} is the live database directory itself; {@link #close()} unfreezes.
 * Besides the caller's labels, the source records {@code derby.version} and {@code derby.log-file},
 * the newest transaction log file when the freeze took effect (Derby's coarse log position).
 */
public final class DerbyBackupSource implements BackupSource {

  /** Label: the Derby engine version that wrote the files. */
  public static final String LABEL_VERSION = "derby.version";

  /** Label: the newest log file ({@code logN.dat}) of the frozen database. */
  public static final String LABEL_LOG_FILE = "derby.log-file";

  private static final Pattern LOG_FILE = Pattern.compile("log(\\d+)\\.dat");

  private final Connection connection;
  private final Path databaseDirectory;
  private final Map<String, String> labels;
  private boolean closed;

  private DerbyBackupSource(
      Connection connection, Path databaseDirectory, Map<String, String> labels) {
    this.connection = connection;
    this.databaseDirectory = databaseDirectory;
    this.labels = labels;
  }

  /**
   * Freezes the database and returns it as a source; the database stays frozen until {@link
   * #close()}.
   *
   * <p>Read the host's own positions (row counts, a high-water mark) <em>before</em> calling this,
   * on any connection, and pass them as {@code hostLabels}: every transaction whose commit had
   * returned by then is in the copy. Reading inside the freeze is not safe in general: a reader
   * that needs a row lock held by a writer blocked by the freeze waits for that writer, which waits
   * for the unfreeze (see {@code docs/host-integration.md}).
   *
   * @param connection a connection to the database, used to freeze and later to unfreeze; not used
   *     by the application meanwhile
   * @param databaseDirectory the database's directory (what {@code jdbc:derby:<dir>} names)
   * @param hostLabels the host's positions, recorded with the backup
   * @return the frozen database
   * @throws NoSuchFileException if the directory does not exist
   * @throws NotDirectoryException if it is not a directory
   * @throws IOException if Derby refuses to freeze; nothing is frozen then
   */
  public static DerbyBackupSource freeze(
      Connection connection, Path databaseDirectory, Map<String, String> hostLabels)
      throws IOException {
    requireNonNull(connection, "connection");
    requireNonNull(databaseDirectory, "databaseDirectory");
    requireNonNull(hostLabels, "hostLabels");
    if (!Files.exists(databaseDirectory)) {
      throw new NoSuchFileException(
          databaseDirectory.toString(), null, "Derby database directory does not exist");
    }
    if (!Files.isDirectory(databaseDirectory)) {
      throw new NotDirectoryException(databaseDirectory.toString());
    }
    Map<String, String> labels = new TreeMap<>(hostLabels);
    try {
      labels.put(LABEL_VERSION, connection.getMetaData().getDatabaseProductVersion());
    } catch (SQLException e) {
      throw new IOException(
          "cannot read the Derby version of " + databaseDirectory + ": " + e.getMessage(), e);
    }
    call(connection, "CALL SYSCS_UTIL.SYSCS_FREEZE_DATABASE()", "freeze", databaseDirectory);
    DerbyBackupSource source = new DerbyBackupSource(connection, databaseDirectory, labels);
    try {
      newestLogFile(databaseDirectory.resolve("log")).ifPresent(f -> labels.put(LABEL_LOG_FILE, f));
    } catch (IOException | RuntimeException e) {
      try {
        source.close();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    return source;
  }

  private static Optional<String> newestLogFile(Path logDir) throws IOException {
    if (!Files.isDirectory(logDir)) {
      return Optional.empty();
    }
    long newest = -1;
    String name = null;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(logDir)) {
      for (Path f : files) {
        Matcher m = LOG_FILE.matcher(f.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) > newest) {
          newest = Long.parseLong(m.group(1));
          name = m.group();
        }
      }
    }
    return Optional.ofNullable(name);
  }

  private static void call(Connection connection, String sql, String what, Path dir)
      throws IOException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IOException(
          "cannot "
              + what
              + " Derby database "
              + dir
              + ": SQLState "
              + e.getSQLState()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The live database directory, unchanged while frozen.
   *
   * @return the directory
   */
  @Override
  public Path directory() {
    return databaseDirectory;
  }

  /**
   * The caller's labels plus {@link #LABEL_VERSION} and {@link #LABEL_LOG_FILE}.
   *
   * @return the labels, sorted by key
   */
  @Override
  public Map<String, String> labels() {
    return Collections.unmodifiableMap(labels);
  }

  /**
   * Unfreezes the database. A second call does nothing.
   *
   * @throws IOException if Derby refuses to unfreeze (the database stays frozen: writers stay
   *     blocked)
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    call(connection, "CALL SYSCS_UTIL.SYSCS_UNFREEZE_DATABASE()", "unfreeze", databaseDirectory);
    closed = true;
  }
}
