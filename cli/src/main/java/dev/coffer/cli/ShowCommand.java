package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.NoSuchBackupException;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = "Show one backup's metadata.")
final class ShowCommand extends CliCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The backup ('latest' for the newest).")
  String id;

  @Override
  public Integer call() throws IOException {
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("show of backup " + id + " in " + cli.displayUrl());
      BackupId resolved = Repositories.resolveId(repo, id);
      BackupMetadata m = repo.find(resolved).orElseThrow(() -> new NoSuchBackupException(resolved));
      long stored = repo.storedBytes(resolved);
      if (json()) {
        ObjectNode doc = Json.object();
        doc.set("backup", Json.metadata(m));
        doc.put("storedBytes", stored);
        Json.print(cli.out, doc);
        return CofferCli.OK;
      }
      out().println("id:          " + m.backupId());
      out().println("created:     " + Formats.time(m.createdAt()));
      out().println("type:        " + m.backupType().name().toLowerCase(Locale.ROOT));
      out().println("base:        " + (m.baseBackupId() == null ? "-" : m.baseBackupId()));
      out().println("source:      " + m.sourceDir());
      out().println("files:       " + m.totalFiles());
      out()
          .println(
              "size:        " + Formats.bytes(m.totalBytes()) + " (" + m.totalBytes() + " bytes)");
      out().println("stored:      " + Formats.bytes(stored) + " (" + stored + " bytes)");
      out().println("provider:    " + m.provider() + " " + m.version());
      if (m.labels().isEmpty()) {
        out().println("labels:      -");
      } else {
        out().println("labels:");
        m.labels().forEach((k, v) -> out().println("  " + k + "=" + v));
      }
    }
    return CofferCli.OK;
  }
}
