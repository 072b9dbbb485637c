package dev.coffer.testkit;

import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * The provider conformance suite (TCK): JUnit Jupiter tests of every rule, P1 to P33, of the
 * provider contract ({@code docs/contract.md}). A provider author extends it once:
 *
 * <pre>{@code
 * class MyProviderConformanceTest extends BackupProviderConformance {
 *   @Override protected BackupProvider provider() { return new MyProvider(); }
 *   @Override protected Map<String, String> options() { return Map.of("key", "..."); } // optional
 * }
 * }</pre>
 *
 * <p>Every test is named after the rule it checks ({@code p07_...}) and a failure message starts
 * with the broken promise ({@code P17 broken: ...}), followed by the seed of the generated trees,
 * the file system, and a listing of the repository. Tests taking an {@link Fs} run once on each of
 * Jimfs unix, osX and windows and on the real disk, each on fresh file systems; others put source,
 * repository and target on different file systems. Tests of an optional {@link Capability} run when
 * the provider declares it; when it does not, a twin test checks that the operation is refused with
 * {@link UnsupportedOperationException} and nothing changed.
 *
 * <p>Configuration parameters (or system properties): {@code coffer.tck.filesystems} (a
 * comma-separated subset of {@link Fs}), {@code coffer.tck.seed} (replay a seed from a failure
 * message), {@code coffer.tck.heavy=true} (tens of MiB and thousands of files instead of the fast
 * defaults).
 *
 * <p>The lifecycle methods are {@code final}, so a subclass cannot skip set-up or clean-up by
 * accident. Tests run in rule order. This class is the table of contents: each test states its rule
 * and hands over to the rule group that checks it ({@code ProviderRules} for P1 to P4, ... {@code
 * SourceRules} for P30, P31 and P33), which works in a {@code ConformanceEnvironment} of fresh file
 * systems, trees and repositories.
 */
@ExtendWith(RuleAttribution.class)
@TestMethodOrder(MethodOrderer.MethodName.class)
public abstract class BackupProviderConformance {

  /** The file systems a test runs on, each fresh for every test. */
  public enum Fs {
    /** Jimfs in its unix configuration (case-sensitive, {@code /} separators). */
    UNIX,
    /** Jimfs in its macOS configuration (case-insensitive lookups, NFC/NFD-insensitive names). */
    OSX,
    /**
     * Jimfs in its windows configuration ({@code C:\} roots, backslash separators,
     * case-insensitive).
     */
    WINDOWS,
    /** The default file system, in a fresh temporary directory. */
    DISK
  }

  private ConformanceEnvironment environment;
  private ProviderRules providerRules;
  private BackupRules backupRules;
  private AtomicityRules atomicityRules;
  private HistoryRules historyRules;
  private VerifyRules verifyRules;
  private RestoreRules restoreRules;
  private RestoreScopeRules restoreScopeRules;
  private DeleteRules deleteRules;
  private EncryptionRules encryptionRules;
  private PosixRules posixRules;
  private SourceRules sourceRules;
  private ChangedWhileReadRules changedWhileReadRules;
  private ConcurrencyRules concurrencyRules;
  private StoreRules storeRules;
  private RekeyRules rekeyRules;

  /**
   * Creates a new instance of the provider under test. Called once before each test, and again
   * where a test needs a fresh instance (persistence, concurrency across instances).
   *
   * @return a new provider instance
   */
  protected abstract BackupProvider provider();

  /**
   * The options every repository of the suite is opened with, for example a valid key for a
   * provider that requires one. The suite uses the values of secret options to search for leaks
   * (rule P4).
   *
   * @return the options; empty by default
   */
  protected Map<String, String> options() {
    return Map.of();
  }

  /**
   * The documented form of each secret key option, by option name, so that the suite can check that
   * keys of the wrong length or alphabet are refused at {@code open} without being echoed and
   * without writing anything (P3, P4). The suite cannot guess a key's form; without a declaration
   * those two tests are skipped.
   *
   * <pre>{@code
   * @Override protected Map<String, KeyForm> keyForms() { return Map.of("key", KeyForm.hex(32)); }
   * }</pre>
   *
   * @return the forms; empty by default
   */
  protected Map<String, KeyForm> keyForms() {
    return Map.of();
  }

  /**
   * The object store that holds the repository the suite names by the directory {@code location},
   * or empty (the default) to keep the repository in that directory, opened with {@link
   * BackupProvider#open(Path, Map)}.
   *
   * <p>Override it to run the suite on object stores. Return the URI of a store, its options in the
   * query as {@link dev.coffer.store.ObjectStores#open} takes them, whose objects are the files
   * under {@code location} (object {@code a/b} is the file {@code location/a/b}), so that the rules
   * still see, and damage, the stored bytes as files: the built-in file store ({@code
   * location.toUri()}), or an S3 server on loopback that keeps each object as a file (S3Proxy on
   * jclouds' {@code filesystem} blob store, bucket and prefix taken from the path). The suite then
   * opens every repository with {@code ObjectStores.open(uri, Map.of())} and {@link
   * BackupProvider#open(dev.coffer.store.ObjectStore, Map)}, so the provider declares {@link
   * Capability#OBJECT_STORES}. In such a suite, tests that take an {@link Fs} run on {@link
   * Fs#DISK} only, and a test is skipped, with its reason, where it puts a repository on Jimfs,
   * opens one from another JVM by path, or injects faults into the repository's file system (P10's
   * errors, crashes and full disks: a store's own faults belong to its server's tests).
   *
   * <pre>{@code
   * @Override protected Optional<URI> repositoryStore(Path location) {
   *   return Optional.of(location.toUri()); // the built-in file store
   * }
   * }</pre>
   *
   * @param location the repository's directory, absolute, on the default file system; it may not
   *     exist yet
   * @return the store's URI, or empty for the directory itself
   * @throws IOException if the store cannot be prepared
   */
  protected Optional<URI> repositoryStore(Path location) throws IOException {
    return Optional.empty();
  }

