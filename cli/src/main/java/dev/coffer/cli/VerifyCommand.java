package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "verify",
    description =
        "Read every stored byte of a backup (or all) and check it. Exit 1 if any check fails.")
final class VerifyCommand extends CliCommand {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "The backup ('latest' for the newest).")
    String id;

    @Option(names = "--all", description = "Verify every backup.")
    boolean all;
  }

  @Override
  public Integer call() throws IOException {
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing(
          "verify of "
              + (target.all ? "all backups" : "backup " + target.id)
              + " in "
              + cli.displayUrl());
      List<BackupId> ids = new ArrayList<>();
      Map<BackupId, BackupMetadata> listed = new HashMap<>();
      if (target.all) {
        for (BackupMetadata m : repo.list()) {
          listed.put(m.id(), m);
          ids.add(m.id());
        }
        ids.addAll(
            repo.unlisted()); // stored but unreadable (damaged, planted, another key): each fails
        // here
      } else {
        ids.add(Repositories.resolveId(repo, target.id));
      }
      ArrayNode results = Json.mapper().createArrayNode();
      boolean allOk = true;
      int failed = 0;
      long files = 0;
      long bytes = 0;
      for (BackupId id : ids) {
        cli.doing("verify of backup " + id + " in " + cli.displayUrl());
        ObjectNode r;
        boolean ok;
        // one bar (or line, or JSON stream) per backup, file by file as the provider reports it
        ProgressReporter progress = ProgressReporter.forCli(cli);
        try {
          VerifyReport report;
          try {
            report = repo.verify(id, progress);
          } finally {
            progress.finish();
          }
          r = Json.report(report);
          boolean structureOnly = writeOnly(cli.repositoryUrl());
          r.put("contentChecked", !structureOnly);
          ok = report.ok();
          files += report.filesChecked();
          bytes += report.bytesChecked();
          BackupMetadata m = target.all ? listed.get(id) : metadataOrNull(repo, id);
          List<BackupWarning> changes = m == null ? List.of() : readChanges(m);
          if (!changes.isEmpty()) {
            Json.warnings(r.putArray("changedWhileRead"), changes);
          }
          if (!json()) {
            printHuman(report);
            if (structureOnly) {
              out()
                  .println(
                      "  structure and signatures checked; file content NOT checked (a write-only"
                          + " host has no identity: add identity-file to read every byte)");
            }
            changes.forEach(w -> out().println("  recorded when taken: " + w));
          }
        } catch (CorruptBackupException | WrongKeyException | NoSuchBackupException e) {
          if (!target.all) {
            throw e;
          }
          ok = false;
          r = Json.object();
          r.put("backupId", id.value());
          r.put("ok", false);
          r.put("error", CofferCli.describe(e));
          r.putArray("problems");
          if (!json()) {
            out().println("FAILED " + id + ": " + CofferCli.describe(e));
          }
        }
        allOk &= ok;
        failed += ok ? 0 : 1;
        results.add(r);
      }
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("ok", allOk);
        doc.put("backups", ids.size());
        doc.put("failed", failed);
        doc.put("filesChecked", files);
        doc.put("bytesChecked", bytes);
        doc.set("reports", results);
        Json.print(cli.out, doc);
      } else if (target.all) {
        String totals = ": " + files + " files, " + Formats.bytes(bytes) + " checked.";
        out()
            .println(
                ids.isEmpty()
                    ? "No backups to verify."
                    : allOk
                        ? "All " + ids.size() + " backups verified" + totals
                        : failed + " of " + ids.size() + " backups FAILED verification" + totals);
      }
      cli.doing(null);
      return allOk ? CofferCli.OK : CofferCli.INTEGRITY;
    }
  }

  /**
   * Whether the repository URL opens a write-only repository here (recipients, no identity-file),
   * where {@code verify} checks structure and signatures but cannot read file content.
   */
  static boolean writeOnly(String url) {
    int q = url.indexOf('?');
    if (q < 0) {
      return false;
    }
    boolean recipients = false;
    for (String pair : url.substring(q + 1).split("&")) {
      String name = pair.substring(0, pair.indexOf('=') < 0 ? pair.length() : pair.indexOf('='));
      if (name.equals("identity-file")) {
        return false;
      }
      recipients |= name.equals("recipient") || name.equals("recipients-file");
    }
    return recipients;
  }

  /** The metadata, for its warnings; null when it cannot be read (the report already says why). */
  private static BackupMetadata metadataOrNull(BackupRepository repo, BackupId id) {
    try {
      return repo.find(id).orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private void printHuman(VerifyReport report) {
    if (report.ok()) {
      out()
          .println(
              "ok     "
                  + report.backupId()
                  + ": "
                  + report.filesChecked()
                  + " files, "
                  + Formats.bytes(report.bytesChecked())
                  + " checked");
      return;
    }
    out()
        .println(
            "FAILED "
                + report.backupId()
                + ": "
                + report.problems().size()
                + " problem"
                + (report.problems().size() == 1 ? "" : "s"));
    for (VerifyReport.Problem p : report.problems()) {
      out().println("  " + p.kind() + " " + p.path() + ": " + p.detail());
    }
  }
}
