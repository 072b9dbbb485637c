package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.RetentionPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "prune", description = "Delete the backups a retention policy does not keep.")
final class PruneCommand extends CliCommand {
  @Option(names = "--keep-last", paramLabel = "N", description = "Keep the newest N backups.")
  int keepLast;

  @Option(
      names = "--keep-within",
      paramLabel = "DURATION",
      description = "Keep backups younger than this: 7d, 12h, 30m, 1d12h or ISO-8601 (PT12H).")
  String keepWithin;

  @Option(names = "--dry-run", description = "Only show what would be deleted.")
  boolean dryRun;

  @Override
  public Integer call() throws IOException {
    Duration within = keepWithin == null ? Duration.ZERO : Formats.duration(keepWithin);
    RetentionPolicy policy = new RetentionPolicy(keepLast, within);
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("prune of " + cli.displayUrl());
      List<BackupMetadata> all = repo.list();
      List<BackupMetadata> deleted = dryRun ? repo.pruneCandidates(policy) : repo.prune(policy);
      Set<String> gone = new HashSet<>();
      deleted.forEach(b -> gone.add(b.backupId()));
      List<String> kept = new ArrayList<>();
      all.stream()
          .map(BackupMetadata::backupId) // list() is newest first: contract rule P13
          .filter(id -> !gone.contains(id))
          .forEach(kept::add);
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("dryRun", dryRun);
        ArrayNode d = doc.putArray("deleted");
        deleted.forEach(b -> d.add(Json.metadata(b)));
        ArrayNode k = doc.putArray("kept");
        kept.forEach(k::add);
        Json.print(cli.out, doc);
      } else {
        String verb = dryRun ? "would delete" : "deleted";
        for (BackupMetadata b : deleted) {
          out().println(verb + " " + b.backupId() + " (" + Formats.time(b.createdAt()) + ")");
        }
        out()
            .println(
                (dryRun ? "Would delete " : "Deleted ")
                    + deleted.size()
                    + " backup"
                    + (deleted.size() == 1 ? "" : "s")
                    + ", keeping "
                    + kept.size()
                    + ".");
      }
    }
    return CofferCli.OK;
  }
}
