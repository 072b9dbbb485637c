package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupId;
import dev.coffer.BackupRepository;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "delete", description = "Delete one backup.")
final class DeleteCommand extends CliCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The backup to delete.")
  String id;

  @Override
  public Integer call() throws IOException {
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("delete of backup " + id + " in " + cli.displayUrl());
      repo.delete(BackupId.of(id));
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("deleted", id);
        Json.print(cli.out, doc);
      } else {
        out().println("Deleted backup " + id + ".");
      }
    }
    return CofferCli.OK;
  }
}
