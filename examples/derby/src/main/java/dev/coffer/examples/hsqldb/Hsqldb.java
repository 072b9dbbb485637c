package dev.coffer.examples.hsqldb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Embedded HSQLDB chores the tests share: connect, create the demo table, check, shut down. */
final class Hsqldb {

  static final String TABLE = "EVENTS";
  static final String CREATE_TABLE =
      "CREATE CACHED TABLE "
          + TABLE
          + " (ID BIGINT NOT NULL PRIMARY KEY, PAYLOAD VARCHAR(200) NOT NULL)";
  static final String INSERT = "INSERT INTO " + TABLE + " (ID, PAYLOAD) VALUES (?, ?)";

  private static final Pattern CHECK_INFO = Pattern.compile("(readable )?rows (\\d+)");

  private Hsqldb() {}

  static String url(Path directory, String name) {
    // ifexists=true: opening a restore that lacks the files fails instead of creating an empty
    // database.
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

  /**
   * Runs HSQLDB's {@code PERFORM CHECK ALL TABLE INDEX} and returns the problems it reports. HSQLDB
   * lists, per table, {@code rows N} for the table and {@code readable rows N} for each index, and
   * adds lines for errors, loops and misordered entries; a consistent database has only the first
   * two kinds, with equal counts per table.
   */
  static List<String> checkIndexes(Connection c) throws SQLException {
    List<String> problems = new ArrayList<>();
    Map<String, String> tableRows = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PERFORM CHECK ALL TABLE INDEX")) {
      while (rs.next()) {
        String table = rs.getString(1);
        String index = rs.getString(2);
        String info = rs.getString(3);
        Matcher m = CHECK_INFO.matcher(info == null ? "" : info);
        if (!m.matches()) {
          problems.add(table + " " + index + ": " + info);
        } else if (m.group(1) == null) {
          tableRows.put(table, m.group(2));
        } else if (!m.group(2).equals(tableRows.get(table))) {
          problems.add(
              table + " " + index + ": " + info + ", but the table has " + tableRows.get(table));
        }
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
