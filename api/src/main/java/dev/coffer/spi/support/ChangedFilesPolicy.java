package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.BackupWarning;
import dev.coffer.spi.OptionInfo;
import java.util.List;
import java.util.Locale;

/**
 * What a provider does with a file that changed or vanished while it was read (a {@link ReadCheck}
 * that found a change): the value of the provider options {@code changed-files} and {@code
 * changed-retries}, declared once here for every provider ({@link #options()}) and read with {@link
 * #of(ProviderOptions)}.
 *
 * <pre>{@code
 * public List<OptionInfo> options() {                  // the provider's own options, plus these two
 *   return Stream.concat(Stream.of(FSYNC), ChangedFilesPolicy.options().stream()).toList();
 * }
 * ChangedFilesPolicy changed = ChangedFilesPolicy.of(options);   // in open(), after ProviderOptions.parse
 *
 * for (int reads = 1; ; reads++) {                      // per source file, in the backup
 *   Optional<BackupWarning> change = readChecked(file, entry, reads);  // ReadCheck.before, or reread after 1
 *   if (change.isEmpty()) break;                        // stored as read: one stable version
 *   if (!changed.readAgain(change.get(), reads)) {      // throws under FAIL: the backup fails, nothing listed
 *     warnings.add(change.get());                       // recorded in BackupMetadata.warnings()
 *     break;
 *   }                                                   // RETRY: drop what was stored of this read, read again
 * }
 * }</pre>
 *
 * <p>A vanished file is never read again (there is nothing to read): under {@code warn} and {@code
 * retry} it is left out and recorded, under {@code fail} it fails the backup. Every change kept as
 * a warning is logged when it happens, one {@code WARNING} line on the logger {@code
 * dev.coffer.backup} naming the file (see docs/observability.md), and each read again one {@code
 * INFO} line.
 *
 * @param action what a change means
 * @param retries how many times {@link Action#RETRY} reads a changed file again before it keeps the
 *     last read with a warning; at least 1
 */
public record ChangedFilesPolicy(Action action, int retries) {

  /** What a file that changed while it was read means. */
  public enum Action {
    /** Keep the backup, store the file as read and record a warning (the default). */
    WARN,
    /**
     * Read the file again, up to {@link ChangedFilesPolicy#retries()} times, then as {@link #WARN}.
     */
    RETRY,
    /** Fail the backup: it is never listed (rule P10). */
    FAIL
  }

  /**
   * The option naming the {@link Action}: {@code warn} (default), {@code retry} or {@code fail}.
   */
  public static final OptionInfo CHANGED_FILES =
      OptionInfo.optional(
          "changed-files",
          "a file that changes while it is read: warn (keep the backup, record the file), retry (read it again up to"
              + " changed-retries times, then warn) or fail (the backup fails)",
          "warn");

  /** The option giving {@link #retries()} for {@code changed-files=retry}: 1 to 100, default 3. */
  public static final OptionInfo CHANGED_RETRIES =
      OptionInfo.integer(
          "changed-retries",
          "how many times changed-files=retry reads a changed file again before it warns",
          3,
          1,
          100);

  /** Warn about every change, as a provider does without the options. */
  public static final ChangedFilesPolicy DEFAULT = new ChangedFilesPolicy(Action.WARN, 3);

  private static final System.Logger LOG = System.getLogger("dev.coffer.backup");

  /**
   * Validates the components.
   *
   * @param action as described on the record
   * @param retries as described on the record
   * @throws NullPointerException if the action is null
   * @throws IllegalArgumentException if retries is below 1 or above 100
   */
  public ChangedFilesPolicy {
    requireNonNull(action, "action");
    if (retries < CHANGED_RETRIES.min() || retries > CHANGED_RETRIES.max()) {
      throw new IllegalArgumentException("retries must be from 1 to 100: " + retries);
    }
  }

  /**
   * The two options every provider adds to its {@code options()}.
   *
   * @return {@link #CHANGED_FILES} and {@link #CHANGED_RETRIES}
   */
  public static List<OptionInfo> options() {
    return List.of(CHANGED_FILES, CHANGED_RETRIES);
  }

  /**
   * Reads the policy from parsed options that declare {@link #options()}.
   *
   * @param options the provider's parsed options
   * @return the policy
   * @throws IllegalArgumentException if {@code changed-files} is not {@code warn}, {@code retry} or
   *     {@code fail} (in any case), or the options do not declare the two options
   */
  public static ChangedFilesPolicy of(ProviderOptions options) {
    requireNonNull(options, "options");
    String value = options.get(CHANGED_FILES.name()).orElse("warn").trim().toUpperCase(Locale.ROOT);
    Action action;
    try {
      action = Action.valueOf(value);
    } catch (IllegalArgumentException e) {
      throw options.invalid(CHANGED_FILES.name(), "expected warn, retry or fail");
    }
    return new ChangedFilesPolicy(action, Math.toIntExact(options.getLong(CHANGED_RETRIES.name())));
  }

  /**
   * Decides what to do after the {@code reads}-th read of a file found {@code change}.
   *
   * @param change what the {@link ReadCheck} found
   * @param reads how many times the file has been read so far, 1 after the first read
   * @return true to read the file again ({@link Action#RETRY} with retries left, and the file still
   *     exists); false to keep {@code change} as a warning of the backup (logged here)
   * @throws BackupException under {@link Action#FAIL}, naming the file and what changed
   * @throws IllegalArgumentException if {@code change} is not a {@linkplain
   *     BackupWarning#changedWhileRead() change} or {@code reads} is below 1
   */
  public boolean readAgain(BackupWarning change, int reads) throws BackupException {
    requireNonNull(change, "change");
    if (!change.changedWhileRead() || reads < 1) {
      throw new IllegalArgumentException(
          "not a change after a read: " + change + ", reads " + reads);
    }
    if (action == Action.FAIL) {
      throw new BackupException(change + "; the backup fails (changed-files=fail)");
    }
    if (action == Action.RETRY
        && reads <= retries
        && change.kind() == BackupWarning.Kind.CHANGED_WHILE_READ) {
      LOG.log(
          System.Logger.Level.INFO, "{0}; reading it again ({1} of {2})", change, reads, retries);
      return true;
    }
    LOG.log(System.Logger.Level.WARNING, "{0}; recorded as a warning of the backup", change);
    return false;
  }
}
