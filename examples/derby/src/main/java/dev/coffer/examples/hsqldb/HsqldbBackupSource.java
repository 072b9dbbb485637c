package dev.coffer.examples.hsqldb;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupSource;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A live HSQLDB database, snapshotted with its own online backup: {@code BACKUP DATABASE TO
 * '<dir>/' BLOCKING AS FILES} checkpoints the database, blocks other sessions for the duration, and
 * writes a complete copy of the database's files (script, properties, data, lobs) into a staging
 * directory. The copy is a database HSQLDB opens as it is, so unlike Derby, the host is frozen only
 * while HSQLDB writes the staging copy, not while Coffer copies it.
 *
 * <p>{@link #directory()} is the staging directory; {@link #close()} deletes it. Besides the
 * caller's labels the source records {@code hsqldb.version} and {@code hsqldb.database}, the file
 * name prefix to open a restored copy with ({@code jdbc:hsqldb:file:<restored>/<prefix>}).
 */
public final class HsqldbBackupSource implements BackupSource {

  /** Label: the HSQLDB version that wrote the files. */
  public static final String LABEL_VERSION = "hsqldb.version";

  /** Label: the database's file name prefix inside the backup. */
  public static final String LABEL_DATABASE = "hsqldb.database";

  private final Path staging;
  private final Map<String, String> labels;
  private boolean closed;

  private HsqldbBackupSource(Path staging, Map<String, String> labels) {
    this.staging = staging;
    this.labels = labels;
  }

  /**
   * Writes an online backup of the database into {@code staging} and returns it as a source.
   *
   * <p>Read the host's own positions (row counts, a high-water mark) before calling this and pass
   * them as {@code hostLabels}: every transaction committed by then is in the copy. HSQLDB writes
   * the files itself, so {@code staging} must be on the default file system.
   *
   * @param connection a connection to the database (an administrator's: {@code BACKUP} needs the
   *     DBA role)
   * @param databaseName the database's file name prefix, as in {@code
   *     jdbc:hsqldb:file:<dir>/<name>}
   * @param staging an absent directory for the copy, whose parent exists; deleted by {@link
   *     #close()}
   * @param hostLabels the host's positions, recorded with the backup
   * @return the snapshot
   * @throws FileAlreadyExistsException if {@code staging} exists
   * @throws IllegalArgumentException if {@code staging} is not on the default file system
   * @throws IOException if HSQLDB fails to write the backup; the staging directory is removed then
   */
  public static HsqldbBackupSource backupAsFiles(
      Connection connection, String databaseName, Path staging, Map<String, String> hostLabels)
      throws IOException {
    requireNonNull(connection, "connection");
    requireNonNull(databaseName, "databaseName");
    requireNonNull(staging, "staging");
    requireNonNull(hostLabels, "hostLabels");
    if (staging.getFileSystem() != FileSystems.getDefault()) {
      throw new IllegalArgumentException(
          "HSQLDB writes its backup itself: staging must be on the default file system, not "
              + staging);
    }
    if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(
          staging.toString(), null, "HSQLDB backup staging directory exists");
    }
    Map<String, String> labels = new TreeMap<>(hostLabels);
    labels.put(LABEL_DATABASE, databaseName);
    HsqldbBackupSource source = new HsqldbBackupSource(staging, labels);
    try (Statement s = connection.createStatement()) {
      labels.put(LABEL_VERSION, connection.getMetaData().getDatabaseProductVersion());
      // The trailing separator makes HSQLDB treat the target as a directory (and create it).
      String target = staging.toAbsolutePath() + staging.getFileSystem().getSeparator();
      s.execute("BACKUP DATABASE TO '" + target.replace("'", "''") + "' BLOCKING AS FILES");
    } catch (SQLException e) {
      IOException failure =
          new IOException(
              "HSQLDB backup of "
                  + databaseName
                  + " into "
                  + staging
                  + " failed: SQLState "
                  + e.getSQLState()
                  + ": "
                  + e.getMessage(),
              e);
      try {
        source.close();
      } catch (IOException again) {
        failure.addSuppressed(again);
      }
      throw failure;
    }
    return source;
  }

  /**
   * The staging directory holding HSQLDB's copy.
   *
   * @return the directory
   */
  @Override
  public Path directory() {
    return staging;
  }

  /**
   * The caller's labels plus {@link #LABEL_VERSION} and {@link #LABEL_DATABASE}.
   *
   * @return the labels, sorted by key
   */
  @Override
  public Map<String, String> labels() {
    return Collections.unmodifiableMap(labels);
  }

  /**
   * Deletes the staging directory. A second call does nothing.
   *
   * @throws IOException if it cannot be deleted
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    FileTrees.deleteRecursively(staging);
    closed = true;
  }
}