  /** Whether {@code suite} overrides {@link #repositoryStore}: its repositories are in stores. */
  static boolean keepsRepositoriesInStores(Class<?> suite) {
    for (Class<?> c = suite;
        c != null && c != BackupProviderConformance.class;
        c = c.getSuperclass()) {
      try {
        c.getDeclaredMethod("repositoryStore", Path.class);
        return true;
      } catch (NoSuchMethodException e) {
        // not declared here: look further up
      }
    }
    return false;
  }

  /**
   * For a provider with {@link dev.coffer.spi.Capability#RECIPIENTS}: the options of a write-only
   * host and of a reader of one new key pair, whose key files (if any) the test writes into {@code
   * keyDirectory} (a fresh directory on the suite's file system, outside every repository). Rule
   * P35 is skipped without it.
   *
   * @param keyDirectory where key files may be written
   * @return the key pair's options, or null (the default) when the test declares none
   * @throws IOException if a key file cannot be written
   */
  protected RecipientKeys recipientKeys(Path keyDirectory) throws IOException {
    return null;
  }

  /**
   * Prepares a test: creates the provider and chooses the seed. Final so that subclasses cannot
   * skip it.
   *
   * @param info the test being run
   */
  @BeforeEach
  public final void setUpConformance(TestInfo info) {
    String rule =
        RuleAttribution.rule(
            info.getTestMethod().map(java.lang.reflect.Method::getName).orElse(""));
    environment =
        new ConformanceEnvironment(
            this::provider,
            this::options,
            this::keyForms,
            rule,
            info.getDisplayName(),
            keepsRepositoriesInStores(getClass())
                ? this::repositoryStore
                : ConformanceEnvironment.Stores.NONE);
    providerRules = new ProviderRules(environment);
    backupRules = new BackupRules(environment);
    atomicityRules = new AtomicityRules(environment);
    historyRules = new HistoryRules(environment);
    verifyRules = new VerifyRules(environment);
    restoreRules = new RestoreRules(environment);
    restoreScopeRules = new RestoreScopeRules(environment);
    deleteRules = new DeleteRules(environment);
    encryptionRules = new EncryptionRules(environment);
    posixRules = new PosixRules(environment);
    sourceRules = new SourceRules(environment);
    changedWhileReadRules = new ChangedWhileReadRules(environment);
    concurrencyRules = new ConcurrencyRules(environment);
    storeRules = new StoreRules(environment);
    rekeyRules = new RekeyRules(environment);
  }

