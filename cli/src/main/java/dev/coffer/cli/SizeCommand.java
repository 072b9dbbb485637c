package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.NoSuchBackupException;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "size", description = "Show how many bytes a backup adds to the repository.")
final class SizeCommand extends CliCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The backup ('latest' for the newest).")
  String id;

  @Override
  public Integer call() throws IOException {
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("size of backup " + id + " in " + cli.displayUrl());
      BackupId resolved = Repositories.resolveId(repo, id);
      long stored = repo.storedBytes(resolved);
      BackupMetadata m = repo.find(resolved).orElseThrow(() -> new NoSuchBackupException(resolved));
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("backupId", resolved.value());
        doc.put("storedBytes", stored);
        doc.put("totalBytes", m.totalBytes());
        Json.print(cli.out, doc);
      } else {
        out()
            .println(
                resolved
                    + ": "
                    + Formats.bytes(stored)
                    + " stored ("
                    + stored
                    + " bytes) for "
                    + Formats.bytes(m.totalBytes())
                    + " of files");
      }
    }
    return CofferCli.OK;
  }
}
