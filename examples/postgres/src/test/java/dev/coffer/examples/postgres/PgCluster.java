package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL cluster for tests: {@code initdb}, {@code pg_ctl start/stop} and {@code
 * pgbench} from the installed package (under {@code /usr/lib/postgresql/<version>/bin}, or {@code
 * $PG_BINDIR}), run as the {@code postgres} user when the tests run as root (PostgreSQL refuses to
 * run as root). Each cluster listens on 127.0.0.1 on a free port, with its unix socket in a private
 * directory, so tests never meet a system server. {@link #close()} stops the server (fast, then
 * immediate).
 */
final class PgCluster implements AutoCloseable {

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  private static final String OS_USER = "postgres";

  private final Path bin;
  private final Path dataDirectory;
  private final Path socketDirectory;
  private final Path logFile;
  private int port;
  private boolean running;

  private PgCluster(Path bin, Path dataDirectory, Path socketDirectory, Path logFile) {
    this.bin = bin;
    this.dataDirectory = dataDirectory;
    this.socketDirectory = socketDirectory;
    this.logFile = logFile;
  }

  /**
   * The PostgreSQL binaries, or a failed test under CI (where .ci/run installs them) and a skipped
   * one elsewhere.
   */
  static Path requireBinaries() {
    return requireBinaries(
        findBinaries(System.getenv("PG_BINDIR"), Path.of("/usr/lib/postgresql")),
        "true".equals(System.getenv("CI")));
  }

  /** {@link #requireBinaries()} with what it finds in the environment given. */
  static Path requireBinaries(Optional<Path> bin, boolean ci) {
    String problem = null;
    if (bin.isEmpty()) {
      problem =
          "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin nor $PG_BINDIR "
              + "(apt-get install postgresql-15; .ci/run does it)";
    } else if (ROOT
        && Stream.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")
            .noneMatch(r -> Files.isExecutable(Path.of(r)))) {
      problem = "running as root without runuser to switch to the postgres user";
    }
    if (problem != null) {
      if (ci) {
        fail("CI=true and " + problem);
      }
      Assumptions.abort("skipped (not under CI): " + problem);
    }
    return bin.get();
  }

