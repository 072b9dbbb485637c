package dev.coffer.examples.derby;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.VerifyReport;
import dev.coffer.examples.DemoWriter;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.OptionInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs the whole host cycle once and says what it does: an embedded Derby database with a writer
 * thread inserting rows, a full and an incremental backup taken live (freeze, copy, unfreeze)
 * through a Coffer provider, then both backups verified, restored, booted and checked.
 *
 * <pre>
 * mvn -B -q -pl examples/derby -am package -DskipTests -Prun-example [-Dexec.args="archive /tmp/coffer-demo"]
 * </pre>
 *
 * <p>Arguments: the provider name ({@code local} by default; {@code archive} gets a random key for
 * the run) and a work directory (a new temporary directory by default), which must be absent or
 * empty.
 */
public final class DerbyBackupExample {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private final PrintStream out;
  private final int rowsPerPhase;

  DerbyBackupExample(PrintStream out, int rowsPerPhase) {
    this.out = out;
    this.rowsPerPhase = rowsPerPhase;
  }

  /**
   * Runs the example.
   *
   * @param args {@code [provider [work-directory]]}
   * @throws Exception if any step fails; the message says which
   */
  public static void main(String[] args) throws Exception {
    String provider = args.length > 0 ? args[0] : "local";
    Path work =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("coffer-derby-example");
    try {
      new DerbyBackupExample(System.out, 2_000).run(provider, work);
    } finally {
      shutdownDerbyEngine();
    }
  }

  void run(String provider, Path work) throws Exception {
    Files.createDirectories(work);
    if (System.getProperty("derby.stream.error.file") == null
        && System.getProperty("derby.stream.error.field") == null) {
      System.setProperty("derby.stream.error.file", work.resolve("derby.log").toString());
    }
    Path db = work.resolve("db");
    Path repoDir = work.resolve("repository");
    out.printf("Coffer + Apache Derby: live backups through provider '%s'%n", provider);
    out.printf(
        "  installed providers: %s%n",
        BackupProviders.installed().stream()
            .map(BackupProvider::name)
            .collect(Collectors.joining(", ")));
    out.printf("  work directory:      %s%n", work);

    BackupMetadata full;
    BackupMetadata incremental;
    try (BackupRepository repo = BackupProviders.open(provider, repoDir, demoOptions(provider))) {
      try (Connection admin = Derby.create(db);
          DemoWriter writer = DemoWriter.start(Derby.open(db), Derby.INSERT, "derby-writer")) {
        out.printf(
            "1. created %s (table %s); a writer thread inserts one row per transaction%n",
            Derby.url(db), Derby.TABLE);
        writer.awaitCommitted(rowsPerPhase, WAIT);
        full = backUp(repo, admin, db, null);
        writer.awaitCommitted(writer.started() + rowsPerPhase, WAIT);
        incremental = backUp(repo, admin, db, full.id());
        long total = writer.stop();
        out.printf("4. stopped the writer after %d committed rows%n", total);
      }
      Derby.shutdown(db);
      out.printf("   shut %s down%n", db);

      int step = 5;
      for (BackupMetadata b : List.of(full, incremental)) {
        VerifyReport report = repo.verify(b.id());
        Path restored = work.resolve("restored-" + b.backupType().name().toLowerCase());
        repo.restore(b.id(), restored);
        try (Connection c = Derby.open(restored)) {
          int check = Derby.checkTable(c);
          long[] countAndMax = Derby.countAndMax(c);
          long label = Long.parseLong(b.labels().get("rows.committed-before-freeze"));
          out.printf(
              "%d. %s backup %s: verify %s; restored to %s; booted (crash recovery); "
                  + "SYSCS_CHECK_TABLE=%d; %d rows, ids 1..%d; label said at least %d -> %s%n",
              step++,
              b.backupType(),
              b.backupId(),
              report.ok() ? "ok" : report.problems(),
              restored,
              check,
              countAndMax[0],
              countAndMax[1],
              label,
              countAndMax[0] >= label && countAndMax[0] == countAndMax[1] ? "OK" : "MISMATCH");
          if (!report.ok()
              || check != 1
              || countAndMax[0] < label
              || countAndMax[0] != countAndMax[1]) {
            throw new IllegalStateException(
                "restored backup " + b.backupId() + " does not match its labels");
          }
        } finally {
          Derby.shutdown(restored);
        }
      }
    }
    out.println("Done: both backups restore to every row committed before their freeze.");
  }

  private BackupMetadata backUp(BackupRepository repo, Connection admin, Path db, BackupId base)
      throws IOException, SQLException {
    long committedBefore = Derby.countAndMax(admin)[1];
    long frozenAt = System.nanoTime();
    BackupMetadata b =
        repo.backup(
            DerbyBackupSource.freeze(
                admin, db, Map.of("rows.committed-before-freeze", Long.toString(committedBefore))),
            base);
    Duration frozen = Duration.ofNanos(System.nanoTime() - frozenAt);
    out.printf(
        "%s. read MAX(ID)=%d, SYSCS_FREEZE_DATABASE, copied %d files / %d bytes as %s backup %s, "
            + "SYSCS_UNFREEZE_DATABASE (frozen %d ms)%n",
        base == null ? "2" : "3",
        committedBefore,
        b.totalFiles(),
        b.totalBytes(),
        b.backupType(),
        b.backupId(),
        frozen.toMillis());
    out.printf("   labels: %s%n", b.labels());
    return b;
  }

  /**
   * Options for the demo: a random key for providers that take one (shown nowhere, lost after the
   * run).
   */
  private static Map<String, String> demoOptions(String provider) {
    Map<String, String> options = new LinkedHashMap<>();
    for (OptionInfo o : BackupProviders.provider(provider).options()) {
      if (o.secret() && o.name().equals("key")) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        options.put("key", HexFormat.of().formatHex(key));
      }
    }
    return options;
  }

  private static void shutdownDerbyEngine() {
    try {
      DriverManager.getConnection("jdbc:derby:;shutdown=true").close();
    } catch (SQLException expected) {
      // XJ015 is Derby's "engine shut down" success report; anything else is of no use at exit
      // either
    }
  }
}
