package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CofferCliTest {
  @TempDir Path tmp;
  Path source;
  String repo;
  CliRun cli;

  @BeforeEach
  void setUp() throws IOException {
    source = tmp.resolve("source");
    Files.createDirectories(source.resolve("wal"));
    Files.createDirectories(source.resolve("empty"));
    Files.writeString(source.resolve("wal/0001.log"), "first segment\n");
    Files.writeString(source.resolve("data.sst"), "x".repeat(10_000));
    repo = "coffer:fake:" + tmp.resolve("repo");
    cli = new CliRun().with("COFFER_REPO", repo);
  }

  private String backupId(CliRun.Result r) {
    return r.json().get("backup").get("backupId").asText();
  }

  @Test
  void providers_listsEveryProviderWithCapabilitiesAndOptions_asJson() {
    JsonNode doc = cli.run("providers", "--json").expect(0).json();
    JsonNode fake = null;
    List<String> names = new ArrayList<>();
    for (JsonNode p : doc.get("providers")) {
      names.add(p.get("name").asText());
      if (p.get("name").asText().equals("fake")) {
        fake = p;
      }
    }
    assertEquals(names.stream().sorted().toList(), names, "sorted by name");
    assertTrue(names.containsAll(List.of("blind", "fake", "keyless")), names::toString);
    assertEquals("fake", fake.get("name").asText());
    assertTrue(fake.get("capabilities").toString().contains("INCREMENTAL"));
    assertEquals("key", fake.get("options").get(0).get("name").asText());
    assertTrue(fake.get("options").get(0).get("secret").asBoolean());
    String human = cli.run("providers").expect(0).out();
    assertTrue(human.contains("fake - test double"), human);
    assertTrue(human.contains("key (secret)"), human);
  }

  @Test
  void init_createsTheRepository_andReportsItEmpty() {
    JsonNode doc = cli.run("init", "--json").expect(0).json();
    assertEquals(0, doc.get("backups").asInt());
    assertEquals("fake", doc.get("provider").asText());
    assertTrue(Files.isDirectory(tmp.resolve("repo")));
  }

  @Test
  void backup_thenListShowSizeVerifyRestore_roundTripsThroughJson() throws IOException {
    CliRun.Result b =
        cli.run("backup", source.toString(), "--label", "lsn=0/16B3748", "--json").expect(0);
    JsonNode meta = b.json().get("backup");
    String id = meta.get("backupId").asText();
    assertEquals("FULL", meta.get("backupType").asText());
    assertEquals(2, meta.get("totalFiles").asLong());
    assertEquals(10_014, meta.get("totalBytes").asLong());
    assertEquals("0/16B3748", meta.get("labels").get("lsn").asText());
    assertTrue(meta.get("baseBackupId").isNull());
    assertTrue(b.json().get("storedBytes").asLong() > 0);

    JsonNode list = cli.run("list", "--json").expect(0).json().get("backups");
    assertEquals(1, list.size());
    assertEquals(id, list.get(0).get("backupId").asText());

    assertEquals(
        id, cli.run("show", id, "--json").expect(0).json().get("backup").get("backupId").asText());
    assertEquals(
        10_014, cli.run("size", "latest", "--json").expect(0).json().get("totalBytes").asLong());
    JsonNode verify = cli.run("verify", id, "--json").expect(0).json();
    assertTrue(verify.get("ok").asBoolean());
    assertEquals(2, verify.get("reports").get(0).get("filesChecked").asLong());

    Path target = tmp.resolve("restored");
    JsonNode restored = cli.run("restore", id, target.toString(), "--json").expect(0).json();
    assertEquals("CREATE", restored.get("mode").asText());
    assertEquals(List.of(), DemoTree.differences(source, target));
  }

  @Test
  void humanOutput_ofListShowSizeVerify_namesTheBackup() {
    String id = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    String list = cli.run("list").expect(0).out();
    assertTrue(list.startsWith("ID "), list);
    assertTrue(list.contains(id) && list.contains("full"), list);
    assertTrue(cli.run("show", id).expect(0).out().contains("files:       2"));
    assertTrue(cli.run("size", id).expect(0).out().startsWith(id + ": "));
    assertTrue(cli.run("verify", id).expect(0).out().startsWith("ok     " + id));
  }

  @Test
  void list_printsNewestFirst() {
    String first = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    String second = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    JsonNode list = cli.run("list", "--json").expect(0).json().get("backups");
    assertEquals(second, list.get(0).get("backupId").asText());
    assertEquals(first, list.get(1).get("backupId").asText());
    String table = cli.run("list").expect(0).out();
    assertTrue(table.indexOf(second) < table.indexOf(first), table);
  }

  @Test
  void backup_incrementalFromLatest_recordsTheNewestBackupAsBase() {
    String full = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    JsonNode inc =
        cli.run("backup", source.toString(), "--incremental-from", "latest", "--json")
            .expect(0)
            .json();
    assertEquals("INCREMENTAL", inc.get("backup").get("backupType").asText());
    assertEquals(full, inc.get("backup").get("baseBackupId").asText());
  }

  @Test
  void backup_ofMissingSource_exits3_namingThePath() {
    CliRun.Result r = cli.run("backup", tmp.resolve("nope").toString()).expect(3);
    assertTrue(r.err().startsWith("coffer: error: backup of " + tmp.resolve("nope")), r.err());
    assertTrue(r.err().contains("no such file or directory: " + tmp.resolve("nope")), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void backup_withMalformedLabel_exits2() {
    assertTrue(
        cli.run("backup", source.toString(), "--label", "novalue")
            .expect(2)
            .err()
            .contains("KEY=VALUE"));
  }

  @Test
  void verify_ofAFlippedByte_exits1_andNamesThePath() throws IOException {
    String id = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    DemoTree.flipMiddleByte(tmp.resolve("repo").resolve(id).resolve("data/data.sst"));
    CliRun.Result r = cli.run("verify", id, "--json").expect(1);
    JsonNode report = r.json().get("reports").get(0);
    assertFalse(r.json().get("ok").asBoolean());
    assertEquals("data.sst", report.get("problems").get(0).get("path").asText());
    assertEquals("CORRUPT", report.get("problems").get(0).get("kind").asText());
    String human = cli.run("verify", id).expect(1).out();
    assertTrue(human.contains("FAILED " + id) && human.contains("CORRUPT data.sst"), human);
  }

  @Test
  void verifyAll_checksEveryBackup_andFailsIfAnyFails() throws IOException {
    String a = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    String b = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    JsonNode ok = cli.run("verify", "--all", "--json").expect(0).json();
    assertEquals(2, ok.get("reports").size());
    Files.delete(tmp.resolve("repo").resolve(a).resolve("data/wal/0001.log"));
    JsonNode bad = cli.run("verify", "--all", "--json").expect(1).json();
    assertFalse(bad.get("ok").asBoolean());
    List<String> failed = new ArrayList<>();
    bad.get("reports")
        .forEach(
            r -> {
              if (!r.get("ok").asBoolean()) {
                failed.add(r.get("backupId").asText());
              }
            });
    assertEquals(List.of(a), failed);
    assertNotEquals(a, b);
  }

  @Test
  void verify_needsAnIdOrAll_exits2() {
    cli.run("verify").expect(2);
    cli.run("verify", "x", "--all").expect(2);
  }

  @Test
  void restore_intoNonEmptyTarget_exits3_andNamesBackupAndTarget() throws IOException {
    String id = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    Path target = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(target.resolve("keep.txt"), "mine");
    CliRun.Result r = cli.run("restore", id, target.toString()).expect(3);
    assertEquals(
        "coffer: error: restore of backup "
            + id
            + " into "
            + target
            + ": directory is not empty: "
            + target,
        r.err().strip());
    assertEquals("mine", Files.readString(target.resolve("keep.txt")));
  }

  @Test
  void restore_withReplace_swapsTheTargetContent() throws IOException {
    String id = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    Path target = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(target.resolve("old.txt"), "old");
    assertEquals(
        "REPLACE",
        cli.run("restore", id, target.toString(), "--replace", "--json")
            .expect(0)
            .json()
            .get("mode")
            .asText());
    assertEquals(List.of(), DemoTree.differences(source, target));
  }

  @Test
  void restore_withInclude_restoresOnlyThatPath() throws IOException {
    String id = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    Path target = tmp.resolve("partial");
    JsonNode doc =
        cli.run("restore", id, target.toString(), "--include", "wal", "--json").expect(0).json();
    assertEquals("wal", doc.get("paths").get(0).asText());
    assertEquals("first segment\n", Files.readString(target.resolve("wal/0001.log")));
    assertFalse(Files.exists(target.resolve("data.sst")));
  }

  @Test
  void unknownId_exits3_forEveryCommandThatTakesOne() {
    for (String cmd : List.of("show", "verify", "size", "delete")) {
      CliRun.Result r = cli.run(cmd, "0190ffff-0000-7000-8000-000000000000").expect(3);
      assertTrue(
          r.err().contains("no such backup: 0190ffff-0000-7000-8000-000000000000"),
          cmd + ": " + r.err());
    }
    cli.run("restore", "0190ffff-0000-7000-8000-000000000000", tmp.resolve("t").toString())
        .expect(3);
    assertTrue(cli.run("show", "latest").expect(3).err().contains("no such backup: latest"));
  }

  @Test
  void delete_removesTheBackup() {
    String id = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    assertEquals(id, cli.run("delete", id, "--json").expect(0).json().get("deleted").asText());
    assertEquals(0, cli.run("list", "--json").expect(0).json().get("backups").size());
  }

  @Test
  void prune_dryRunDeletesNothing_andPruneDeletesWhatItShowed() {
    String a = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    backupId(cli.run("backup", source.toString(), "--json").expect(0));
    String c = backupId(cli.run("backup", source.toString(), "--json").expect(0));
    JsonNode dry = cli.run("prune", "--keep-last", "2", "--dry-run", "--json").expect(0).json();
    assertTrue(dry.get("dryRun").asBoolean());
    assertEquals(a, dry.get("deleted").get(0).get("backupId").asText());
    assertEquals(c, dry.get("kept").get(0).asText());
    assertEquals(3, cli.run("list", "--json").json().get("backups").size());
    JsonNode real = cli.run("prune", "--keep-last", "2", "--json").expect(0).json();
    assertEquals(a, real.get("deleted").get(0).get("backupId").asText());
    assertEquals(2, cli.run("list", "--json").json().get("backups").size());
    assertEquals(
        0,
        cli.run("prune", "--keep-within", "7d", "--json").expect(0).json().get("deleted").size());
  }

  @Test
  void prune_withoutAPolicyOrWithABadDuration_exits2() {
    assertTrue(cli.run("prune").expect(2).err().contains("at least one backup"));
    assertTrue(
        cli.run("prune", "--keep-within", "7 days")
            .expect(2)
            .err()
            .contains("invalid duration '7 days'"));
  }

  @Test
  void noRepository_exits2() {
    CliRun.Result r = new CliRun().run("list").expect(2);
    assertEquals(
        "coffer: error: no repository given: use --repo URL or set COFFER_REPO", r.err().strip());
  }

  @Test
  void badUrl_andUnknownProvider_exit2_withOneLine() {
    CliRun.Result bad = cli.run("list", "--repo", "/var/backups").expect(2);
    assertTrue(bad.err().contains("must start with 'coffer:'"), bad.err());
    assertEquals(1, bad.err().lines().count());
    CliRun.Result unknown = cli.run("list", "--repo", "coffer:nosuch:/x").expect(2);
    assertTrue(
        unknown.err().contains("no backup provider named 'nosuch'; installed: ")
            && unknown.err().contains("fake"),
        unknown.err());
  }

  @Test
  void repoOption_overridesTheEnvironment() {
    String other = "coffer:fake:" + tmp.resolve("other");
    cli.run("backup", source.toString(), "--repo", other).expect(0);
    assertEquals(0, cli.run("list", "--json").json().get("backups").size());
    assertEquals(1, cli.run("--repo", other, "list", "--json").json().get("backups").size());
  }

  @Test
  void wrongKey_exits1() throws IOException {
    cli.with("COFFER_KEY", "aa".repeat(32)).run("init").expect(0);
    CliRun.Result r = cli.with("COFFER_KEY", "bb".repeat(32)).run("list").expect(1);
    assertTrue(r.err().contains("the key does not open repository"), r.err());
    cli.env.remove("COFFER_KEY");
    cli.run("list", "--no-prompt").expect(1);
  }

  @Test
  void keyFile_isPassedByPath_whenTheProviderTakesAKeyFile() throws IOException {
    Path key = tmp.resolve("repo.key");
    cli.run("keygen", key.toString()).expect(0);
    cli.run("init", "--key-file", key.toString()).expect(0);
    String hex = Files.readString(key).strip();
    cli.with("COFFER_KEY", hex).run("list").expect(0); // the same key given by content opens it
    cli.env.remove("COFFER_KEY");
    cli.run("list", "--no-prompt").expect(1);
  }

  @Test
  void keyFile_holdingAPastedKeyInsteadOfAPath_failsWithoutEchoingIt() {
    String pasted = "5eed".repeat(16);
    CliRun.Result r = cli.run("init", "--key-file", pasted).expect(3);
    assertFalse(r.err().contains(pasted), r.err());
    assertFalse(r.out().contains(pasted), r.out());
    assertTrue(r.err().contains("--key-file"), r.err());
  }

  @Test
  void passphraseFile_isReadAndPassedAsTheSecret_whenTheProviderTakesNoFile() throws IOException {
    Path pass = tmp.resolve("pass.txt");
    Files.writeString(pass, "correct horse\n");
    cli.run("init", "--passphrase-file", pass.toString()).expect(0);
    cli.with("COFFER_PASSPHRASE", "correct horse").run("list").expect(0);
    cli.with("COFFER_PASSPHRASE", "wrong horse").run("list").expect(1);
  }

  @Test
  void passphrase_isAskedOnATerminal_unlessNoPrompt() {
    cli.with("COFFER_PASSPHRASE", "s3cret").run("init").expect(0);
    cli.env.remove("COFFER_PASSPHRASE");
    cli.terminal = true;
    cli.passwords = prompt -> "s3cret".toCharArray();
    cli.run("list").expect(0);
    assertEquals(List.of("Passphrase for " + repo + ": "), cli.prompts);
    cli.run("list", "--no-prompt").expect(1);
    assertEquals(1, cli.prompts.size());
  }

  @Test
  void keyFile_forAProviderWithoutKeys_isAUsageError_butAKeyInTheEnvironmentIsIgnored()
      throws IOException {
    Path key = tmp.resolve("k");
    Files.writeString(key, "x".repeat(64));
    String keyless = "coffer:keyless:" + tmp.resolve("plain");
    CliRun.Result r = cli.run("list", "--repo", keyless, "--key-file", key.toString()).expect(2);
    assertTrue(
        r.err().contains("provider 'keyless' takes no key, so --key-file cannot be used with it"),
        r.err());
    cli.run("list", "--repo", keyless, "--passphrase-file", key.toString()).expect(2);
    cli.with("COFFER_KEY", "ab".repeat(32)).run("list", "--repo", keyless).expect(0);
  }

  @Test
  void restore_withAHostileIncludePath_isAUsageError_asIsAnyUnsupportedOperation() {
    cli.run("backup", source.toString()).expect(0);
    CliRun.Result r =
        cli.run("restore", "latest", tmp.resolve("t").toString(), "--include", "../etc").expect(2);
    assertTrue(r.err().contains("../etc"), r.err());
    assertFalse(Files.exists(tmp.resolve("t")));
    assertEquals(2, CofferCli.exitCode(new UnsupportedOperationException("no partial restore")));
    assertEquals(1, CofferCli.exitCode(new dev.coffer.CorruptBackupException("bad", "a")));
    assertEquals(3, CofferCli.exitCode(new IOException("disk full")));
  }

  @Test
  void init_onATerminal_asksForThePassphraseTwice_andRefusesAMismatch() {
    cli.terminal = true;
    List<String> answers = new ArrayList<>(List.of("one", "two", "same", "same"));
    cli.passwords = prompt -> answers.remove(0).toCharArray();
    CliRun.Result r = cli.run("init").expect(2);
    assertTrue(r.err().contains("the passphrases typed do not match"), r.err());
    assertFalse(Files.exists(tmp.resolve("repo")));
    cli.run("init").expect(0);
    assertEquals(
        List.of(
            "Passphrase for " + repo + ": ",
            "Repeat the passphrase: ",
            "Passphrase for " + repo + ": ",
            "Repeat the passphrase: "),
        cli.prompts);
    cli.env.put("COFFER_PASSPHRASE", "same");
    cli.run("list", "--no-prompt").expect(0);
  }

  @Test
  void keygen_writes64HexDigits_ownerOnly_andNeverOverwrites() throws IOException {
    Path key = tmp.resolve("new.key");
    JsonNode doc = cli.run("keygen", key.toString(), "--json").expect(0).json();
    assertEquals(key.toString(), doc.get("keyFile").asText());
    String text = Files.readString(key, StandardCharsets.US_ASCII);
    assertTrue(text.matches("[0-9a-f]{64}\n"), text);
    if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }
    CliRun.Result again = cli.run("keygen", key.toString()).expect(3);
    assertTrue(again.err().contains("file already exists: " + key), again.err());
    assertEquals(text, Files.readString(key, StandardCharsets.US_ASCII));
    Path other = tmp.resolve("other.key");
    cli.run("keygen", other.toString()).expect(0);
    assertNotEquals(text, Files.readString(other));
  }

  @Test
  void usageErrors_exit2() {
    assertEquals(2, cli.run().code());
    assertTrue(
        cli.run("frobnicate").expect(2).err().contains("unknown option")
            || cli.run("frobnicate").err().contains("unexpected argument"));
    cli.run("restore", "only-an-id").expect(2);
    cli.run("prune", "--keep-last", "many").expect(2);
    assertTrue(cli.run("--version").expect(0).out().startsWith("coffer "));
    assertTrue(cli.run("backup", "--help").expect(0).out().contains("--incremental-from"));
  }

  @Test
  void errors_printAStackTraceOnlyWithDebug() {
    assertFalse(cli.run("show", "nope").expect(3).err().contains("\tat "));
    assertTrue(cli.run("show", "nope", "--debug").expect(3).err().contains("\tat "));
  }

  @Test
  void errors_withJson_alsoPrintAnErrorDocument() {
    JsonNode err = cli.run("show", "nope", "--json").expect(3).json().get("error");
    assertEquals(3, err.get("exitCode").asInt());
    assertEquals("NoSuchBackupException", err.get("type").asText());
    assertTrue(err.get("message").asText().contains("no such backup: nope"));
  }

  @Test
  void progress_isJsonLinesOnStderrWithJson_plainWhenNotATerminal_andNoneWhenQuiet()
      throws IOException {
    CliRun.Result json = cli.run("backup", source.toString(), "--json").expect(0);
    List<String> lines = json.err().lines().toList();
    assertFalse(lines.isEmpty());
    for (String l : lines) {
      JsonNode n = Json.mapper().readTree(l);
      assertEquals("progress", n.get("event").asText());
      assertEquals("BACKUP", n.get("phase").asText());
    }
    JsonNode last = Json.mapper().readTree(lines.get(lines.size() - 1));
    assertTrue(last.get("done").asBoolean());
    assertEquals(2, last.get("filesDone").asLong());
    assertEquals("", cli.run("backup", source.toString(), "--quiet").expect(0).err());
  }

  @Test
  void durations_acceptShortFormsCombinationsAndIso() {
    assertEquals(java.time.Duration.ofDays(7), Formats.duration("7d"));
    assertEquals(java.time.Duration.ofHours(12), Formats.duration("12h"));
    assertEquals(java.time.Duration.ofMinutes(30), Formats.duration("30m"));
    assertEquals(java.time.Duration.ofHours(36), Formats.duration("1d12h"));
    assertEquals(java.time.Duration.ofDays(14), Formats.duration("2w"));
    assertEquals(java.time.Duration.ofHours(12), Formats.duration("PT12H"));
    for (String bad : List.of("", "7", "d", "7x", "7d 1h", "-1d", "P")) {
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> Formats.duration(bad), bad);
    }
  }
}
