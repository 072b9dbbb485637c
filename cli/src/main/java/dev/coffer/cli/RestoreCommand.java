package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.OwnerPolicy;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "restore",
    description = "Restore a backup into a directory that is absent or empty (or --replace).")
final class RestoreCommand extends CliCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The backup ('latest' for the newest).")
  String id;

  @Parameters(index = "1", paramLabel = "TARGET", description = "The directory to restore into.")
  Path target;

  @Option(
      names = "--replace",
      description = "Replace the target's content, only once the restore is complete.")
  boolean replace;

  @Option(
      names = "--include",
      paramLabel = "PATH",
      description = "Restore only this relative path (file or directory; repeatable).")
  List<String> include = List.of();

  @Option(
      names = "--owners",
      paramLabel = "auto|preserve|numeric|current",
      description =
          "Owners of restored files: auto (default: by name, else id, when permitted; otherwise one "
              + "warning), preserve (fail when they cannot be set), numeric (ids only), current (the restoring user).")
  String owners = "auto";

  @Override
  public Integer call() throws IOException {
    Path t = target.toAbsolutePath().normalize();
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("restore of backup " + id + " into " + t);
      BackupId resolved = Repositories.resolveId(repo, id);
      cli.doing("restore of backup " + resolved + " into " + t);
      ProgressReporter progress = ProgressReporter.forCli(cli);
      RestoreRequest request =
          RestoreRequest.of(resolved, t)
              .withMode(replace ? RestoreMode.REPLACE : RestoreMode.CREATE)
              .withPaths(include)
              .withOwners(Choices.parse("--owners", owners, OwnerPolicy.class))
              .withProgress(progress);
      BackupMetadata m = repo.restore(request);
      progress.finish();
      for (String line : readChangeLines(m)) {
        cli.err.println("coffer: warning: backup " + m.backupId() + " " + line);
      }
      if (json()) {
        ObjectNode doc = Json.object();
        doc.set("backup", Json.metadata(m));
        doc.put("target", t.toString());
        doc.put("mode", request.mode().name());
        doc.put("owners", request.owners().name());
        ArrayNode paths = doc.putArray("paths");
        request.paths().forEach(paths::add);
        Json.print(cli.out, doc);
      } else {
        out()
            .println(
                "Restored backup "
                    + m.backupId()
                    + " into "
                    + t
                    + (request.partial() ? " (" + request.paths().size() + " selected paths)" : "")
                    + ".");
      }
    }
    return CofferCli.OK;
  }
}
