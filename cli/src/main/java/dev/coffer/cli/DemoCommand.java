package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.BackupProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    description = {
      "Show everything end to end: back up, verify, tamper, restore, compare.",
      "In a temporary directory: generate a database-like directory, back it up (full and incremental)",
      "with each provider, list, verify, catch a flipped byte, restore and compare byte for byte.",
      "Exit 0 only if every check passed."
    })
final class DemoCommand extends CliCommand {
  private static final long SEED = 20261122L;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Work here (absent or empty) instead of a new temporary directory.")
  Path dir;

  @Option(names = "--keep", description = "Keep the working directory at the end.")
  boolean keep;

  @Option(
      names = "--providers",
      paramLabel = "NAME",
      split = ",",
      defaultValue = "local,archive",
      description = "Providers to demonstrate (default: ${DEFAULT-VALUE}).")
  List<String> providers;

  private int number;
  private int failed;
  private final ArrayNode steps = Json.array();

  /** One provider's part of the demo. */
  private static final class Session {
    final String name;
    final Path repoDir;
    final String url;
    final Map<String, String> options;
    BackupRepository repo;
    BackupMetadata full;
    BackupMetadata incremental;
    boolean broken;

    Session(String name, Path repoDir, Map<String, String> options) {
      this.name = name;
      this.repoDir = repoDir;
      this.url = "coffer:" + name + ":" + repoDir;
      this.options = options;
    }
  }

  @FunctionalInterface
  private interface Action {
    String run() throws Exception;
  }

  /** A check that did not hold. */
  private static final class CheckFailed extends Exception {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() throws IOException {
    Path root = workDirectory();
    cli.doing("demo in " + root);
    if (!json()) {
      out()
          .println("Coffer demo in " + root + " (providers: " + String.join(", ", providers) + ")");
      out().println();
    }
    List<Session> sessions = new ArrayList<>();
    Path source = root.resolve("source");
    Path atFull = root.resolve("source-at-full-backup");
    try {
      boolean generated =
          step(
              null,
              "Generate a database-like directory",
              () -> {
                DemoTree.generate(source, SEED);
                long[] fb = DemoTree.filesAndBytes(source);
                return fb[0]
                    + " files, "
                    + Formats.bytes(fb[1])
                    + ": WAL segments, SST files, an empty file and empty directories";
              });
      if (generated) {
        for (String name : new LinkedHashSet<>(providers)) {
          Session s = new Session(name, root.resolve("repo-" + name), new LinkedHashMap<>());
          sessions.add(s);
          step(s, "[" + name + "] Open a new repository", () -> open(s));
          step(
              s,
              "[" + name + "] Full backup",
              () -> {
                long t0 = System.nanoTime();
                s.full = s.repo.backup(BackupRequest.full(source).withLabel("demo", "full"));
                return describe(s, s.full, t0);
              });
        }
        DemoTree.copy(source, atFull);
        boolean changed =
            step(
                null,
                "Change the source like a running database",
                () -> {
                  DemoTree.mutate(source, SEED + 1);
                  return "appended to a WAL segment, added one, compacted two SST files into a new one, "
                      + "removed a directory and added one";
                });
        for (Session s : sessions) {
          if (!changed) {
            s.broken = true;
          }
          step(
              s,
              "[" + s.name + "] Incremental backup on top of the full one",
              () -> {
                long t0 = System.nanoTime();
                s.incremental =
                    s.repo.backup(
                        BackupRequest.incremental(source, s.full.id())
                            .withLabel("demo", "incremental"));
                if (s.incremental.baseBackupId() == null
                    || !s.incremental.baseBackupId().equals(s.full.backupId())) {
                  throw new CheckFailed(
                      "the incremental backup does not record its base " + s.full.backupId());
                }
                return describe(s, s.incremental, t0);
              });
        }
        for (Session s : sessions) {
          step(s, "[" + s.name + "] List the backups, newest first", () -> list(s));
        }
        for (Session s : sessions) {
          step(
              s,
              "[" + s.name + "] Verify every stored byte of both backups",
              () -> verifyIntact(s));
        }
        for (Session s : sessions) {
          step(
              s,
              "[" + s.name + "] Flip one byte in a copy of the repository and verify again",
              () -> tamper(s, root));
        }
        for (Session s : sessions) {
          step(
              s,
              "[" + s.name + "] Restore the full backup and compare with the source as it was then",
              () ->
                  restoreAndCompare(
                      s, s.full, root.resolve("restored-" + s.name + "-full"), atFull));
          step(
              s,
              "[" + s.name + "] Restore the incremental backup and compare with the source now",
              () ->
                  restoreAndCompare(
                      s,
                      s.incremental,
                      root.resolve("restored-" + s.name + "-incremental"),
                      source));
        }
      }
    } finally {
      for (Session s : sessions) {
        if (s.repo != null) {
          try {
            s.repo.close();
          } catch (IOException e) {
            failed++;
            note("closing repository " + s.url + " failed: " + CofferCli.describe(e));
          }
        }
      }
      if (!keep) {
        DemoTree.delete(root);
      }
    }
    finish(root);
    cli.doing(null);
    return failed == 0 ? CofferCli.OK : CofferCli.INTEGRITY;
  }

