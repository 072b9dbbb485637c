package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cold {@code coffer} process loads: only the command it runs, no Jackson mapper for a
 * version, no Bouncy Castle or archive crypto for a {@code local} repository, no jackson-databind
 * for a {@code list} (docs/benchmarks.md, "Cold start"). The class-loading checks run the tool in a
 * child JVM with {@code -Xlog:class+load}.
 */
class StartupTest {
  @TempDir Path tmp;

  /**
   * The classes a child JVM loaded while running the tool with {@code args}; fails unless it exits
   * 0.
   */
  private List<String> loadedClasses(String... args) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-Xshare:off",
                "-Xlog:class+load=info",
                "-cp",
                System.getProperty("java.class.path"),
                CofferCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("COFFER_REPO");
    pb.environment().remove("COFFER_KEY");
    pb.environment().remove("COFFER_PASSPHRASE");
    pb.redirectErrorStream(true);
    pb.redirectOutput(tmp.resolve("child.txt").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    String output = Files.readString(tmp.resolve("child.txt"), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), output);
    List<String> classes =
        output
            .lines()
            .filter(l -> l.contains("[class,load]"))
            .map(l -> l.replaceFirst("^.*\\[class,load\\] (\\S+).*$", "$1"))
            .collect(Collectors.toList());
    assertTrue(classes.contains(CofferCli.class.getName()), "no class-loading log: " + output);
    return classes;
  }

  private static List<String> startingWith(List<String> classes, String prefix) {
    return classes.stream().filter(c -> c.startsWith(prefix)).collect(Collectors.toList());
  }

  @Test
  void version_loadsNoPicocliModelNoJacksonNoProviderAndNoOtherCommand() throws Exception {
    List<String> classes = loadedClasses("--version");
    assertFalse(
        classes.contains("picocli.CommandLine$Model$CommandSpec"),
        "picocli built a model for --version");
    assertEquals(List.of(), startingWith(classes, "com.fasterxml.jackson"));
    assertEquals(List.of(), startingWith(classes, "dev.coffer.local"));
    assertEquals(List.of(), startingWith(classes, "dev.coffer.archive"));
    assertFalse(
        classes.contains(DemoCommand.class.getName()), "demo's class is loaded for --version");
  }

  @Test
  void listOfALocalRepository_loadsNoBouncyCastleNoArchiveCryptoAndNoDatabind() throws Exception {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(source.resolve("f"), "data");
    String repo = "coffer:local:" + tmp.resolve("repo");
    new CliRun().run("--repo", repo, "-q", "backup", source.toString()).expect(0);

    List<String> classes = loadedClasses("--repo", repo, "list");
    assertEquals(List.of(), startingWith(classes, "org.bouncycastle"));
    assertEquals(List.of(), startingWith(classes, "javax.crypto"));
    assertEquals(List.of(), startingWith(classes, "com.github.luben"), "zstd-jni");
    assertEquals(
        List.of(),
        startingWith(classes, "com.fasterxml.jackson.databind"),
        "metadata.json is read with jackson-core's streaming parser");
    // ServiceLoader constructs every provider to ask its name; nothing of the archive beyond that.
    assertEquals(
        List.of("dev.coffer.archive.ArchiveBackupProvider"),
        startingWith(classes, "dev.coffer.archive"));
    assertFalse(classes.contains(DemoCommand.class.getName()), "demo's class is loaded for list");
    assertFalse(
        classes.contains(BackupCommand.class.getName()), "backup's class is loaded for list");
  }

  @Test
  void listOfAnArchiveRepositoryWithAKeyFile_loadsNoBouncyCastleAndNoDatabind() throws Exception {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(source.resolve("f"), "data");
    Path key = tmp.resolve("key");
    String repo = "coffer:archive:" + tmp.resolve("repo");
    CliRun cli = new CliRun();
    cli.run("keygen", key.toString()).expect(0);
    cli.run("--repo", repo, "--key-file", key.toString(), "-q", "backup", source.toString())
        .expect(0);

    List<String> classes = loadedClasses("--repo", repo, "--key-file", key.toString(), "list");
    assertEquals(
        List.of(), startingWith(classes, "org.bouncycastle"), "Argon2 is for passphrases only");
    assertTrue(
        classes.contains("dev.coffer.archive.ArchiveReader"), "the list did not read the archive");
    assertTrue(
        classes.contains("dev.coffer.archive.ManifestReader"), "the list did not read a manifest");
    assertEquals(
        List.of(),
        startingWith(classes, "com.fasterxml.jackson.databind"),
        "manifests are read with jackson-core's streaming parser");
    assertFalse(
        classes.contains("dev.coffer.archive.GcmWarmup"),
        "a list of manifests warms the cipher up");
  }

  @Test
  void subcommandsFor_namesOnlyTheCommandTheArgumentsRun() {
    List<String> all = CofferCli.SUBCOMMANDS;
    assertEquals(List.of("list"), CofferCli.subcommandsFor(new String[] {"list"}));
    assertEquals(
        List.of("list"),
        CofferCli.subcommandsFor(new String[] {"--json", "--repo", "backup", "list"}));
    assertEquals(
        List.of("verify"),
        CofferCli.subcommandsFor(new String[] {"--repo=x", "-q", "verify", "list"}));
    assertEquals(List.of("restore"), CofferCli.subcommandsFor(new String[] {"restore", "--help"}));
    assertEquals(List.of(), CofferCli.subcommandsFor(new String[] {"--version"}));
    assertEquals(List.of(), CofferCli.subcommandsFor(new String[] {"-q", "-V"}));
    assertEquals(all, CofferCli.subcommandsFor(new String[] {}));
    assertEquals(all, CofferCli.subcommandsFor(new String[] {"--help"}));
    assertEquals(all, CofferCli.subcommandsFor(new String[] {"--version", "--help"}));
    assertEquals(
        all, CofferCli.subcommandsFor(new String[] {"lsit"}), "picocli reports an unknown name");
    assertEquals(all, CofferCli.subcommandsFor(new String[] {"completion"}));
    assertEquals(all, CofferCli.subcommandsFor(new String[] {"--", "list"}));
  }

  @Test
  void unknownCommand_isStillAUsageError() {
    CliRun.Result r = new CliRun().run("lsit");
    assertEquals(CofferCli.USAGE, r.code());
    assertTrue(r.err().startsWith("coffer: error: 1 unexpected argument (not shown)"), r.err());
  }

  @Test
  void help_listsEveryCommand_includingCompletion() {
    String help = new CliRun().run("--help").expect(0).out();
    for (String name : CofferCli.SUBCOMMANDS) {
      assertTrue(help.contains("\n  " + name + " "), name + " missing from:\n" + help);
    }
  }

  @Test
  void version_withOtherArguments_goesThroughPicocliAndPrintsTheSame() {
    assertEquals(
        new CliRun().run("--version").expect(0).out(),
        new CliRun().run("-q", "--version").expect(0).out());
  }

  @Test
  void version_printsTheToolVersionAndTheRunningJdk() {
    List<String> lines =
        new CliRun().run("--version").expect(0).out().lines().collect(Collectors.toList());
    assertEquals(2, lines.size(), lines::toString);
    assertEquals("coffer " + CofferCli.Version.version(), lines.get(0));
    assertFalse(lines.get(0).endsWith("unknown"), "version.properties was not filtered");
    assertTrue(lines.get(1).startsWith("JDK " + Runtime.version().feature()), lines.get(1));
    assertTrue(lines.get(1).endsWith(" at " + System.getProperty("java.home")), lines.get(1));
  }

  @Test
  void completion_printsABashScriptCoveringEveryCommandAndGlobalOption() {
    String script = new CliRun().run("completion").expect(0).out();
    assertTrue(
        script.contains("complete -F _complete_coffer"),
        script.lines().limit(40).collect(Collectors.joining("\n")));
    assertTrue(
        script.contains("bashcompinit"), "zsh users source the same script through bashcompinit");
    for (String name : CofferCli.SUBCOMMANDS) {
      assertTrue(script.contains(name), name);
    }
    assertTrue(
        script.contains("--key-file") && script.contains("--incremental-from"), "options missing");
  }
}
