package dev.coffer.testkit.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;
import dev.coffer.testkit.KeyForm;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Proves the suite finds broken providers: each deliberately broken variant of the reference
 * provider fails exactly the rules it breaks, and every failure is one of the suite's "Pnn broken"
 * assertions. Three correct variants with other capabilities (none; independent incrementals; POSIX
 * attributes) fail nothing, which exercises the twin tests of absent capabilities and the POSIX
 * rules in full.
 */
class BrokenProvidersTest {

  private static final String KEY = "00112233445566778899aabbccddeeff";

  static Stream<Arguments> brokenProviders() {
    return Stream.of(
        // a verify that reads nothing also reports no per-file progress
        Arguments.of(VerifyAlwaysOkSuite.class, Set.of("P14", "P32")),
        Arguments.of(RestoreSkipsChecksumsSuite.class, Set.of("P17", "P18")),
        Arguments.of(
            PublishesEarlySuite.class,
            Set.of("P10", "P33")), // a failed finisher leaves its backup behind
        Arguments.of(FollowsSymlinksSuite.class, Set.of("P9")),
        Arguments.of(WritesOutsideTargetSuite.class, Set.of("P21")),
        Arguments.of(LeaksSecretSuite.class, Set.of("P4")),
        Arguments.of(LeaksPlantedSecretSuite.class, Set.of("P4")),
        Arguments.of(NoFsyncSuite.class, Set.of("P10")),
        Arguments.of(DropsFinishedFilesSuite.class, Set.of("P33")),
        Arguments.of(MinimalSuite.class, Set.of()),
        Arguments.of(IndependentIncrementalsSuite.class, Set.of()),
        Arguments.of(PosixSuite.class, Set.of()),
        Arguments.of(ModesWrongSuite.class, Set.of("P27", "P28")),
        Arguments.of(OpenWhileRestoringSuite.class, Set.of("P28")),
        Arguments.of(UnregisteredSuite.class, Set.of("P1")));
  }

