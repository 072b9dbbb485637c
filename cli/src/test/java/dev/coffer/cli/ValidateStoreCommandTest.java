package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateStoreCommandTest {

  @TempDir Path dir;

  @Test
  void validateStore_onADirectory_passesEveryRule_andLeavesNothingBehind() throws IOException {
    CliRun.Result r = new CliRun().run("validate-store", dir.toString()).expect(CofferCli.OK);

    for (int i = 1; i <= 12; i++) {
      assertTrue(r.out().contains(String.format("%-4sok", "S" + i)), r.out());
    }
    for (int i = 1; i <= 4; i++) { // the access patterns of archive format 2
      assertTrue(r.out().contains(String.format("%-4sok", "F" + i)), r.out());
    }
    assertTrue(r.out().contains("All 16 rules hold."), r.out());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(0, left.count(), "the prefix it created is removed");
    }
  }

  @Test
  void validateStore_onAStoreThatNeverDeletes_namesTheRulesItBreaks_andExits1() {
    CliRun.Result r =
        new CliRun()
            .run("validate-store", "forgetful://" + dir.toUri().getPath(), "--rule", "S5,S8,S10")
            .expect(CofferCli.INTEGRITY);

    assertTrue(r.out().contains("S5  ok"), r.out());
    assertTrue(r.out().contains("S8  FAILED") && r.out().contains("S8 broken: "), r.out());
    assertTrue(r.out().contains("S10 FAILED") && r.out().contains("S10 broken: "), r.out());
    assertTrue(r.out().contains("2 of 3 rules failed."), r.out());
    assertTrue(r.out().contains("Warning: objects remain under coffer-validate-"), r.out());
  }

  @Test
  void validateStore_json_listsEveryRuleWithItsOutcome() {
    CliRun.Result r =
        new CliRun()
            .run(
                "--json",
                "validate-store",
                "forgetful://" + dir.toUri().getPath(),
                "--rule",
                "S7,S10")
            .expect(CofferCli.INTEGRITY);

    JsonNode doc = r.json();
    assertFalse(doc.get("ok").asBoolean());
    assertEquals("S7", doc.get("rules").get(0).get("rule").asText());
    assertTrue(doc.get("rules").get(0).get("ok").asBoolean());
    assertFalse(doc.get("rules").get(1).get("ok").asBoolean());
    assertTrue(doc.get("rules").get(1).get("failure").asText().startsWith("S10 broken: "));
  }

  @Test
  void validateStore_withAnUnknownRuleOrScheme_isAUsageError() {
    CliRun.Result rule =
        new CliRun().run("validate-store", dir.toString(), "--rule", "S99").expect(CofferCli.USAGE);
    assertTrue(rule.err().contains("unknown rule 'S99'"), rule.err());

    CliRun.Result scheme =
        new CliRun().run("validate-store", "nosuch://bucket/x").expect(CofferCli.USAGE);
    assertTrue(scheme.err().contains("no store provider serves scheme 'nosuch'"), scheme.err());
  }

  @Test
  void validateStore_refusesAnUnknownOption() {
    CliRun.Result r =
        new CliRun()
            .run("validate-store", dir.toString(), "-o", "nonsense=1")
            .expect(CofferCli.USAGE);
    assertTrue(r.err().contains("unknown option 'nonsense'"), r.err());
  }
}
