package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code coffer rekey}: the new key from a file, a summary (and {@code --json}), afterwards the old
 * key refused and the new one restoring; no new key, or a format-1 repository, is a usage error.
 */
class RekeyCommandTest {
  @TempDir Path tmp;

  @Test
  void rekey_withANewKeyFile_rewrapsEveryBackup_andOnlyTheNewKeyOpensAfterwards()
      throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src/base"));
    Files.writeString(source.resolve("16384"), "page\n".repeat(1000));
    Path key = tmp.resolve("old.key");
    Path newKey = tmp.resolve("new.key");
    CliRun cli =
        new CliRun().with("COFFER_REPO", "coffer:archive:" + tmp.resolve("repo") + "?format=2");
    cli.run("keygen", key.toString()).expect(0);
    cli.run("keygen", newKey.toString()).expect(0);
    cli.run("backup", tmp.resolve("src").toString(), "--key-file", key.toString()).expect(0);
    cli.run("backup", tmp.resolve("src").toString(), "--key-file", key.toString()).expect(0);
    CliRun.Result text =
        cli.run("rekey", "--key-file", key.toString(), "--new-key-file", newKey.toString())
            .expect(0);
    assertTrue(text.out().contains("Rekeyed 2 of 2 backups (0 already done)"), text.out());
    String secret = Files.readString(newKey).strip();
    assertFalse(text.out().contains(secret) || text.err().contains(secret), "no key shown");
    cli.run("list", "--key-file", key.toString()).expect(CofferCli.INTEGRITY);
    JsonNode listed = cli.run("list", "--key-file", newKey.toString(), "--json").expect(0).json();
    assertEquals(2, listed.get("backups").size(), listed::toString);
    cli.run("restore", "latest", tmp.resolve("out").toString(), "--key-file", newKey.toString())
        .expect(0);
    assertEquals(List.of(), DemoTree.differences(tmp.resolve("src"), tmp.resolve("out")));
    JsonNode again =
        cli.run(
                "rekey",
                "--key-file",
                newKey.toString(),
                "--new-key-file",
                newKey.toString(),
                "--json")
            .expect(0)
            .json();
    assertEquals(2, again.get("skipped").asLong(), again::toString);
    assertEquals(0, again.get("rekeyed").asLong(), again::toString);
  }

  @Test
  void rekey_withoutANewKey_orOnFormat1_isAUsageError() throws IOException {
    Path key = tmp.resolve("k.key");
    CliRun cli = new CliRun();
    cli.run("keygen", key.toString()).expect(0);
    String v2 = "coffer:archive:" + tmp.resolve("v2") + "?format=2";
    cli.run("init", "--repo", v2, "--key-file", key.toString()).expect(0);
    CliRun.Result none = cli.run("rekey", "--repo", v2, "--key-file", key.toString());
    none.expect(CofferCli.USAGE);
    assertTrue(none.err().contains("--new-key-file"), none.err());
    String v1 = "coffer:archive:" + tmp.resolve("v1");
    cli.run("init", "--repo", v1, "--key-file", key.toString()).expect(0);
    CliRun.Result format1 =
        cli.run(
            "rekey", "--repo", v1, "--key-file", key.toString(), "--new-key-file", key.toString());
    format1.expect(CofferCli.USAGE);
    assertTrue(format1.err().contains("REKEY"), format1.err());
  }
}
