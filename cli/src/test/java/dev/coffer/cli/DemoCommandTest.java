package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void demo_passesEveryCheck_andRemovesItsDirectory() {
    Path dir = tmp.resolve("demo");
    CliRun.Result r =
        new CliRun().run("demo", "--providers", "fake", "--dir", dir.toString()).expect(0);
    assertTrue(r.out().contains(" 1. Generate a database-like directory"), r.out());
    assertTrue(
        r.out().contains("[fake] Flip one byte in a copy of the repository and verify again"),
        r.out());
    assertTrue(r.out().contains("verify caught it"), r.out());
    assertTrue(r.out().contains("restored tree equals the source"), r.out());
    assertTrue(r.out().contains("\u2713 All 10 checks passed."), r.out());
    assertFalse(r.out().contains("FAILED"), r.out());
    assertFalse(Files.exists(dir));
  }

  @Test
  void demo_withJsonAndKeep_reportsEveryStep_andKeepsTheDirectory() throws IOException {
    Path dir = tmp.resolve("kept");
    JsonNode doc =
        new CliRun()
            .run("demo", "--providers", "fake,fake", "--dir", dir.toString(), "--keep", "--json")
            .expect(0)
            .json();
    assertTrue(doc.get("ok").asBoolean());
    assertEquals(0, doc.get("failed").asInt());
    assertEquals(10, doc.get("checks").asInt()); // a provider named twice is demonstrated once
    assertEquals(doc.get("checks").asInt(), doc.get("steps").size());
    doc.get("steps").forEach(s -> assertTrue(s.get("ok").asBoolean(), s.toString()));
    assertTrue(Files.isDirectory(dir.resolve("restored-fake-incremental")));
    assertEquals(
        java.util.List.of(),
        DemoTree.differences(dir.resolve("source"), dir.resolve("restored-fake-incremental")));
  }

  @Test
  void demo_failsWithExit1_whenVerifyMissesTheFlippedByte() {
    CliRun.Result r =
        new CliRun()
            .run("demo", "--providers", "blind", "--dir", tmp.resolve("d").toString())
            .expect(1);
    assertTrue(r.out().contains("\u2717 FAILED: flipped byte"), r.out());
    assertTrue(r.out().contains("but verify reported both backups intact"), r.out());
  }

  @Test
  void demo_failsWithExit1_whenAProviderIsMissing() {
    CliRun.Result r =
        new CliRun()
            .run("demo", "--providers", "fake,nosuch", "--dir", tmp.resolve("d").toString())
            .expect(1);
    assertTrue(r.out().contains("no backup provider named 'nosuch'"), r.out());
    assertTrue(r.out().contains("[fake] Restore the incremental backup"), r.out());
  }

  @Test
  void demo_refusesANonEmptyDirectory() throws IOException {
    Files.writeString(tmp.resolve("mine.txt"), "x");
    new CliRun().run("demo", "--providers", "fake", "--dir", tmp.toString()).expect(2);
    assertTrue(Files.exists(tmp.resolve("mine.txt")));
  }

  @Test
  void demoTree_differences_findsMissingExtraAndChangedEntries() throws IOException {
    Path a = tmp.resolve("a");
    DemoTree.generate(a, 1);
    Path b = tmp.resolve("b");
    DemoTree.copy(a, b);
    assertEquals(java.util.List.of(), DemoTree.differences(a, b));
    DemoTree.flipMiddleByte(b.resolve("sst/000009.sst"));
    Files.delete(b.resolve("LOCK"));
    Files.createDirectories(b.resolve("extra"));
    assertEquals(
        java.util.List.of(
            "missing LOCK",
            "unexpected extra/",
            "content differs at byte "
                + Files.size(a.resolve("sst/000009.sst")) / 2
                + " of sst/000009.sst"),
        DemoTree.differences(a, b));
  }
}
