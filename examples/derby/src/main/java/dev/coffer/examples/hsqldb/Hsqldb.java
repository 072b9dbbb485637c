package dev.coffer.examples.hsqldb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Embedded HSQLDB chores the tests share: connect, create the demo table, check, shut down. */
final class Hsqldb {

  static final String TABLE = "EVENTS";
  static final String CREATE_TABLE =
      "CREATE CACHED TABLE " + TABLE + " (ID BIGINT NOT NULL PRIMARY KEY, PAYLOAD VARCHAR(200) NOT NULL)";
  static final String INSERT = "INSERT INTO " + TABLE + " (ID, PAYLOAD) VALUES (?, ?)";

  private Hsqldb() {}

  static String url(Path directory, String name) {
    // ifexists=true: opening a restore that lacks the files fails instead of creating an empty database.
    return "jdbc:hsqldb:file:" + directory.toAbsolutePath().resolve(name);
  }

  static Connection create(Path directory, String name) throws SQLException {
    Connection c = DriverManager.getConnection(url(directory, name), "SA", "");
    try (Statement s = c.createStatement()) {
      s.execute(CREATE_TABLE);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  static Connection open(Path directory, String name) throws SQLException {
    return DriverManager.getConnection(url(directory, name) + ";ifexists=true", "SA", "");
  }

  static long[] countAndMax(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(MAX(ID), 0) FROM " + TABLE)) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  /** HSQLDB's index check: one row per problem found, so an empty list means consistent. */
  static List<String> checkIndexes(Connection c) throws SQLException {
    List<String> problems = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PERFORM CHECK ALL TABLE INDEX")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? " | " : "").append(rs.getString(i));
        }
        problems.add(row.toString());
      }
    }
    return problems;
  }

  /** Closes the database (all its connections) cleanly. */
  static void shutdown(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    }
  }
}
