package dev.coffer.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training run behind the launcher's start-up cache (a class-data-sharing archive on JDK 17, an
 * ahead-of-time cache on JDK 25): runs the commands people run from scripts, in-process, on a few
 * small files in a temporary directory, so that the JVM records what they load. {@code bin/coffer}
 * and {@code ./coffer} run it once per JDK and jar set; see docs/cli.md, "Start-up cache".
 *
 * <p>Usage: {@code java -cp <coffer jars> dev.coffer.cli.StartupTraining WORK_DIR}. The directory
 * must not exist or be empty; it is deleted at the end. Exits 0 when every command did what it
 * should.
 */
final class StartupTraining {
  private StartupTraining() {}

  /**
   * Runs the training commands.
   *
   * @param args one argument, the work directory
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: StartupTraining WORK_DIR");
      System.exit(CofferCli.USAGE);
    }
    List<String> failed = train(Path.of(args[0]));
    if (!failed.isEmpty()) {
      System.err.println("coffer start-up training: failed: " + String.join("; ", failed));
    }
    System.exit(failed.isEmpty() ? CofferCli.OK : CofferCli.FAILURE);
  }

  /**
   * Runs every training command in {@code work}, then deletes it; returns the commands that failed.
   */
  static List<String> train(Path work) throws IOException {
    Files.createDirectories(work);
    List<String> failed = new ArrayList<>();
    try {
      Path source = Files.createDirectories(work.resolve("source"));
      DemoTree.generate(source, 20261206L);
      Path key = work.resolve("key");
      run(failed, Map.of(), "--version");
      run(failed, Map.of(), "--help");
      run(failed, Map.of(), "backup", "--help");
      run(failed, Map.of(), "keygen", key.toString());
      String[][] repos = {
        {"coffer:local:" + work.resolve("local") + "?fsync=false"},
        {"coffer:archive:" + work.resolve("archive"), "--key-file", key.toString()},
        // format 2's classes too (~60 of them, else loaded and verified from the jar at each run)
        {"coffer:archive:" + work.resolve("archive2") + "?format=2", "--key-file", key.toString()}
      };
      for (int i = 0; i < repos.length; i++) {
        String[] repo = repos[i];
        String name = "repository-" + i;
        Map<String, String> env = Map.of("COFFER_REPO", repo[0]);
        String[] secret = repo.length > 1 ? new String[] {repo[1], repo[2]} : new String[0];
        run(failed, env, concat(secret, "--quiet", "backup", source.toString()));
        run(
            failed,
            env,
            concat(secret, "--json", "backup", source.toString(), "--incremental-from", "latest"));
        run(failed, env, concat(secret, "list"));
        run(failed, env, concat(secret, "--json", "list"));
        run(failed, env, concat(secret, "--quiet", "verify", "--all"));
        run(
            failed,
            env,
            concat(
                secret,
                "--quiet",
                "restore",
                "latest",
                work.resolve("restored-" + name).toString()));
      }
    } finally {
      if (Files.exists(work)) {
        DemoTree.delete(work);
      }
    }
    return failed;
  }

  private static String[] concat(String[] first, String... rest) {
    String[] all = new String[first.length + rest.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }

  private static void run(List<String> failed, Map<String, String> env, String... args) {
    PrintWriter sink =
        new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    int code = CofferCli.run(args, sink, sink, new CliEnvironment(env, false, prompt -> null));
    if (code != CofferCli.OK) {
      failed.add(String.join(" ", args) + " (exit " + code + ")");
    }
  }
}
