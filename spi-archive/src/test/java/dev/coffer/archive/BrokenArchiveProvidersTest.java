package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;
import dev.coffer.testkit.KeyForm;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Proves the suite finds subtle bugs of encryption (P25), compression (P26) and rekey (P36), which
 * the testkit's reference provider cannot have: each variant of {@link BrokenArchiveProvider} fails
 * exactly the rule it breaks, on the Jimfs unix file system, and every failure is a "Pnn broken"
 * assertion.
 */
class BrokenArchiveProvidersTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(BrokenArchiveProvider.Broken.class)
  void eachVariant_failsExactlyTheRuleItBreaks(BrokenArchiveProvider.Broken broken) {
    String expected = broken.rule;
    Suite.variant = broken;
    try {
      Set<String> failed = new TreeSet<>();
      StringBuilder messages = new StringBuilder();
      EngineExecutionResults results =
          EngineTestKit.engine("junit-jupiter")
              .selectors(DiscoverySelectors.selectClass(Suite.class))
              .configurationParameter("coffer.tck.filesystems", "UNIX")
              .execute();
      for (Event e : results.testEvents().failed().list()) {
        Throwable t =
            e.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable)
                .orElseThrow();
        messages.append("\n--- ").append(e.getTestDescriptor().getDisplayName()).append(": ");
        messages.append(t);
        String rule = rule(e.getTestDescriptor());
        assertTrue(
            t instanceof AssertionError
                && String.valueOf(t.getMessage()).startsWith(rule + " broken: "),
            () -> "a failure that is not a '" + rule + " broken' assertion: " + t);
        failed.add(rule);
      }
      assertTrue(results.testEvents().succeeded().count() > 20, "the suite ran too few tests");
      assertEquals(Set.of(expected), failed, () -> broken + " failed " + failed + messages);
    } finally {
      Suite.variant = null;
    }
  }

  /** The rule of a TCK test, from its method name ({@code p25_...} is P25). */
  private static String rule(TestDescriptor d) {
    TestDescriptor m = d;
    while (!(m.getSource().orElse(null) instanceof MethodSource)) {
      m = m.getParent().orElseThrow();
    }
    String method = ((MethodSource) m.getSource().orElseThrow()).getMethodName();
    return "P"
        + Integer.parseInt(method.substring(1, method.indexOf('_')).toLowerCase(Locale.ROOT));
  }

  /** The TCK run against the variant the running test chose (the engine runs on this thread). */
  static class Suite extends BackupProviderConformance {
    static volatile BrokenArchiveProvider.Broken variant;

    @Override
    protected BackupProvider provider() {
      return new BrokenArchiveProvider();
    }

    @Override
    protected Map<String, String> options() {
      return Map.of(
          "key", TestSupport.KEY_HEX, "threads", "2", BrokenArchiveProvider.BROKEN, variant.name());
    }

    @Override
    protected Map<String, KeyForm> keyForms() {
      return Map.of("key", KeyForm.hex(32));
    }

    @Override
    protected dev.coffer.testkit.RecipientKeys recipientKeys(java.nio.file.Path dir)
        throws java.io.IOException {
      return WriteOnlyHost.recipientKeys(
          dir, Map.of("threads", "2", BrokenArchiveProvider.BROKEN, variant.name()));
    }
  }
}