  private Path workDirectory() throws IOException {
    if (dir == null) {
      return Files.createTempDirectory("coffer-demo-").toAbsolutePath();
    }
    Path d = dir.toAbsolutePath().normalize();
    if (Files.exists(d)) {
      try (Stream<Path> s = Files.list(d)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--dir must be absent or empty: " + d);
        }
      }
    }
    return Files.createDirectories(d);
  }

  private String open(Session s) throws IOException {
    BackupProvider provider = BackupProviders.provider(s.name);
    boolean takesKey =
        provider.options().stream().anyMatch(o -> o.secret() && o.name().equals(Repositories.KEY));
    String how = "";
    if (takesKey) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      s.options.put(Repositories.KEY, HexFormat.of().formatHex(key));
      java.util.Arrays.fill(key, (byte) 0);
      how = ", with a new random 256-bit key held in memory";
    }
    s.repo = BackupProviders.open(s.url, s.options);
    String caps =
        provider.capabilities().stream()
            .sorted()
            .map(Formats::capability)
            .collect(Collectors.joining(", "));
    return s.url + how + " (" + provider.description() + "; " + caps + ")";
  }

  private static String describe(Session s, BackupMetadata m, long t0) throws IOException {
    double seconds = (System.nanoTime() - t0) / 1e9;
    return "backup "
        + m.backupId()
        + ": "
        + m.totalFiles()
        + " files, "
        + Formats.bytes(m.totalBytes())
        + " ("
        + Formats.bytes(s.repo.storedBytes(m.id()))
        + " stored) in "
        + String.format(Locale.ROOT, "%.2f s", seconds);
  }

  private String list(Session s) throws Exception {
    List<BackupMetadata> list = s.repo.list();
    if (list.size() != 2
        || !list.get(0).backupId().equals(s.incremental.backupId())
        || !list.get(1).backupId().equals(s.full.backupId())) {
      throw new CheckFailed(
          "expected [incremental, full], got "
              + list.stream().map(BackupMetadata::backupId).collect(Collectors.toList()));
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "TYPE", "FILES", "SIZE", "LABELS"});
    for (BackupMetadata b : list) {
      rows.add(
          new String[] {
            b.backupId(),
            b.backupType().name().toLowerCase(Locale.ROOT),
            Long.toString(b.totalFiles()),
            Formats.bytes(b.totalBytes()),
            b.labels().toString()
          });
    }
    return "2 backups, newest first:\n"
        + String.join("\n", Formats.table(rows, new boolean[] {false, false, true, true, false}));
  }

  private String verifyIntact(Session s) throws Exception {
    long files = 0;
    long bytes = 0;
    for (BackupMetadata b : List.of(s.full, s.incremental)) {
      VerifyReport r = s.repo.verify(b.id());
      if (!r.ok()) {
        throw new CheckFailed("backup " + b.backupId() + " failed verification: " + r.problems());
      }
      files += r.filesChecked();
      bytes += r.bytesChecked();
    }
    return "both backups intact: "
        + files
        + " stored files, "
        + Formats.bytes(bytes)
        + " read and checked";
  }

  private String tamper(Session s, Path root) throws Exception {
    Path copy = root.resolve("repo-" + s.name + "-tampered");
    DemoTree.copy(s.repoDir, copy);
    Path victim = DemoTree.largestFile(copy);
    if (victim == null) {
      throw new CheckFailed("the repository holds no file to tamper with");
    }
    long at = DemoTree.flipMiddleByte(victim);
    String where =
        "flipped byte " + at + " of " + copy.relativize(victim).toString().replace('\\', '/');
    List<String> caught = new ArrayList<>();
    String url = "coffer:" + s.name + ":" + copy;
    try (BackupRepository tampered = BackupProviders.open(url, s.options)) {
      for (BackupMetadata b : List.of(s.full, s.incremental)) {
        try {
          VerifyReport r = tampered.verify(b.id());
          if (!r.ok()) {
            VerifyReport.Problem p = r.problems().get(0);
            caught.add(
                "backup " + b.backupId() + ": " + p.kind() + " " + p.path() + ": " + p.detail());
          }
        } catch (CorruptBackupException | WrongKeyException e) {
          caught.add("backup " + b.backupId() + ": " + CofferCli.describe(e));
        }
      }
    } catch (CorruptBackupException | WrongKeyException e) {
      caught.add("refused to open: " + CofferCli.describe(e));
    }
    if (caught.isEmpty()) {
      throw new CheckFailed(where + ", but verify reported both backups intact");
    }
    return where + "; verify caught it:\n" + String.join("\n", caught);
  }

  private String restoreAndCompare(Session s, BackupMetadata b, Path target, Path expected)
      throws Exception {
    s.repo.restore(b.id(), target);
    List<String> diffs = DemoTree.differences(expected, target);
    if (!diffs.isEmpty()) {
      throw new CheckFailed(
          "restored tree differs from the source: "
              + diffs.size()
              + " differences, first "
              + diffs.subList(0, Math.min(5, diffs.size())));
    }
    long dirs = DemoTree.entries(expected).stream().filter(e -> e.endsWith("/")).count();
    long[] fb = DemoTree.filesAndBytes(expected);
    return "restored tree equals the source: "
        + fb[0]
        + " files ("
        + Formats.bytes(fb[1])
        + ") compared byte for byte, "
        + dirs
        + " directories, nothing missing or extra";
  }

  /**
   * Runs one step, printing its title and outcome; a failed step marks its provider's session
   * broken.
   */
  private boolean step(Session s, String title, Action action) {
    if (s != null && s.broken) {
      return false;
    }
    number++;
    if (!json()) {
      out().printf(Locale.ROOT, "%2d. %s%n", number, title);
      out().flush();
    }
    ObjectNode n = steps.addObject();
    n.put("step", number);
    n.put("title", title);
    if (s != null) {
      n.put("provider", s.name);
    }
    try {
      String detail = action.run();
      n.put("ok", true);
      n.put("detail", detail);
      print("\u2713", detail);
      return true;
    } catch (Exception | LinkageError | ServiceConfigurationError e) {
      failed++;
      if (s != null) {
        s.broken = true;
      }
      String message =
          e instanceof CheckFailed
              ? e.getMessage()
              : e.getClass().getSimpleName() + ": " + CofferCli.describe(e);
      n.put("ok", false);
      n.put("detail", message);
      print("\u2717 FAILED:", message);
      if (cli.debug) {
        e.printStackTrace(cli.err);
      }
      return false;
    }
  }

  private void print(String mark, String detail) {
    if (json()) {
      return;
    }
    String[] lines = detail.split("\n");
    out().println("    " + mark + " " + lines[0]);
    for (int i = 1; i < lines.length; i++) {
      out().println("      " + lines[i]);
    }
    out().flush();
  }

  private void note(String message) {
    if (!json()) {
      out().println("    " + message);
    }
  }

  private void finish(Path root) {
    boolean ok = failed == 0;
    if (json()) {
      ObjectNode doc = Json.object();
      doc.put("ok", ok);
      doc.put("directory", root.toString());
      doc.put("kept", keep);
      doc.put("checks", number);
      doc.put("failed", failed);
      doc.set("steps", steps);
      Json.print(cli.out, doc);
      return;
    }
    out().println();
    if (ok) {
      out().println("\u2713 All " + number + " checks passed.");
    } else {
      out().println("\u2717 " + failed + " of " + number + " checks FAILED.");
    }
    out()
        .println(
            keep
                ? "Kept the demo directory " + root + "."
                : "Removed the demo directory " + root + ".");
    out().flush();
  }
}