  static Stream<Arguments> subtlyBroken() {
    return Stream.of(
        Arguments.of(
            ReferenceProvider.Broken.VERIFY_SKIPS_LARGE_FILE_CONTENT, Set.of("P14"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.VERIFY_TRUSTS_EARLIER_RESULT,
            Set.of("P14", "P32"),
            Set.of()), // no progress
        Arguments.of(ReferenceProvider.Broken.VERIFY_MISLABELS_MISSING, Set.of("P14"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.VERIFY_TOUCHES_TIMES, Set.of("P15"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.NORMALIZES_LINK_TEXT, Set.of("P9"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.FIND_CACHES, Set.of("P13"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.REFUSED_OPEN_TOUCHES_REPOSITORY, Set.of("P3"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.OPTION_NAMES_IGNORE_CASE, Set.of("P3"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.PARTIAL_RESTORE_NOT_RECURSIVE, Set.of("P19"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.PARTIAL_RESTORE_LEAVES_STAGING, Set.of("P19"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.WRITES_THROUGH_STAGING_NAME, Set.of("P21"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.LOGS_SECRET, Set.of("P4"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.REPLACE_CREATES_MISSING_PARENT, Set.of("P18"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.MISSING_SOURCE_IS_A_PLAIN_IO_ERROR, Set.of("P8"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.CREATE_REPLACES_A_NON_EMPTY_TARGET, Set.of("P16"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.TIMES_TO_THE_SECOND, Set.of("P20"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.SECOND_CLOSE_THROWS, Set.of("P5"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.IDS_IGNORE_CASE, Set.of("P24"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.CREATED_AT_AN_HOUR_OFF, Set.of("P7"), Set.of()),
        // a failing delete breaks the rules that delete as their operation under test; the rules
        // that delete
        // only to prepare their check (P10, P13) report a set-up failure instead
        Arguments.of(
            ReferenceProvider.Broken.DELETE_FAILS,
            Set.of("P11", "P22", "P23"),
            Set.of("P10", "P13")),
        Arguments.of(
            ReferenceProvider.Broken.NO_ARG_CONSTRUCTOR_GIVES_ANOTHER_NAME, Set.of("P1"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.DESCRIPTION_ENDS_WITH_A_NEWLINE, Set.of("P2"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.OPTION_DESCRIBED_TWICE, Set.of("P2"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.UNKNOWN_BASE_ACCEPTED, Set.of("P12"), Set.of()),
        // the finisher's directory of the base is such a directory too
        Arguments.of(
            ReferenceProvider.Broken.INCREMENTAL_KEEPS_REMOVED_DIRECTORIES,
            Set.of("P12", "P33"),
            Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.FOLLOWED_LINKS_IGNORED_WITHOUT_POSIX, Set.of("P31"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.TEMP_FILE_ON_THE_DEFAULT_FILE_SYSTEM, Set.of("P6"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.RESTORE_LOCK_IN_THE_WORKING_DIRECTORY, Set.of("P6"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.LONG_KEY_TRUNCATED, Set.of("P3"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.KEY_ERROR_ECHOES_IT, Set.of("P4"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.LABEL_VALUES_TRIMMED, Set.of("P7"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.REPLACE_KEEPS_THE_OLD_TARGET_BESIDE_IT,
            Set.of("P21"),
            Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.REFUSED_SOURCE_LEAVES_STAGING, Set.of("P8"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.BUSY_WHILE_ANOTHER_BACKUP_RUNS, Set.of("P11"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.LATEST_SKIPS_INCREMENTALS, Set.of("P13"), Set.of()),
        // the crash test verifies what it lists, then finds the record among the leftovers (P10)
        Arguments.of(
            ReferenceProvider.Broken.VERIFY_RECORDS_ITS_RESULT, Set.of("P10", "P15"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.A_FILE_TARGET_IS_REPLACED, Set.of("P16"), Set.of()),
        // in REPLACE mode the same bug swaps in an incomplete content (P18)
        Arguments.of(
            ReferenceProvider.Broken.CORRUPT_RESTORE_KEEPS_GOOD_FILES,
            Set.of("P17", "P18"),
            Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.TIMES_OF_LARGE_FILES_NOT_SET, Set.of("P20"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.BASE_WITH_DEPENDENTS_DELETED, Set.of("P22"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.PRUNE_RETURNS_NOTHING, Set.of("P23"), Set.of()),
        Arguments.of(
            ReferenceProvider.Broken.STORED_BYTES_OF_UNKNOWN_IS_ZERO, Set.of("P24"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.CHANGES_WHILE_READ_IGNORED, Set.of("P34"), Set.of()),
        Arguments.of(ReferenceProvider.Broken.SAME_SIZE_REWRITE_IGNORED, Set.of("P34"), Set.of()));
  }

  /**
   * A catalogue shared by the instances of one JVM passes every check made inside the JVM: only a
   * second JVM, which needs the real disk, sees it (P5).
   */
  @Test
  void jvmWideCatalogue_failsOnlyTheCheckFromAnotherJvm() {
    SubtleSuite.variant = ReferenceProvider.Broken.JVM_WIDE_CATALOGUE;
    try {
      Outcome o = run(SubtleSuite.class, "UNIX,DISK");
      assertEquals(Set.of("P5"), o.broken, () -> "failed " + o.broken + o.messages);
      assertEquals(Set.of(), o.setUp, () -> "failed to set up " + o.setUp + o.messages);
      assertTrue(
          o.messages.toString().contains("another JVM took"),
          () -> "P5 failed for another reason: " + o.messages);
    } finally {
      SubtleSuite.variant = null;
    }
  }

  /** Variants of rules that only a provider with POSIX_ATTRIBUTES must keep in full. */
  static Stream<Arguments> subtlyBrokenWithPosix() {
    return Stream.of(
        Arguments.of(ReferenceProvider.Broken.CURRENT_OWNERS_TAKEN_AS_AUTO, Set.of("P29")),
        Arguments.of(ReferenceProvider.Broken.PRESERVE_OWNERS_TAKEN_AS_AUTO, Set.of("P29")),
        Arguments.of(ReferenceProvider.Broken.SKIPPED_SPECIAL_FILE_NOT_KEPT, Set.of("P30")),
        Arguments.of(ReferenceProvider.Broken.SPECIAL_FILES_ALWAYS_SKIPPED, Set.of("P30")),
        Arguments.of(
            ReferenceProvider.Broken.FOLLOWED_PATTERNS_WITH_A_SLASH_IGNORED, Set.of("P31")),
        Arguments.of(ReferenceProvider.Broken.DIRECTORY_MODES_NOT_SET, Set.of("P27")));
  }

  /** As {@link #subtleVariant_failsExactlyTheRuleItBreaks}, with POSIX_ATTRIBUTES declared. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("subtlyBrokenWithPosix")
  void subtleVariantWithPosix_failsExactlyTheRuleItBreaks(
      ReferenceProvider.Broken broken, Set<String> expected) {
    SubtleSuite.variant = broken;
    try {
      failsExactly(SubtlePosixSuite.class, expected, Set.of());
    } finally {
      SubtleSuite.variant = null;
    }
  }

  /**
   * Each variant breaks one rule in one narrow case that the suite's older, coarser tests passed.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("subtlyBroken")
  void subtleVariant_failsExactlyTheRuleItBreaks(
      ReferenceProvider.Broken broken, Set<String> expected, Set<String> setUpFailures) {
    SubtleSuite.variant = broken;
    try {
      failsExactly(SubtleSuite.class, expected, setUpFailures);
    } finally {
      SubtleSuite.variant = null;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenProviders")
  void variant_failsExactlyTheRulesItBreaks(Class<?> suite, Set<String> expected) {
    failsExactly(suite, expected, Set.of());
  }

  /**
   * Runs the suite: exactly {@code broken} are reported broken, exactly {@code setUp} fail in their
   * set-up.
   */
  private static void failsExactly(Class<?> suite, Set<String> broken, Set<String> setUp) {
    Outcome o = run(suite, "UNIX");
    assertEquals(
        broken, o.broken, () -> suite.getSimpleName() + " failed " + o.broken + o.messages);
    assertEquals(
        setUp, o.setUp, () -> suite.getSimpleName() + " failed to set up " + o.setUp + o.messages);
  }

  /** The rules a suite reported broken, and those whose set-up failed. */
  private static final class Outcome {
    final Set<String> broken = new TreeSet<>();
    final Set<String> setUp = new TreeSet<>();
    final StringBuilder messages = new StringBuilder();
  }

  private static Outcome run(Class<?> suite, String fileSystems) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .selectors(DiscoverySelectors.selectClass(suite))
            .configurationParameter("coffer.tck.filesystems", fileSystems)
            .execute();
    Outcome o = new Outcome();
    for (Event e : results.testEvents().failed().list()) {
      Throwable t =
          e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
              .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
              .orElseThrow();
      o.messages
          .append("\n--- ")
          .append(e.getTestDescriptor().getDisplayName())
          .append(": ")
          .append(t);
      String message = String.valueOf(t.getMessage());
      assertTrue(
          t instanceof AssertionError && message.matches("(?s)P[0-9]+ (broken|set-up failed): .*"),
          () -> "a failure that is neither a broken-promise assertion nor a set-up failure: " + t);
      String rule = rule(e.getTestDescriptor());
      assertTrue(
          message.startsWith(rule + " "),
          () -> "a failure of a " + rule + " test names another rule: " + message);
      (message.startsWith(rule + " broken") ? o.broken : o.setUp).add(rule);
    }
    assertTrue(results.testEvents().succeeded().count() > 20, "the suite ran too few tests");
    return o;
  }

  private static String rule(TestDescriptor d) {
    TestDescriptor m = d;
    while (m != null
        && !(m.getSource().orElse(null)
            instanceof org.junit.platform.engine.support.descriptor.MethodSource)) {
      m = m.getParent().orElse(null);
    }
    String method =
        ((org.junit.platform.engine.support.descriptor.MethodSource) m.getSource().orElseThrow())
            .getMethodName();
    String prefix = method.substring(0, method.indexOf('_')).toUpperCase(Locale.ROOT);
    return "P" + Integer.parseInt(prefix.substring(1));
  }

  abstract static class KeyedSuite extends BackupProviderConformance {
    @Override
    protected Map<String, String> options() {
      return Map.of(ReferenceProvider.MAC_KEY, KEY);
    }

    @Override
    protected Map<String, KeyForm> keyForms() {
      return ReferenceProviderConformanceTest.KEY_FORMS;
    }
  }

  static class VerifyAlwaysOkSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new VerifyAlwaysOkProvider();
    }
  }

  static class RestoreSkipsChecksumsSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new RestoreSkipsChecksumsProvider();
    }
  }

  static class PublishesEarlySuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new PublishesEarlyProvider();
    }
  }

  static class FollowsSymlinksSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new FollowsSymlinksProvider();
    }
  }

  static class DropsFinishedFilesSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new DropsFinishedFilesProvider();
    }
  }

  static class WritesOutsideTargetSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new WritesOutsideTargetProvider();
    }
  }

  static class LeaksSecretSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new LeaksSecretProvider();
    }
  }

  /** The leaking provider with no secret in options(): the suite plants one itself. */
  static class LeaksPlantedSecretSuite extends BackupProviderConformance {
    @Override
    protected BackupProvider provider() {
      return new LeaksSecretProvider();
    }
  }

  /** Correct, with POSIX_ATTRIBUTES: P27 to P31 are checked in full. */
  static class PosixSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new PosixProvider();
    }
  }

  static class ModesWrongSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new ModesWrongProvider();
    }
  }

  static class OpenWhileRestoringSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new OpenWhileRestoringProvider();
    }
  }

  /**
   * The subtly broken provider, in the variant the running test chose (the engine runs on this
   * thread).
   */
  static class SubtleSuite extends KeyedSuite {
    static volatile ReferenceProvider.Broken variant;

    @Override
    protected BackupProvider provider() {
      return new SubtlyBrokenProvider(variant);
    }

    @Override
    protected Map<String, String> options() {
      return Map.of(ReferenceProvider.MAC_KEY, KEY, SubtlyBrokenProvider.BROKEN, variant.name());
    }
  }

  /** The subtly broken provider with POSIX_ATTRIBUTES, in the variant the running test chose. */
  static class SubtlePosixSuite extends SubtleSuite {
    @Override
    protected BackupProvider provider() {
      return new SubtlyBrokenPosixProvider();
    }
  }

  /** Correct, but registered nowhere: ServiceLoader cannot find it. */
  static class UnregisteredSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new UnregisteredProvider();
    }
  }

  /** Correct, with no capability: every twin test checks a refusal. */
  static class MinimalSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new MinimalProvider();
    }
  }

  /** Correct, with independent incrementals. */
  static class IndependentIncrementalsSuite extends KeyedSuite {
    @Override
    protected BackupProvider provider() {
      return new IndependentIncrementalsProvider();
    }
  }

  /** The correct provider told not to force data to disk: only a crash can tell. */
  static class NoFsyncSuite extends BackupProviderConformance {
    @Override
    protected BackupProvider provider() {
      return new ReferenceProvider();
    }

    @Override
    protected Map<String, String> options() {
      return Map.of(ReferenceProvider.MAC_KEY, KEY, ReferenceProvider.FSYNC, "false");
    }
  }
}
