package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConformanceMainTest {

  private static String run(int expectedStatus, String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = ConformanceMain.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(expectedStatus, status, out);
    return out;
  }

  @Test
  void run_brokenProvider_reportsTheBrokenRuleAndExitsWithOne() {
    withProperties(
        Map.of("coffer.tck.tck-broken-leaks-secret.mac-key", "00112233445566778899aabbccddeeff"),
        () -> {
          String out = run(1, "--filesystems", "UNIX", "tck-broken-leaks-secret");
          assertTrue(out.contains("P4  FAIL"), out);
          assertTrue(out.contains("P7  PASS"), out);
          assertTrue(out.contains("P25 N/A"), out);
          assertTrue(out.contains("P33 PASS"), out);
          assertTrue(out.contains("Provider tck-broken-leaks-secret: FAIL"), out);
          String failLine =
              out.lines().filter(l -> l.contains("P4  FAIL")).findFirst().orElseThrow();
          assertTrue(
              failLine.matches(".*-Dcoffer\\.tck\\.seed=-?[0-9]+.*"),
              "the FAIL line drops the seed: " + failLine);
        });
  }

  @Test
  void run_providerWhoseDeleteFails_reportsTheRulesThatDeleteOnlyToPrepareAsSetUpFailures() {
    withProperties(
        Map.of(
            "coffer.tck.tck-subtly-broken.mac-key",
            "00112233445566778899aabbccddeeff",
            "coffer.tck.tck-subtly-broken.broken",
            "DELETE_FAILS"),
        () -> {
          String out = run(1, "--filesystems", "UNIX", "tck-subtly-broken");
          assertTrue(out.contains("P22 FAIL"), out);
          assertTrue(out.contains("P10 SET-UP FAILED"), out);
          assertTrue(out.contains("P13 SET-UP FAILED"), out);
          assertTrue(out.contains("P7  PASS"), out);
          String setUp =
              out.lines().filter(l -> l.contains("P10 SET-UP FAILED")).findFirst().orElseThrow();
          assertTrue(
              setUp.contains("P10 set-up failed: ")
                  && setUp.matches(".*-Dcoffer\\.tck\\.seed=-?[0-9]+.*"),
              setUp);
        });
  }

  /** Runs {@code body} with the system properties set, and clears them after. */
  private static void withProperties(Map<String, String> properties, Runnable body) {
    properties.forEach(System::setProperty);
    try {
      body.run();
    } finally {
      properties.keySet().forEach(System::clearProperty);
    }
  }

  @Test
  void run_unknownProviderName_exitsWithTwo() {
    String out = run(2, "no-such-provider");
    assertTrue(out.contains("no-such-provider"), out);
  }

  @Test
  void run_unknownFlag_printsUsageAndExitsWithTwo() {
    assertTrue(run(2, "--bogus").contains("usage"));
  }
}
