package dev.coffer.testkit;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.spi.BackupProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The assertions of the conformance suite: each failure is a broken promise ({@code "P17 broken:
 * ..."}) or, when only the preparation of a rule's check failed, a set-up failure ({@code "P10
 * set-up failed: ..."}), followed by the provider, the step, the seed that replays the test and a
 * listing of the repository. The base of {@link ConformanceEnvironment}; one per test, shared by
 * the rule groups through the copy constructor.
 */
class ConformanceAssertions {

  final BackupProvider provider;

  /** The rule of the test ({@code P10}), for set-up failures. */
  final String rule;

  final long seed;
  private final Shown shown;

  /**
   * What a failure message shows besides the rule: the test, its step, and the repository to list.
   */
  private static final class Shown {
    String where;
    Path repository;
  }

  ConformanceAssertions(BackupProvider provider, String rule, long seed, String where) {
    this.provider = provider;
    this.rule = rule;
    this.seed = seed;
    this.shown = new Shown();
    shown.where = where;
  }

  /** The same assertions (same provider, rule, seed and messages). */
  ConformanceAssertions(ConformanceAssertions other) {
    this.provider = other.provider;
    this.rule = other.rule;
    this.seed = other.seed;
    this.shown = other.shown;
  }

  /** Names the step a failure happens in (the file system, the injected fault). */
  final void where(String where) {
    shown.where = where;
  }

  /** Lists {@code location} in failure messages from now on. */
  final void showRepository(Path location) {
    shown.repository = location;
  }

  /** A step that returns a value and may throw anything. */
  @FunctionalInterface
  interface Step<T> {
    T run() throws Exception;
  }

  /**
   * A failed step of a rule's set-up: the rule was not checked. Reported as {@code "P10 set-up
   * failed: ..."}, so that a broken operation used to prepare another rule's check (a delete, a
   * backup) shows up as a broken promise only under its own rule.
   */
  static final class SetUpFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    SetUpFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Runs {@code step}, which only prepares the rule's check (a backup to corrupt, a delete that
   * counts operations): an exception there is a {@link SetUpFailure}, not a broken rule. Assertions
   * pass through.
   */
  final <T> T setUp(String what, Step<T> step) {
    try {
      return step.run();
    } catch (AssertionError e) {
      throw e;
    } catch (Throwable t) {
      throw new SetUpFailure(
          rule
              + " set-up failed: "
              + what
              + " threw "
              + t
              + "; "
              + rule
              + " was not checked (the"
              + " rule of that operation reports it broken)"
              + context(),
          t);
    }
  }

  /** As {@link #setUp(String, Step)} for a step without a value. */
  final void setUpStep(String what, Action step) {
    setUp(
        what,
        () -> {
          step.run();
          return null;
        });
  }

  /** An action that may throw anything. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  /**
   * Runs {@code action}, which must throw a BackupException naming {@code named} and change nothing
   * in {@code dir}.
   */
  void refusedNaming(String rule, String what, String named, Path dir, Action action)
      throws IOException {
    Snapshot before = Snapshot.of(dir);
    BackupException e = expect(BackupException.class, rule, what, action);
    check(
        String.valueOf(e.getMessage()).contains(named),
        rule,
        () -> "the refusal does not name " + named + ": " + e.getMessage());
    unchanged(rule, "a refused backup", before, dir);
  }

  <T extends Throwable> T expect(Class<T> type, String rule, String what, Action action) {
    try {
      action.run();
    } catch (Throwable t) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      throw broken(rule, what + " threw " + t + "; expected " + type.getSimpleName(), t);
    }
    throw broken(rule, what + " did not throw; expected " + type.getSimpleName());
  }

  void check(boolean ok, String rule, Supplier<String> what) {
    if (!ok) {
      throw broken(rule, what.get());
    }
  }

  /** Fails unless the last of a backup's progress reports is its totals, done and to do. */
  void lastReportIsTheTotals(
      String rule, String what, java.util.List<dev.coffer.Progress> reports, BackupMetadata b) {
    check(!reports.isEmpty(), rule, () -> what + ": no progress report");
    dev.coffer.Progress last = reports.get(reports.size() - 1);
    check(
        last.filesDone() == b.totalFiles()
            && last.filesTotal() == b.totalFiles()
            && last.bytesDone() == b.totalBytes()
            && last.bytesTotal() == b.totalBytes(),
        rule,
        () ->
            what
                + ": the last progress report is "
                + last
                + " for a backup of "
                + b.totalFiles()
                + " files, "
                + b.totalBytes()
                + " bytes");
  }

  void sameTree(String rule, String what, Snapshot expected, Path actual) throws IOException {
    Snapshot a = Snapshot.of(actual);
    if (!expected.sameAs(a)) {
      throw broken(rule, what + " differs from the source:" + expected.differences(a));
    }
  }

  void unchanged(String rule, String what, Snapshot before, Path dir) throws IOException {
    Snapshot after = Snapshot.of(dir);
    if (!before.sameAs(after)) {
      throw broken(rule, what + " changed " + dir + ":" + before.differences(after));
    }
  }

  AssertionError broken(String rule, String what) {
    return broken(rule, what, null);
  }

  AssertionError broken(String rule, String what, Throwable cause) {
    return new AssertionError(rule + " broken: " + what + context(), cause);
  }

  /** The provider, the step, the seed that replays the test and a listing of the repository. */
  private String context() {
    return "\n  [provider "
        + provider.name()
        + ", "
        + shown.where
        + ", seed "
        + seed
        + " (replay with -Dcoffer.tck.seed="
        + seed
        + ")]\n  repository "
        + shown.repository
        + ":\n"
        + Snapshot.render(shown.repository);
  }
}