  /**
   * The binaries in {@code bindir} if given, else under {@code lib/<version>/bin}: 15, else the
   * newest.
   */
  static Optional<Path> findBinaries(String bindir, Path lib) {
    if (bindir != null && Files.isExecutable(Path.of(bindir, "initdb"))) {
      return Optional.of(Path.of(bindir));
    }
    if (!Files.isDirectory(lib)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(lib)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(
              Comparator.comparing((Path b) -> b.getParent().getFileName().toString().equals("15"))
                  .thenComparing(b -> versionOf(b)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int versionOf(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A fresh directory under the system temp directory that the postgres user can reach (not a JUnit
   * {@code @TempDir}: those are 0700 and owned by the test's user).
   */
  static Path workspace(String name) throws IOException {
    Path dir =
        Files.createTempDirectory(
            Path.of(System.getProperty("java.io.tmpdir")), "coffer-pg-" + name + "-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    giveToPostgres(dir);
    return dir;
  }

  /** Makes a directory of the test's workspace the postgres user's, with mode 0700. */
  static Path postgresDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    giveToPostgres(dir);
    return dir;
  }

  private static void giveToPostgres(Path dir) throws IOException {
    if (ROOT) {
      UserPrincipal owner =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
      Files.setOwner(dir, owner);
    }
  }

  /**
   * Creates a cluster with {@code initdb} in {@code dataDirectory} (which must not exist),
   * optionally with its WAL in {@code walDirectory} ({@code --waldir}: {@code pg_wal} is then a
   * symbolic link).
   */
  static PgCluster create(Path workspace, String name, Path walDirectory) throws IOException {
    Path bin = requireBinaries();
    Path data = workspace.resolve(name);
    List<String> initdb =
        new ArrayList<>(
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync"));
    if (walDirectory != null) {
      initdb.add("--waldir=" + walDirectory);
    }
    run(initdb, workspace.resolve(name + "-initdb.log"));
    return existing(workspace, name, data);
  }

  /**
   * Creates and starts a cluster of {@code layout} named after it; with links, its WAL directory
   * and its tablespace {@code space} are {@code <name>-wal} and {@code <name>-tablespace} in the
   * workspace.
   */
  static PgCluster startNew(Path workspace, ClusterLayout layout) throws IOException, SQLException {
    String name = layout.fileName();
    PgCluster cluster =
        create(workspace, name, layout.links() ? workspace.resolve(name + "-wal") : null);
    cluster.start();
    try {
      if (layout.links()) {
        cluster.execute("CREATE TABLESPACE space LOCATION '" + tablespace(workspace, layout) + "'");
      }
      return cluster;
    } catch (SQLException | IOException | RuntimeException e) {
      cluster.stop();
      throw e;
    }
  }

  /**
   * Where {@link #startNew} puts the tablespace of a cluster with links (created 0700, the postgres
   * user's).
   */
  static Path tablespace(Path workspace, ClusterLayout layout) throws IOException {
    Path dir = workspace.resolve(layout.fileName() + "-tablespace");
    return Files.isDirectory(dir) ? dir : postgresDirectory(dir);
  }

  /** A cluster on an existing data directory (a restore), not started. */
  static PgCluster existing(Path workspace, String name, Path dataDirectory) throws IOException {
    Path bin = requireBinaries();
    Path sockets = postgresDirectory(workspace.resolve(name + "-socket"));
    return new PgCluster(bin, dataDirectory, sockets, workspace.resolve(name + ".log"));
  }

  Path dataDirectory() {
    return dataDirectory;
  }

  /** Starts the server on a free port and waits until it accepts connections (recovery done). */
  void start() throws IOException {
    port = freePort();
    // fsync off: the tests stop or copy a live cluster, they never crash the machine
    String options =
        "-p "
            + port
            + " -k "
            + socketDirectory
            + " -c listen_addresses=127.0.0.1 -c fsync=off"
            // few WAL segments kept around: small test clusters (a stopped-cluster backup copies
            // pg_wal)
            + " -c min_wal_size=32MB";
    try {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dataDirectory.toString(),
              "-l",
              logFile.toString(),
              "-w",
              "-t",
              "60",
              "-o",
              options,
              "start"),
          null);
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "\nserver log:\n" + log(), e);
    }
    running = true;
  }

  /** Stops the server: fast shutdown, immediate if that fails. */
  void stop() throws IOException {
    if (!running) {
      return;
    }
    try {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dataDirectory.toString(),
              "-m",
              "fast",
              "-w",
              "-t",
              "30",
              "stop"),
          null);
    } catch (IOException e) {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dataDirectory.toString(),
              "-m",
              "immediate",
              "-w",
              "stop"),
          null);
    } finally {
      running = false;
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  /** The server log so far, for failure messages. */
  String log() {
    try {
      return Files.isReadable(logFile)
          ? Files.readString(logFile, StandardCharsets.UTF_8)
          : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** A new auto-commit connection as the superuser {@code postgres}. */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
  }

  /** Runs statements on a fresh connection. */
  void execute(String... statements) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The first column of the first row of a query, as a string. */
  String query(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      if (!r.next()) {
        throw new SQLException("no row from: " + sql);
      }
      return r.getString(1);
    }
  }

  /**
   * Runs a client program of the package ({@code pgbench}, {@code pg_amcheck}) against this server.
   */
  void client(String program, Path output, String... arguments) throws IOException {
    run(clientCommand(program, arguments), output);
  }

  /** Starts a client program in the background, its output to {@code output}. */
  Process startClient(String program, Path output, String... arguments) throws IOException {
    return asPostgres(clientCommand(program, arguments))
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  private List<String> clientCommand(String program, String... arguments) {
    List<String> command =
        new ArrayList<>(
            List.of(
                bin.resolve(program).toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-U",
                "postgres"));
    command.addAll(List.of(arguments));
    return command;
  }

  private static ProcessBuilder asPostgres(List<String> command) {
    List<String> full = new ArrayList<>();
    if (ROOT) {
      full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full);
    pb.environment().put("LC_ALL", "C");
    pb.environment().remove("PGDATA");
    return pb;
  }

  /** Runs a command as the postgres user; fails with its output when it exits non-zero. */
  private static void run(List<String> command, Path output) throws IOException {
    Path out = output != null ? output : Files.createTempFile("coffer-pg-cmd-", ".out");
    try {
      Process p =
          asPostgres(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + String.join(" ", command));
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            "exit "
                + p.exitValue()
                + ": "
                + String.join(" ", command)
                + "\n"
                + Files.readString(out, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    } finally {
      if (output == null) {
        Files.deleteIfExists(out);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
