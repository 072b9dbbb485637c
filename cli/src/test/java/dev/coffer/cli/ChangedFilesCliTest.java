package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 through the tool: a file that changes while {@code coffer backup} reads it is printed,
 * kept in the JSON with its kind, and turns the exit code into 4 ("completed with warnings");
 * {@code verify} and {@code restore} repeat it. The fake provider detects changes with the real
 * {@code ReadCheck} and takes the {@code changed-files} option from the repository URL; its test
 * options play the live writer.
 */
class ChangedFilesCliTest {
  @TempDir Path tmp;
  Path source;
  String repo;

  @BeforeEach
  void setUp() throws IOException {
    source = tmp.resolve("source");
    Files.createDirectories(source.resolve("wal"));
    Files.writeString(source.resolve("wal/0001.log"), "first segment\n");
    Files.writeString(source.resolve("data.sst"), "x".repeat(10_000));
    repo = "coffer:fake:" + tmp.resolve("repo");
  }

  private CliRun.Result backup(String query, String... more) {
    String[] args = new String[more.length + 4];
    args[0] = "--repo";
    args[1] = repo + query;
    args[2] = "backup";
    args[3] = source.toString();
    System.arraycopy(more, 0, args, 4, more.length);
    return new CliRun().run(args);
  }

  private CliRun.Result run(String... args) {
    return new CliRun().with("COFFER_REPO", repo).run(args);
  }

  @Test
  void backup_ofASourceNobodyWrites_exitsZeroWithoutWarnings() {
    CliRun.Result r = backup("", "--json").expect(0);
    assertEquals(0, r.json().get("exitCode").asInt());
    assertFalse(r.json().get("backup").has("warnings"), r.out());
    assertFalse(r.err().contains("warning"), r.err());
  }

  @Test
  void backup_ofAFileThatGrowsWhileRead_printsItAndExitsFour_andTheJsonCarriesTheKind() {
    CliRun.Result r = backup("?test-grow=data.sst", "--json").expect(CofferCli.WARNINGS);
    assertTrue(
        r.err()
            .contains(
                "coffer: warning: file changed while read: data.sst (size 10000 -> 10001 bytes while it was read)"),
        r.err());
    JsonNode w = r.json().get("backup").get("warnings").get(0);
    assertEquals("data.sst", w.get("path").asText());
    assertEquals("CHANGED_WHILE_READ", w.get("kind").asText());
    assertEquals("size 10000 -> 10001 bytes while it was read", w.get("detail").asText());
    assertEquals(4, r.json().get("exitCode").asInt());
    assertEquals(
        1,
        run("list", "--json").expect(0).json().get("backups").size(),
        "kept and listed under warn");

    CliRun.Result human = backup("?test-grow=wal/0001.log").expect(4);
    assertTrue(
        human.out().contains("Files changed while read: see the warnings above."), human.out());
  }

  @Test
  void backup_ofAFileDeletedAfterTheScan_leavesItOutAndExitsFour() {
    CliRun.Result r = backup("?test-delete=data.sst", "--json").expect(4);
    JsonNode b = r.json().get("backup");
    assertEquals("VANISHED_WHILE_READ", b.get("warnings").get(0).get("kind").asText());
    assertEquals(1, b.get("totalFiles").asInt(), "only wal/0001.log is stored");
    assertTrue(
        r.err().contains("coffer: warning: file vanished before it was read (left out): data.sst"),
        r.err());
  }

  @Test
  void backup_withChangedFilesRetry_readsTheFileAgain_andExitsZeroWhenTheSecondReadIsClean() {
    CliRun.Result r =
        backup("?test-grow=data.sst&changed-files=retry&changed-retries=2", "--json").expect(0);
    assertFalse(r.json().get("backup").has("warnings"), r.out());
    assertEquals(
        10_001 + 14, r.json().get("backup").get("totalBytes").asLong(), "the second read, whole");
  }

  @Test
  void backup_withChangedFilesFail_failsNamingTheFile_andListsNothing() {
    CliRun.Result r = backup("?test-grow=data.sst&changed-files=fail").expect(CofferCli.FAILURE);
    assertTrue(r.err().contains("file changed while read: data.sst"), r.err());
    assertTrue(r.err().contains("changed-files=fail"), r.err());
    assertEquals(0, run("list", "--json").expect(0).json().get("backups").size());
  }

  @Test
  void backup_withAnUnknownChangedFilesValue_isAUsageError() {
    CliRun.Result r = backup("?changed-files=sometimes").expect(CofferCli.USAGE);
    assertTrue(r.err().contains("expected warn, retry or fail"), r.err());
  }

  @Test
  void verifyAndRestore_sayWhichFilesWereRecordedAsChangedWhileRead() {
    String id =
        backup("?test-grow=data.sst", "--json")
            .expect(4)
            .json()
            .get("backup")
            .get("backupId")
            .asText();
    String clean = backup("", "--json").expect(0).json().get("backup").get("backupId").asText();

    CliRun.Result v = run("verify", id).expect(0);
    assertTrue(v.out().contains("ok     " + id), v.out());
    assertTrue(
        v.out()
            .contains(
                "  recorded when taken: file changed while read: data.sst (size 10000 -> 10001"),
        v.out());
    JsonNode report = run("verify", id, "--json").expect(0).json().get("reports").get(0);
    assertEquals("CHANGED_WHILE_READ", report.get("changedWhileRead").get(0).get("kind").asText());
    JsonNode all = run("verify", "--all", "--json").expect(0).json();
    int marked = 0;
    for (JsonNode r : all.get("reports")) {
      marked += r.has("changedWhileRead") ? 1 : 0;
      assertEquals(r.get("backupId").asText().equals(id), r.has("changedWhileRead"), r.toString());
    }
    assertEquals(1, marked);
    assertFalse(run("verify", clean).expect(0).out().contains("recorded when taken"));

    CliRun.Result restored = run("restore", id, tmp.resolve("restored").toString()).expect(0);
    assertTrue(
        restored
            .err()
            .contains(
                "coffer: warning: backup "
                    + id
                    + " recorded when taken: file changed while read: data.sst"),
        restored.err());
    CliRun.Result cleanRestore =
        run("restore", clean, tmp.resolve("restored-clean").toString()).expect(0);
    assertFalse(cleanRestore.err().contains("recorded when taken"), cleanRestore.err());
  }
}
