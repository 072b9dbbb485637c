package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupWarning;
import dev.coffer.SpecialFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "backup",
    description = "Back up a directory (full, or incremental with --incremental-from).")
final class BackupCommand extends CliCommand {
  @Parameters(index = "0", paramLabel = "SOURCE", description = "The directory to back up.")
  Path source;

  @Option(
      names = "--incremental-from",
      paramLabel = "ID",
      description = "Take an incremental backup on top of this backup ('latest' for the newest).")
  String base;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "A label to store with the backup (repeatable).")
  List<String> labels = List.of();

  @Option(
      names = "--follow-link",
      paramLabel = "PATTERN",
      description =
          "Store the target of the symbolic links matching this relative path pattern in their place, "
              + "as real directories ('*' and '?' match within one name; repeatable), e.g. pg_wal, 'pg_tblspc/*'.")
  List<String> followLinks = List.of();

  @Option(
      names = "--special-files",
      paramLabel = "skip|fail",
      description =
          "Sockets, FIFOs and devices: skip them with a warning (default) or refuse the backup.")
  String specialFiles = "skip";

  @Override
  public Integer call() throws IOException {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("label must have the form KEY=VALUE: '" + l + "'");
      }
      parsed.put(l.substring(0, eq), l.substring(eq + 1));
    }
    Path src = source.toAbsolutePath().normalize();
    try (BackupRepository repo = Repositories.open(cli)) {
      BackupRequest request =
          base == null
              ? BackupRequest.full(src)
              : "latest".equals(base)
                  ? BackupRequest.incrementalFromLatest(repo, src)
                  : BackupRequest.incremental(src, BackupId.of(base));
      cli.doing(
          "backup of "
              + src
              + (request.incremental() ? " on top of backup " + request.baseBackupId() : ""));
      ProgressReporter progress = ProgressReporter.forCli(cli);
      request =
          request
              .withLabels(parsed)
              .withProgress(progress)
              .withFollowedLinks(new LinkedHashSet<>(followLinks))
              .withSpecialFiles(Choices.parse("--special-files", specialFiles, SpecialFiles.class));
      long t0 = System.nanoTime();
      BackupMetadata m = repo.backup(request);
      progress.finish();
      boolean changed = false;
      for (BackupWarning w : m.warnings()) {
        cli.err.println("coffer: warning: " + w);
        changed |= w.changedWhileRead();
      }
      long millis = (System.nanoTime() - t0) / 1_000_000;
      cli.doing("size of backup " + m.backupId());
      long stored = repo.storedBytes(m.id());
      if (json()) {
        ObjectNode doc = Json.object();
        doc.set("backup", Json.metadata(m));
        doc.put("storedBytes", stored);
        doc.put("elapsedMillis", millis);
        doc.put("exitCode", changed ? CofferCli.WARNINGS : CofferCli.OK);
        Json.print(cli.out, doc);
      } else {
        out()
            .println(
                "Backup "
                    + m.backupId()
                    + " created ("
                    + m.backupType().name().toLowerCase(java.util.Locale.ROOT)
                    + (m.baseBackupId() != null ? " on " + m.baseBackupId() : "")
                    + "): "
                    + m.totalFiles()
                    + " files, "
                    + Formats.bytes(m.totalBytes())
                    + ", "
                    + Formats.bytes(stored)
                    + " stored, in "
                    + String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0)
                    + "."
                    + (changed ? " Files changed while read: see the warnings above." : ""));
      }
      return changed ? CofferCli.WARNINGS : CofferCli.OK;
    }
  }
}
