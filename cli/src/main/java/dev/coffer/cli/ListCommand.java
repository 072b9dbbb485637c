package dev.coffer.cli;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "list", description = "List the backups, newest first.")
final class ListCommand extends CliCommand {
  @Override
  public Integer call() throws IOException {
    try (BackupRepository repo = Repositories.open(cli)) {
      cli.doing("listing " + cli.displayUrl());
      List<BackupMetadata> backups = repo.list(); // newest first: contract rule P13
      if (json()) {
        Json.printBackups(cli.out, backups);
        return CofferCli.OK;
      }
      if (backups.isEmpty()) {
        out().println("No backups in " + cli.displayUrl() + ".");
        return CofferCli.OK;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "CREATED", "TYPE", "FILES", "SIZE", "BASE", "LABELS"});
      for (BackupMetadata b : backups) {
        rows.add(
            new String[] {
              b.backupId(),
              Formats.time(b.createdAt()),
              b.backupType().name().toLowerCase(Locale.ROOT),
              Long.toString(b.totalFiles()),
              Formats.bytes(b.totalBytes()),
              b.baseBackupId() == null ? "-" : b.baseBackupId(),
              b.labels().entrySet().stream()
                  .map(e -> e.getKey() + "=" + e.getValue())
                  .collect(Collectors.joining(","))
            });
      }
      Formats.table(rows, new boolean[] {false, false, false, true, true, false, false})
          .forEach(out()::println);
    }
    return CofferCli.OK;
  }
}
