package dev.coffer.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/** What every subcommand shares: the global options and streams of the {@code coffer} command. */
abstract class CliCommand implements Callable<Integer> {
  @ParentCommand
  CofferCli cli;

  PrintWriter out() {
    return cli.out;
  }

  boolean json() {
    return cli.json;
  }
}
