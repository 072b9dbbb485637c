package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No key or passphrase ever reaches stdout or stderr, and none is accepted as a plain argument. */
class SecretsTest {
  private static final String KEY = "c0ffee" + "5ec2e7".repeat(9) + "d00d";
  private static final String PASSPHRASE = "tr0ub4dor&3-horse-battery";

  @TempDir Path tmp;

  private final List<CliRun.Result> results = new ArrayList<>();

  private CliRun.Result run(CliRun cli, String... args) {
    CliRun.Result r = cli.run(args);
    results.add(r);
    return r;
  }

  /** Runs every command, in human and JSON form, including failing ones. */
  private void runEveryCommand(CliRun cli, String... secretArgs) throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src-" + results.size()));
    Files.writeString(source.resolve("a.txt"), "alpha");
    for (boolean json : new boolean[] {false, true}) {
      List<String> extra = new ArrayList<>(List.of(secretArgs));
      if (json) {
        extra.add("--json");
      }
      String[] e = extra.toArray(String[]::new);
      run(cli, concat(e, "providers"));
      run(cli, concat(e, "init")).expect(0);
      CliRun.Result b =
          run(cli, concat(e, "backup", source.toString(), "--label", "k=v")).expect(0);
      run(cli, concat(e, "backup", source.toString(), "--incremental-from", "latest")).expect(0);
      run(cli, concat(e, "list")).expect(0);
      run(cli, concat(e, "show", "latest")).expect(0);
      run(cli, concat(e, "size", "latest")).expect(0);
      run(cli, concat(e, "verify", "--all")).expect(0);
      run(cli, concat(e, "restore", "latest", tmp.resolve("restored-" + results.size()).toString()))
          .expect(0);
      run(cli, concat(e, "restore", "latest", source.toString())).expect(3);
      run(cli, concat(e, "show", "missing-id")).expect(3);
      run(cli, concat(e, "prune", "--keep-last", "1", "--dry-run")).expect(0);
      run(cli, concat(e, "prune", "--keep-last", "1")).expect(0);
      run(cli, concat(e, "keygen", tmp.resolve("k-" + results.size()).toString())).expect(0);
      run(
          cli,
          concat(
              e,
              "list",
              "--debug",
              "--repo",
              "coffer:fake:" + tmp.resolve("repo-b"))); // other key: wrong
      if (b.code() == 0 && !json) {
        run(cli, concat(e, "delete", "nope-" + results.size())).expect(3);
      }
    }
  }

  private static String[] concat(String[] tail, String... head) {
    List<String> all = new ArrayList<>(List.of(head));
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }

  private void assertNoSecretPrinted() {
    assertFalse(results.isEmpty());
    for (CliRun.Result r : results) {
      for (String secret :
          List.of(KEY, KEY.substring(0, 16), KEY.substring(KEY.length() - 16), PASSPHRASE)) {
        assertFalse(r.out().contains(secret), () -> "secret on stdout: " + r.out());
        assertFalse(r.err().contains(secret), () -> "secret on stderr: " + r.err());
      }
    }
  }

  @Test
  void aKeyFromTheEnvironment_neverAppearsInAnyOutput() throws IOException {
    CliRun b =
        new CliRun()
            .with("COFFER_REPO", "coffer:fake:" + tmp.resolve("repo-b"))
            .with("COFFER_KEY", "ab".repeat(32));
    b.run("init").expect(0);
    CliRun cli =
        new CliRun()
            .with("COFFER_REPO", "coffer:fake:" + tmp.resolve("repo"))
            .with("COFFER_KEY", KEY);
    runEveryCommand(cli);
    assertEquals(
        1, cli.run("list", "--debug", "--repo", "coffer:fake:" + tmp.resolve("repo-b")).code());
    assertNoSecretPrinted();
  }

  @Test
  void aKeyFileAndAPassphraseFile_neverAppearInAnyOutput() throws IOException {
    Path keyFile = tmp.resolve("key");
    Files.writeString(keyFile, KEY + "\n");
    Path passFile = tmp.resolve("pass");
    Files.writeString(passFile, PASSPHRASE + "\n");
    new CliRun()
        .with("COFFER_REPO", "coffer:fake:" + tmp.resolve("repo-b"))
        .with("COFFER_KEY", "ab".repeat(32))
        .run("init")
        .expect(0);
    CliRun cli = new CliRun().with("COFFER_REPO", "coffer:fake:" + tmp.resolve("repo"));
    runEveryCommand(cli, "--key-file", keyFile.toString());
    CliRun p =
        new CliRun()
            .with("COFFER_REPO", "coffer:fake:" + tmp.resolve("repo-p"))
            .with("COFFER_PASSPHRASE", PASSPHRASE);
    runEveryCommand(p, "--passphrase-file", passFile.toString());
    assertNoSecretPrinted();
  }

  @Test
  void urlsInMessages_showNonSecretOptionValues_andHideTheRest() {
    assertEquals(
        "coffer:fake:/r?key-file=/k&key=***&other=***&***",
        CofferCli.redactUrl("coffer:fake:/r?key-file=/k&key=" + KEY + "&other=" + PASSPHRASE));
    assertEquals(
        "coffer:nosuch:/r?key-file=***", CofferCli.redactUrl("coffer:nosuch:/r?key-file=/k"));
    assertEquals("coffer:fake:/r", CofferCli.redactUrl("coffer:fake:/r"));
  }

  @Test
  void aSecretAsAPlainArgument_isRefusedWithExit2_withoutEchoingIt() {
    CliRun cli = new CliRun().with("COFFER_REPO", "coffer:fake:" + tmp.resolve("repo"));
    run(cli, "list", "--key", KEY).expect(2);
    run(cli, "list", "--key=" + KEY).expect(2);
    run(cli, "list", "--passphrase", PASSPHRASE).expect(2);
    run(cli, "--passphrase=" + PASSPHRASE, "init").expect(2);
    run(cli, "init", KEY).expect(2);
    run(cli, "list", "--repo", "coffer:fake:" + tmp.resolve("repo") + "?key=" + KEY).expect(2);
    run(
            cli,
            "list",
            "--json",
            "--repo",
            "coffer:fake:" + tmp.resolve("repo") + "?passphrase=" + PASSPHRASE)
        .expect(2);
    run(cli, "list", "--repo", "/var/backups?key=" + KEY).expect(2);
    run(cli, "list", "--repo", "coffer:nosuch:/x?key=" + KEY).expect(2);
    assertFalse(
        Files.exists(tmp.resolve("repo").resolve("key.check")),
        "nothing was created with a refused key");
    assertNoSecretPrinted();
  }
}
