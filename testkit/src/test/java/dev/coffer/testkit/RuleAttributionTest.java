package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RuleAttributionTest {

  @Test
  void rule_isReadFromTheTestMethodsName() {
    assertEquals(
        "P19",
        RuleAttribution.rule("p19_partialRestoreCapability_nestedDirectoriesAndMixedRequests"));
    assertEquals(
        "P3",
        RuleAttribution.rule("p03_unknownMissingOrMalformedOption_failsNamingItAndCreatesNothing"));
    assertEquals("P?", RuleAttribution.rule("setUpConformance"));
    assertEquals("P?", RuleAttribution.rule("px_notARule"));
  }
}