  /**
   * Closes every repository and file system the test opened and deletes temporary directories.
   * Final so that subclasses cannot skip it.
   *
   * @throws Exception if closing fails
   */
  @AfterEach
  public final void tearDownConformance() throws Exception {
    if (environment != null) {
      environment.close();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P1 to P4: the provider class, its name, options and capabilities, and secrets (ProviderRules)

  /** P1: a public class with a public no-argument constructor, registered for ServiceLoader. */
  @Test
  public void p01_provider_isPublicWithNoArgConstructorAndRegistered() throws Exception {
    providerRules.p01_provider_isPublicWithNoArgConstructorAndRegistered();
  }

  /**
   * P2: name syntax and uniqueness, one-line description, unique option names, stable capabilities.
   */
  @Test
  public void p02_nameDescriptionOptionsAndCapabilities_areWellFormedAndStable() {
    providerRules.p02_nameDescriptionOptionsAndCapabilities_areWellFormedAndStable();
  }

  /**
   * P3: an unknown, missing required or malformed option fails open with IAE naming it; nothing is
   * created.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p03_unknownMissingOrMalformedOption_failsNamingItAndCreatesNothing(Fs fs)
      throws Exception {
    providerRules.p03_unknownMissingOrMalformedOption_failsNamingItAndCreatesNothing(fs);
  }

  /**
   * P3: an option named in other case than declared is unknown; a malformed number is refused
   * whatever its shape; and a refused open of an existing repository changes nothing in it.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p03_caseVariantOptionsAndOddNumbers_areRefused_andARefusedOpenChangesNothing(Fs fs)
      throws Exception {
    providerRules.p03_caseVariantOptionsAndOddNumbers_areRefused_andARefusedOpenChangesNothing(fs);
  }

  /** P4: the values of secret options appear in no message, no toString and no stored file. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p04_secretOptionValues_neverAppearInMessagesToStringsOrStoredFiles(Fs fs)
      throws Exception {
    providerRules.p04_secretOptionValues_neverAppearInMessagesToStringsOrStoredFiles(fs);
  }

  /**
   * P3: a key of the wrong length or alphabet (per {@link #keyForms()}) is refused at open with an
   * {@link IllegalArgumentException}, creating nothing, and changes nothing in an existing
   * repository.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p03_keyOfTheWrongLengthOrAlphabet_isRefusedAtOpen_andWritesNothing(Fs fs)
      throws Exception {
    encryptionRules.p03_keyOfTheWrongLengthOrAlphabet_isRefusedAtOpen_andWritesNothing(fs);
  }

  /** P4: the refusal of a key of the wrong length or alphabet does not echo the key. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p04_aRefusedKeyOfTheWrongLengthOrAlphabet_isNotEchoed(Fs fs) throws Exception {
    encryptionRules.p04_aRefusedKeyOfTheWrongLengthOrAlphabet_isNotEchoed(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P5 to P9: repositories and backups (BackupRules)

  /**
   * P5: open creates an empty repository; a fresh instance sees the same backups; close is
   * idempotent.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p05_reopenedRepository_fromFreshProviderInstance_seesSameBackups(Fs fs)
      throws Exception {
    backupRules.p05_reopenedRepository_fromFreshProviderInstance_seesSameBackups(fs);
  }

  /**
   * P5: on the real disk, a second JVM (started with this one's {@code java.home} and class path)
   * opens the repository while this JVM is writing a backup, lists exactly the complete backups
   * with the same metadata, and takes a backup that this JVM then lists and verifies; this JVM's
   * backup completes. Skipped when no JVM can be started or the provider class cannot be loaded
   * from {@code java.class.path}. Runs for {@link Fs#DISK} only (Jimfs lives in one JVM): skipped
   * on the other file systems.
   *
   * @param fs the file system; only the real disk can be shared with another JVM
   * @throws Exception if the check fails
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p05_anotherJvm_seesTheSameBackups_andBacksUp_whileThisOneIsWriting(Fs fs)
      throws Exception {
    concurrencyRules.p05_anotherJvm_seesTheSameBackups_andBacksUp_whileThisOneIsWriting(fs);
  }

  /** P6: source, repository and target on three different file systems. */
  @Test
  public void p06_sourceRepositoryAndTarget_onThreeDifferentFileSystems() throws Exception {
    backupRules.p06_sourceRepositoryAndTarget_onThreeDifferentFileSystems();
  }

  /**
   * P6: with everything on Jimfs, a backup, a restore and a verify (observed while paused in their
   * progress listeners, and after) create nothing in the default file system's temporary directory
   * ({@code java.io.tmpdir}) or the working directory.
   */
  @Test
  public void p06_onJimfs_nothingIsWrittenToTheDefaultFileSystemsTempOrWorkingDirectory()
      throws Exception {
    backupRules.p06_onJimfs_nothingIsWrittenToTheDefaultFileSystemsTempOrWorkingDirectory();
  }

  /** P7: every file byte for byte and every directory, with correct totals and metadata. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_fullBackup_restoresEveryFileAndDirectoryByteForByte(Fs fs) throws Exception {
    backupRules.p07_fullBackup_restoresEveryFileAndDirectoryByteForByte(fs);
  }

  /** P7: a tree of thousands of small files in many directories round-trips. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_manySmallFiles_roundTrip(Fs fs) throws Exception {
    backupRules.p07_manySmallFiles_roundTrip(fs);
  }

  /** P7: an empty source directory is a valid backup of no files. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_emptySource_isBackedUpAndRestoredAsEmptyDirectory(Fs fs) throws Exception {
    backupRules.p07_emptySource_isBackedUpAndRestoredAsEmptyDirectory(fs);
  }

  /** P7: reads that return one byte at a time change nothing in a round trip. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_shortReadsEverywhere_roundTripByteForByte(Fs fs) throws Exception {
    backupRules.p07_shortReadsEverywhere_roundTripByteForByte(fs);
  }

  /**
   * P8: a missing source or a source that is a file fails with the JDK's exception; nothing
   * changes.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p08_missingSourceOrFileSource_failsAndLeavesRepositoryUnchanged(Fs fs)
      throws Exception {
    backupRules.p08_missingSourceOrFileSource_failsAndLeavesRepositoryUnchanged(fs);
  }

  /** P9 with SYMLINKS: links are stored and restored as links, never followed. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p09_symlinksCapability_linksAreRestoredAsLinksAndNeverFollowed(Fs fs)
      throws Exception {
    backupRules.p09_symlinksCapability_linksAreRestoredAsLinksAndNeverFollowed(fs);
  }

  /**
   * P9 with SYMLINKS: links deep in the tree keep their target text exactly (dot components and
   * all), links to directories are not descended, and absolute and dangling targets survive.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p09_symlinksCapability_deepLinksKeepTheirTargetTextExactly(Fs fs) throws Exception {
    backupRules.p09_symlinksCapability_deepLinksKeepTheirTargetTextExactly(fs);
  }

  /** P9 without SYMLINKS: a backup of a source with a link is refused naming the link. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p09_noSymlinksCapability_backupWithLinkIsRefusedNamingIt(Fs fs) throws Exception {
    backupRules.p09_noSymlinksCapability_backupWithLinkIsRefusedNamingIt(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P10, P11: atomic backups (AtomicityRules) and concurrency (ConcurrencyRules)

  /**
   * P10: while a backup is being written (paused inside its progress listener), another instance on
   * the same location lists only the complete backups, and latest() is still the previous one.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupBeingWritten_isInvisibleToAnotherInstance(Fs fs) throws Exception {
    atomicityRules.p10_backupBeingWritten_isInvisibleToAnotherInstance(fs);
  }

  /**
   * P10: a progress listener that throws at any call aborts the backup; nothing of it is listed or
   * left.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupAbortedAtAnyProgressCall_isNeverListedAndLeavesNothing(Fs fs)
      throws Exception {
    atomicityRules.p10_backupAbortedAtAnyProgressCall_isNeverListedAndLeavesNothing(fs);
  }

  /**
   * P10: a backup failing at any file-system operation is never listed; the repository keeps
   * working.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupFailingAtEveryFileSystemOperation_isNeverListedAndRepositoryKeepsWorking(
      Fs fs) throws Exception {
    atomicityRules
        .p10_backupFailingAtEveryFileSystemOperation_isNeverListedAndRepositoryKeepsWorking(fs);
  }

  /**
   * P10: after a crash at any file-system operation of a backup, only complete backups are listed.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupCrashingAtEveryFileSystemOperation_listsOnlyCompleteBackupsAfterReopen(
      Fs fs) throws Exception {
    atomicityRules.p10_backupCrashingAtEveryFileSystemOperation_listsOnlyCompleteBackupsAfterReopen(
        fs);
  }

  /**
   * P10: after a crash at any file-system operation of a backup, the next open removes what the
   * backup left: once the backups that completed are deleted, the repository holds the same paths
   * as before.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupCrashingAtEveryFileSystemOperation_leavesNoFilesAfterTheNextOpen(Fs fs)
      throws Exception {
    atomicityRules.p10_backupCrashingAtEveryFileSystemOperation_leavesNoFilesAfterTheNextOpen(fs);
  }

  /** P10: a backup that runs out of disk space at any point is never listed. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupOnFullDisk_isNeverListedAndRepositoryKeepsWorking(Fs fs) throws Exception {
    atomicityRules.p10_backupOnFullDisk_isNeverListedAndRepositoryKeepsWorking(fs);
  }

  /**
   * P11: concurrent backups through one instance and through two instances all succeed, distinct
   * ids.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p11_concurrentBackups_throughOneAndTwoInstances_allSucceedWithDistinctIds(Fs fs)
      throws Exception {
    concurrencyRules.p11_concurrentBackups_throughOneAndTwoInstances_allSucceedWithDistinctIds(fs);
  }

  /** P11: deleting one backup while another is restored. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p11_deleteOfOneBackup_whileAnotherIsRestored_bothSucceed(Fs fs) throws Exception {
    concurrencyRules.p11_deleteOfOneBackup_whileAnotherIsRestored_bothSucceed(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P12, P13: incremental backups and listing (HistoryRules)

  /**
   * P12 with INCREMENTAL: an incremental restores the full state, deletions included; base
   * recorded.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p12_incrementalCapability_restoresFullStateIncludingDeletions(Fs fs)
      throws Exception {
    historyRules.p12_incrementalCapability_restoresFullStateIncludingDeletions(fs);
  }

  /** P12 without INCREMENTAL: the request is refused and nothing changes. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p12_noIncrementalCapability_incrementalRequestIsRefused(Fs fs) throws Exception {
    historyRules.p12_noIncrementalCapability_incrementalRequestIsRefused(fs);
  }

  /** P13: list newest first, find and latest agree, size is not negative. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p13_listFindLatestAndSize_agreeWithWhatBackupReturned(Fs fs) throws Exception {
    historyRules.p13_listFindLatestAndSize_agreeWithWhatBackupReturned(fs);
  }

  /**
   * P13: a longer history (full and incremental backups, labels with empty values) lists newest
   * first with latest() the newest even when it is an incremental; find() of a backup another
   * instance deleted is empty; size() of a backup of incompressible data is at least that data's
   * size.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p13_longerHistory_listsNewestFirst_andFindFollowsAnotherInstancesDelete(Fs fs)
      throws Exception {
    historyRules.p13_longerHistory_listsNewestFirst_andFindFollowsAnotherInstancesDelete(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P14, P15 (and P32): verification (VerifyRules)

  /** P14: an intact backup verifies ok. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_intactBackup_verifiesOk(Fs fs) throws Exception {
    verifyRules.p14_intactBackup_verifiesOk(fs);
  }

  /**
   * P14, P15: every flipped byte, truncation, deletion and stray file is reported; verify changes
   * nothing.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_everyCorruptionOfEveryStoredFile_isReportedByVerify(Fs fs) throws Exception {
    verifyRules.p14_everyCorruptionOfEveryStoredFile_isReportedByVerify(fs);
  }

  /**
   * P14: a flipped byte anywhere in a large stored file (its start, thirds, last byte) is reported,
   * also on a backup that verified ok before (a verify that reads part of large files, or trusts an
   * earlier result, fails here); and each problem has the right kind.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_aFlipAnywhereInALargeStoredFile_isReportedAfterAnEarlierOkVerify(Fs fs)
      throws Exception {
    verifyRules.p14_aFlipAnywhereInALargeStoredFile_isReportedAfterAnEarlierOkVerify(fs);
  }

  /**
   * P14: a deleted stored file is MISSING (or METADATA), a stray file UNEXPECTED, a flip CORRUPT
   * (or METADATA).
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_eachProblemIsReportedWithItsKind(Fs fs) throws Exception {
    verifyRules.p14_eachProblemIsReportedWithItsKind(fs);
  }

  /** P15: verify of an intact backup changes nothing. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p15_verify_neverModifiesTheRepository(Fs fs) throws Exception {
    verifyRules.p15_verify_neverModifiesTheRepository(fs);
  }

  /**
   * P15: verify, of an intact or a corrupted backup, changes no last-modified time in the
   * repository.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p15_verify_changesNoTimeInTheRepository(Fs fs) throws Exception {
    verifyRules.p15_verify_changesNoTimeInTheRepository(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P16 to P18: restore targets and failed restores (RestoreRules)

  /**
   * P16: CREATE into a non-empty target fails with DirectoryNotEmptyException and changes nothing.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p16_restoreIntoNonEmptyTarget_failsAndLeavesTargetUnchanged(Fs fs) throws Exception {
    restoreRules.p16_restoreIntoNonEmptyTarget_failsAndLeavesTargetUnchanged(fs);
  }

  /** P16: a target that is an empty regular file is refused, and the file is left as it was. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p16_targetThatIsARegularFile_isRefusedAndLeftAsItWas(Fs fs) throws Exception {
    restoreRules.p16_targetThatIsARegularFile_isRefusedAndLeftAsItWas(fs);
  }

  /** P17: a restore failing at any file-system operation leaves the target as it was. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreFailingAtEveryFileSystemOperation_leavesTargetAsItWas(Fs fs)
      throws Exception {
    restoreRules.p17_restoreFailingAtEveryFileSystemOperation_leavesTargetAsItWas(fs);
  }

  /** P17: a restore that runs out of disk space at any point leaves the target as it was. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreOnFullDisk_leavesTargetAsItWas(Fs fs) throws Exception {
    restoreRules.p17_restoreOnFullDisk_leavesTargetAsItWas(fs);
  }

  /**
   * P17: a restore of a corrupted backup throws CorruptBackupException and leaves the target as it
   * was.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreOfCorruptedBackup_throwsAndLeavesTargetUnchanged(Fs fs) throws Exception {
    restoreRules.p17_restoreOfCorruptedBackup_throwsAndLeavesTargetUnchanged(fs);
  }

  /**
   * P17: a restore aborted at any progress call leaves the target as it was and no staging files.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreAbortedAtAnyProgressCall_leavesTargetAsItWas(Fs fs) throws Exception {
    restoreRules.p17_restoreAbortedAtAnyProgressCall_leavesTargetAsItWas(fs);
  }

  /** P18: REPLACE swaps the content when complete; with a corrupt backup the old content stays. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p18_replaceMode_swapsContentOnlyWhenCompleteAndVerified(Fs fs) throws Exception {
    restoreRules.p18_replaceMode_swapsContentOnlyWhenCompleteAndVerified(fs);
  }

  /**
   * P18: REPLACE works onto a target on another file system than the repository's (Jimfs unix), and
   * into a target whose parent does not exist it fails, creating nothing.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p18_replaceMode_onAnotherFileSystem_andWithAMissingParent(Fs fs) throws Exception {
    restoreRules.p18_replaceMode_onAnotherFileSystem_andWithAMissingParent(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P19 to P21: partial restore, times, containment (RestoreScopeRules)

  /**
   * P19 with PARTIAL_RESTORE: exactly the requested paths with their parents; unknown path fails.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p19_partialRestoreCapability_restoresExactlyTheRequestedPaths(Fs fs)
      throws Exception {
    restoreScopeRules.p19_partialRestoreCapability_restoresExactlyTheRequestedPaths(fs);
  }

  /**
   * P19 with PARTIAL_RESTORE: a nested directory restores with everything below it and its parents
   * only; a request mixing known and unknown paths fails with NoSuchFileException, leaving neither
   * a target nor a staging directory behind.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p19_partialRestoreCapability_nestedDirectoriesAndMixedRequests(Fs fs)
      throws Exception {
    restoreScopeRules.p19_partialRestoreCapability_nestedDirectoriesAndMixedRequests(fs);
  }

  /** P19 without PARTIAL_RESTORE: a partial request is refused. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p19_noPartialRestoreCapability_partialRequestIsRefused(Fs fs) throws Exception {
    restoreScopeRules.p19_noPartialRestoreCapability_partialRequestIsRefused(fs);
  }

  /**
   * P20 with TIMESTAMPS: restored files carry their source last-modified time to the millisecond.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p20_timestampsCapability_restoredFilesCarrySourceModifiedTimes(Fs fs)
      throws Exception {
    restoreScopeRules.p20_timestampsCapability_restoredFilesCarrySourceModifiedTimes(fs);
  }

  /**
   * P21: a restore creates nothing beside its target (other than its own staging, removed
   * afterwards).
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p21_restore_changesNothingOutsideItsTarget(Fs fs) throws Exception {
    restoreScopeRules.p21_restore_changesNothingOutsideItsTarget(fs);
  }

  /**
   * P21: stored items replaced by symbolic links to an outside directory never make restore write
   * there.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p21_symlinksPlantedInRepository_neverMakeRestoreWriteOutsideTarget(Fs fs)
      throws Exception {
    restoreScopeRules.p21_symlinksPlantedInRepository_neverMakeRestoreWriteOutsideTarget(fs);
  }

  /**
   * P21: another process that swaps the restore's staging directory for a link to its own
   * directory, at any file-system operation of a restore, never makes the restore write there: the
   * restore completes correctly or fails with the target as it was.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p21_stagingDirectorySwappedForALinkAtAnyOperation_neverMakesRestoreWriteThere(Fs fs)
      throws Exception {
    restoreRules.p21_stagingDirectorySwappedForALinkAtAnyOperation_neverMakesRestoreWriteThere(fs);
  }

  /** P21: a REPLACE restore never writes through symbolic links found in the old target content. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p21_replaceRestore_neverWritesThroughLinksInOldTarget(Fs fs) throws Exception {
    restoreScopeRules.p21_replaceRestore_neverWritesThroughLinksInOldTarget(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P22 to P24: delete, prune and unknown ids (DeleteRules)

  /** P22: delete removes a backup; the others stay. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p22_delete_removesTheBackupAndKeepsOthersRestorable(Fs fs) throws Exception {
    deleteRules.p22_delete_removesTheBackupAndKeepsOthersRestorable(fs);
  }

  /** P22 with INDEPENDENT_INCREMENTALS: deleting a base leaves its dependents restorable. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p22_independentIncrementals_deletingBaseKeepsDependentsRestorable(Fs fs)
      throws Exception {
    deleteRules.p22_independentIncrementals_deletingBaseKeepsDependentsRestorable(fs);
  }

  /**
   * P22 without INDEPENDENT_INCREMENTALS: deleting a base with dependents is refused, nothing
   * changes.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p22_dependentIncrementals_deletingBaseIsRefusedWithBackupInUse(Fs fs)
      throws Exception {
    deleteRules.p22_dependentIncrementals_deletingBaseIsRefusedWithBackupInUse(fs);
  }

  /**
   * P23: prune deletes exactly what RetentionPolicy.select chooses and keeps the rest restorable.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p23_prune_deletesExactlyWhatThePolicySelects(Fs fs) throws Exception {
    deleteRules.p23_prune_deletesExactlyWhatThePolicySelects(fs);
  }

  /** P24: unknown, malformed and hostile ids throw NoSuchBackupException; find is empty. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p24_unknownMalformedAndHostileIds_throwNoSuchBackup(Fs fs) throws Exception {
    deleteRules.p24_unknownMalformedAndHostileIds_throwNoSuchBackup(fs);
  }

  /**
   * P24: an id in other case than a real one (macOS and Windows look names up case-insensitively),
   * a very long id and a path into a sibling repository are unknown ids: nothing is deleted, read
   * or restored, in this repository or the sibling.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p24_caseVariantsLongIdsAndSiblingRepositoryPaths_areUnknownIds(Fs fs)
      throws Exception {
    deleteRules.p24_caseVariantsLongIdsAndSiblingRepositoryPaths_areUnknownIds(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P25, P26: encryption and compression (EncryptionRules)

  /** P25 with ENCRYPTION: no planted plaintext, in content or names, appears in any stored byte. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p25_encryptionCapability_noPlantedPlaintextInStoredBytes(Fs fs) throws Exception {
    encryptionRules.p25_encryptionCapability_noPlantedPlaintextInStoredBytes(fs);
  }

  /** P25 with ENCRYPTION: a wrong key fails with WrongKeyException before anything is written. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p25_encryptionCapability_wrongKeyFailsBeforeAnythingIsWritten(Fs fs)
      throws Exception {
    encryptionRules.p25_encryptionCapability_wrongKeyFailsBeforeAnythingIsWritten(fs);
  }

  /** P26 with COMPRESSION: compressible data is stored in fewer bytes than its logical size. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p26_compressionCapability_compressibleDataIsStoredSmaller(Fs fs) throws Exception {
    encryptionRules.p26_compressionCapability_compressibleDataIsStoredSmaller(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P27 to P29: modes and owners (PosixRules)

  /**
   * P27 with POSIX_ATTRIBUTES: every file and directory, and the target itself, gets its recorded
   * mode.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p27_posixAttributesCapability_everyEntryAndTheTargetGetTheirRecordedMode(Fs fs)
      throws Exception {
    posixRules.p27_posixAttributesCapability_everyEntryAndTheTargetGetTheirRecordedMode(fs);
  }

  /**
   * P27 without POSIX_ATTRIBUTES: restored entries get the target file system's defaults, nothing
   * else.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p27_noPosixAttributesCapability_restoredEntriesGetTheDefaults(Fs fs)
      throws Exception {
    posixRules.p27_noPosixAttributesCapability_restoredEntriesGetTheDefaults(fs);
  }

  /**
   * P27: a source without POSIX attributes (Jimfs windows) restores onto a POSIX target with its
   * defaults.
   */
  @Test
  public void p27_sourceWithoutPosixAttributes_restoresWithTheTargetsDefaults() throws Exception {
    posixRules.p27_sourceWithoutPosixAttributes_restoresWithTheTargetsDefaults();
  }

  /**
   * P28 with POSIX_ATTRIBUTES: at no moment of a restore does an entry grant group or others more
   * than its recorded mode. Every entry is checked as it is created, after each change of its
   * permissions or owner, and the staging directory before it is moved into place.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p28_posixAttributesCapability_nothingIsEverMoreOpenThanRecorded(Fs fs)
      throws Exception {
    posixRules.p28_posixAttributesCapability_nothingIsEverMoreOpenThanRecorded(fs);
  }

  /**
   * P29 with POSIX_ATTRIBUTES: owners and groups are applied by the policy; CURRENT changes none.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p29_posixAttributesCapability_ownersFollowThePolicy(Fs fs) throws Exception {
    posixRules.p29_posixAttributesCapability_ownersFollowThePolicy(fs);
  }

  /**
   * P29 with POSIX_ATTRIBUTES: when owners may not be changed, AUTO warns once and succeeds;
   * PRESERVE fails.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p29_ownerChangesNotPermitted_autoWarnsOnceAndSucceeds_preserveFailsChangingNothing(
      Fs fs) throws Exception {
    posixRules.p29_ownerChangesNotPermitted_autoWarnsOnceAndSucceeds_preserveFailsChangingNothing(
        fs);
  }

  /**
   * P29 without POSIX_ATTRIBUTES: no owner is recorded, so even PRESERVE restores as the restoring
   * user.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p29_noPosixAttributesCapability_restoredFilesBelongToTheRestoringUser(Fs fs)
      throws Exception {
    posixRules.p29_noPosixAttributesCapability_restoredFilesBelongToTheRestoringUser(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P30, P31, P33: special files, followed links and host hooks (SourceRules)

  /**
   * P30: a socket in the source is skipped and listed in the backup's warnings (required with
   * POSIX_ATTRIBUTES), or the backup is refused naming it; under SpecialFiles.FAIL it is refused.
   * Never skipped silently. Sockets exist only on the real disk.
   */
  @Test
  public void p30_specialFiles_areSkippedAndReportedOrRefused_neverSilently() throws Exception {
    sourceRules.p30_specialFiles_areSkippedAndReportedOrRefused_neverSilently();
  }

  /**
   * P30: a name that is not valid UTF-8 is refused with its bytes in hex (where the disk allows
   * such names).
   */
  @Test
  public void p30_nameThatIsNotUtf8_isRefusedShowingItsBytes() throws Exception {
    sourceRules.p30_nameThatIsNotUtf8_isRefusedShowingItsBytes();
  }

  /**
   * P31: links matching the request's followed-link patterns are stored as their targets' content
   * and restored as real directories (required with POSIX_ATTRIBUTES); a provider that cannot
   * follow them refuses the backup. An unnamed link is never followed.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p31_followedLinks_areStoredAsTheirTargetsOrRefused(Fs fs) throws Exception {
    sourceRules.p31_followedLinks_areStoredAsTheirTargetsOrRefused(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P32: verify progress (VerifyRules)

  /**
   * P32: verify with a listener reports VERIFY progress at least once per file, ending at the
   * report's own counts; a listener that throws at any call aborts the verification and changes
   * nothing.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p32_verifyReportsProgressPerFile_andAThrowingListenerAbortsIt(Fs fs)
      throws Exception {
    verifyRules.p32_verifyReportsProgressPerFile_andAThrowingListenerAbortsIt(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P30, P31, P33: special files, followed links and host hooks (SourceRules)

  /**
   * P33: entries matching the exclusion patterns are left out, unread, subtrees and all; the rest
   * is stored.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_excludedEntries_areLeftOutWithoutBeingRead(Fs fs) throws Exception {
    sourceRules.p33_excludedEntries_areLeftOutWithoutBeingRead(fs);
  }

  /**
   * P33: a host source's finish runs once, after every source file is copied (it rewrites them all,
   * and the backup holds what they were before) and before publication; its files (merged into the
   * source's directories) and labels are in the backup and count in its totals; close follows.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_finish_runsOnceAfterTheCopyBeforePublication_andItsFilesAndLabelsAreInTheBackup(
      Fs fs) throws Exception {
    sourceRules.p33_finish_runsOnceAfterTheCopyBeforePublication_andItsFilesAndLabelsAreInTheBackup(
        fs);
  }

  /**
   * P33: progress goes on through the finisher's files: the last report counts them in done and
   * total.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_finisherFiles_areCountedByProgress(Fs fs) throws Exception {
    sourceRules.p33_finisherFiles_areCountedByProgress(fs);
  }

  /**
   * P33 with INCREMENTAL: an incremental backup holds its own finisher's files, never those its
   * base's finisher added, and restores to exactly the source plus them.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_incrementalCapability_holdsItsOwnFinisherFilesOnly(Fs fs) throws Exception {
    sourceRules.p33_incrementalCapability_holdsItsOwnFinisherFilesOnly(fs);
  }

  /**
   * P33: a finisher that throws, or returns a file or label the backup already has, publishes
   * nothing.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_failingOrCollidingFinisher_failsTheBackupAndPublishesNothing(Fs fs)
      throws Exception {
    sourceRules.p33_failingOrCollidingFinisher_failsTheBackupAndPublishesNothing(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P34: no silent torn files (ChangedWhileReadRules)

  /**
   * P34: a file that grows, shrinks, or is rewritten at the same size (a new modification time)
   * right after the provider's first read of it is reported as {@code CHANGED_WHILE_READ} in a
   * listed backup, or the backup fails and lists nothing; never a plain success.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p34_aFileChangedWhileRead_isReportedOrRefused_neverATornSuccess(Fs fs)
      throws Exception {
    changedWhileReadRules.p34_aFileChangedWhileRead_isReportedOrRefused_neverATornSuccess(fs);
  }

  /** P34: under {@code changed-files=fail}, a file that grew while it was read fails the backup. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p34_changedFilesFail_refusesABackupOfAFileThatGrewWhileRead_andListsNothing(Fs fs)
      throws Exception {
    changedWhileReadRules
        .p34_changedFilesFail_refusesABackupOfAFileThatGrewWhileRead_andListsNothing(fs);
  }

  /**
   * P6 with {@link Capability#OBJECT_STORES}: a repository opens in an object store (the built-in
   * file store), keeps its backups there, and a new instance on the same store lists and restores
   * them; or, where the capability depends on an option, the open is refused with an {@link
   * IllegalArgumentException} naming an option, writing nothing.
   */
  @Test
  public void p06_objectStoresCapability_aRepositoryInAStore_keepsItsBackupsForAnotherInstance()
      throws Exception {
    storeRules.p06_objectStoresCapability_aRepositoryInAStore_keepsItsBackupsForAnotherInstance();
  }

  /**
   * P6 without {@link Capability#OBJECT_STORES}: open in an object store is refused with an {@link
   * IllegalArgumentException} and writes nothing.
   */
  @Test
  public void p06_noObjectStoresCapability_openInAStore_isRefusedAndWritesNothing()
      throws Exception {
    storeRules.p06_noObjectStoresCapability_openInAStore_isRefusedAndWritesNothing();
  }

  /**
   * P34: a file deleted, or replaced by another of the same size and time, as the provider opens it
   * to read it (after the scan) is reported ({@code VANISHED_WHILE_READ} for the deleted one, which
   * the backup leaves out; {@code CHANGED_WHILE_READ} for the replaced one) or the backup fails and
   * lists nothing; never a plain success.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p34_aFileDeletedOrReplacedBetweenScanAndRead_isReportedOrRefused_neverAPlainSuccess(
      Fs fs) throws Exception {
    changedWhileReadRules
        .p34_aFileDeletedOrReplacedBetweenScanAndRead_isReportedOrRefused_neverAPlainSuccess(fs);
  }

  /**
   * P34: a file deleted, or replaced by another of the same size and time, right after the
   * provider's first read of it is reported as changed or vanished, or the backup fails and lists
   * nothing; never a plain success.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p34_aFileDeletedOrReplacedWhileRead_isReportedOrRefused_neverAPlainSuccess(Fs fs)
      throws Exception {
    changedWhileReadRules
        .p34_aFileDeletedOrReplacedWhileRead_isReportedOrRefused_neverAPlainSuccess(fs);
  }

  /**
   * P34: under {@code changed-files=retry}, a file that grew during its first read only is read
   * again and stored as that stable read, without a warning.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void
      p34_changedFilesRetry_readsAFileThatChangedOnceAgain_andStoresTheStableReadWithoutAWarning(
          Fs fs) throws Exception {
    changedWhileReadRules
        .p34_changedFilesRetry_readsAFileThatChangedOnceAgain_andStoresTheStableReadWithoutAWarning(
            fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P35: recipients (RecipientRules)

  /**
   * P35 with RECIPIENTS: a backup written with public keys only is refused to them
   * (WrongKeyException, nothing written) and restores equal with the identity.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p35_recipientsCapability_publicKeysWriteButOnlyTheIdentityReads(Fs fs)
      throws Exception {
    new RecipientRules(environment, this::recipientKeys)
        .p35_recipientsCapability_publicKeysWriteButOnlyTheIdentityReads(fs);
  }

  // ---------------------------------------------------------------------------------------------------
  // P36: key rotation without rewriting data (RekeyRules)

  /**
   * P36 with REKEY (declared by the repository's info()): rekey changes no stored byte of data and
   * writes at most 4 KiB per backup whatever its size; afterwards the old keys fail with
   * WrongKeyException and the new keys restore every backup as it was.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p36_rekeyCapability_changesNoDataByte_andOnlyTheNewKeysOpenAfterwards(Fs fs)
      throws Exception {
    rekeyRules.p36_rekeyCapability_changesNoDataByte_andOnlyTheNewKeysOpenAfterwards(fs);
  }

  /** P36 without REKEY: rekey is refused with UnsupportedOperationException and changes nothing. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p36_withoutRekeyCapability_rekeyIsRefusedAndChangesNothing(Fs fs) throws Exception {
    rekeyRules.p36_withoutRekeyCapability_rekeyIsRefusedAndChangesNothing(fs);
  }
}
