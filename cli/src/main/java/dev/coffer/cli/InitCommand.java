package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupRepository;
import java.io.IOException;
import picocli.CommandLine.Command;

@Command(name = "init", description = "Create the repository (if absent) and check that it opens.")
final class InitCommand extends CliCommand {
  @Override
  public Integer call() throws IOException {
    String url = cli.displayUrl();
    try (BackupRepository repo = Repositories.open(cli, true)) {
      int count = repo.list().size();
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("repository", url);
        doc.put("provider", Repositories.provider(cli).name());
        doc.put("backups", count);
        Json.print(cli.out, doc);
      } else {
        out()
            .println(
                "Repository "
                    + url
                    + " is ready ("
                    + count
                    + " backup"
                    + (count == 1 ? "" : "s")
                    + ").");
      }
    }
    return CofferCli.OK;
  }
}
