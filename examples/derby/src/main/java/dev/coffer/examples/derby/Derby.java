package dev.coffer.examples.derby;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Embedded Derby chores the example and its tests share: connect, create the demo table, check,
 * shut down.
 */
final class Derby {

  /** The demo table: one row per committed transaction of the writer. */
  static final String TABLE = "EVENTS";

  static final String CREATE_TABLE =
      "CREATE TABLE " + TABLE + " (ID BIGINT NOT NULL PRIMARY KEY, PAYLOAD VARCHAR(200) NOT NULL)";
  static final String INSERT = "INSERT INTO " + TABLE + " (ID, PAYLOAD) VALUES (?, ?)";

  private Derby() {}

  static String url(Path databaseDirectory) {
    return "jdbc:derby:" + databaseDirectory.toAbsolutePath();
  }

  /** Creates a new database with the demo table. */
  static Connection create(Path databaseDirectory) throws SQLException {
    Connection c = DriverManager.getConnection(url(databaseDirectory) + ";create=true");
    try (Statement s = c.createStatement()) {
      s.execute(CREATE_TABLE);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Boots an existing database (never creates one: a missing restore fails loudly). */
  static Connection open(Path databaseDirectory) throws SQLException {
    return DriverManager.getConnection(url(databaseDirectory));
  }

  /** Rows committed so far, read on an autocommit connection: {count, max id}. */
  static long[] countAndMax(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(MAX(ID), 0) FROM " + TABLE)) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  /**
   * Runs {@code SYSCS_UTIL.SYSCS_CHECK_TABLE} on the demo table: it returns 1 when the table and
   * its indexes are consistent and raises an error otherwise.
   */
  static int checkTable(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("VALUES SYSCS_UTIL.SYSCS_CHECK_TABLE(?, ?)")) {
      s.setString(1, "APP");
      s.setString(2, TABLE);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Shuts one database down cleanly; Derby reports success with SQLState 08006. Afterwards its
   * files may be copied, deleted or booted again.
   */
  static void shutdown(Path databaseDirectory) throws SQLException {
    try {
      DriverManager.getConnection(url(databaseDirectory) + ";shutdown=true").close();
    } catch (SQLException e) {
      if (!"08006".equals(e.getSQLState())) {
        throw e;
      }
      return;
    }
    throw new SQLException("Derby did not confirm the shutdown of " + databaseDirectory);
  }
}
