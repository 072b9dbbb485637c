package dev.coffer.cli;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupWarning;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/** What every subcommand shares: the global options and streams of the {@code coffer} command. */
abstract class CliCommand implements Callable<Integer> {
  @ParentCommand CofferCli cli;

  PrintWriter out() {
    return cli.out;
  }

  boolean json() {
    return cli.json;
  }

  /**
   * The warnings of a backup that say a file changed or vanished while it was taken: {@code verify}
   * and {@code restore} repeat them, because verification proves the stored bytes, not that they
   * were one version of the file.
   */
  static List<BackupWarning> readChanges(BackupMetadata m) {
    return m.warnings().stream().filter(BackupWarning::changedWhileRead).toList();
  }

  /**
   * One line per {@link #readChanges} warning, e.g. {@code recorded when taken: file changed while
   * read: x (...)}.
   */
  static List<String> readChangeLines(BackupMetadata m) {
    return readChanges(m).stream().map(w -> "recorded when taken: " + w).toList();
  }
}
