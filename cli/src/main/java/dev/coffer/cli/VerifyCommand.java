package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.CorruptBackupException;
import dev.coffer.Progress;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Read every stored byte of a backup (or all) and check it. Exit 1 if any check fails.")
final class VerifyCommand extends CliCommand {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Parameters(index = "0", paramLabel = "ID", description = "The backup ('latest' for the newest).")
    String id;

    @Option(names = "--all", description = "Verify every backup.")
    boolean all;
  }

  @Override
  public Integer call() throws IOException {
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("verify of " + (target.all ? "all backups" : "backup " + target.id) + " in " + cli.displayUrl());
      List<String> ids = new ArrayList<>();
      if (target.all) {
        repo.list().stream().map(BackupMetadata::backupId).forEach(ids::add);
      } else {
        ids.add(Repositories.resolveId(repo, target.id));
      }
      // The API's verify takes no listener: progress advances once per verified backup.
      ProgressReporter progress = ProgressReporter.forCli(cli);
      ArrayNode results = Json.mapper().createArrayNode();
      boolean allOk = true;
      long files = 0;
      long bytes = 0;
      for (String id : ids) {
        cli.doing("verify of backup " + id + " in " + cli.displayUrl());
        ObjectNode r;
        boolean ok;
        try {
          VerifyReport report = repo.verify(id);
          r = Json.report(report);
          ok = report.ok();
          files += report.filesChecked();
          bytes += report.bytesChecked();
          if (!json()) {
            printHuman(report);
          }
        } catch (CorruptBackupException | WrongKeyException e) {
          if (!target.all) {
            throw e;
          }
          ok = false;
          r = Json.object();
          r.put("backupId", id);
          r.put("ok", false);
          r.put("error", CofferCli.describe(e));
          r.putArray("problems");
          if (!json()) {
            out().println("FAILED " + id + ": " + CofferCli.describe(e));
          }
        }
        allOk &= ok;
        results.add(r);
        progress.onProgress(new Progress(Progress.Phase.VERIFY, files, -1, bytes, -1, id));
      }
      progress.finish();
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("ok", allOk);
        doc.set("reports", results);
        Json.print(cli.out, doc);
      } else if (target.all) {
        out().println(ids.isEmpty() ? "No backups to verify." : allOk
            ? "All " + ids.size() + " backups verified." : "Some backups FAILED verification.");
      }
      cli.doing(null);
      return allOk ? CofferCli.OK : CofferCli.INTEGRITY;
    }
  }

  private void printHuman(VerifyReport report) {
    if (report.ok()) {
      out().println("ok     " + report.backupId() + ": " + report.filesChecked() + " files, "
          + Formats.bytes(report.bytesChecked()) + " checked");
      return;
    }
    out().println("FAILED " + report.backupId() + ": " + report.problems().size() + " problem"
        + (report.problems().size() == 1 ? "" : "s"));
    for (VerifyReport.Problem p : report.problems()) {
      out().println("  " + p.kind() + " " + p.path() + ": " + p.detail());
    }
  }
}
