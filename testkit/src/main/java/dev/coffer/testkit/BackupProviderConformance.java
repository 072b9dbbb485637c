package dev.coffer.testkit;

import dev.coffer.BackupId;
import static java.util.Objects.requireNonNull;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupException;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupSource;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.OwnerPolicy;
import dev.coffer.Progress;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.SourceEnd;
import dev.coffer.SpecialFiles;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * The provider conformance suite (TCK): JUnit Jupiter tests of every rule, P1 to P33, of the provider
 * contract ({@code docs/contract.md}). A provider author extends it once:
 *
 * <pre>{@code
 * class MyProviderConformanceTest extends BackupProviderConformance {
 *   @Override protected BackupProvider provider() { return new MyProvider(); }
 *   @Override protected Map<String, String> options() { return Map.of("key", "..."); } // optional
 * }
 * }</pre>
 *
 * <p>Every test is named after the rule it checks ({@code p07_...}) and a failure message starts with the
 * broken promise ({@code P17 broken: ...}), followed by the seed of the generated trees, the file system,
 * and a listing of the repository. Tests taking an {@link Fs} run once on each of Jimfs unix, osX and
 * windows and on the real disk, each on fresh file systems; others put source, repository and target on
 * different file systems. Tests of an optional {@link Capability} run when the provider declares it; when
 * it does not, a twin test checks that the operation is refused with {@link UnsupportedOperationException}
 * and nothing changed.
 *
 * <p>Configuration parameters (or system properties): {@code coffer.tck.filesystems} (a comma-separated
 * subset of {@link Fs}), {@code coffer.tck.seed} (replay a seed from a failure message),
 * {@code coffer.tck.heavy=true} (tens of MiB and thousands of files instead of the fast defaults).
 *
 * <p>The lifecycle methods are {@code final}, so a subclass cannot skip set-up or clean-up by accident.
 */
@org.junit.jupiter.api.extension.ExtendWith(RuleAttribution.class)
public abstract class BackupProviderConformance {

  /** The file systems a test runs on, each fresh for every test. */
  public enum Fs {
    /** Jimfs in its unix configuration (case-sensitive, {@code /} separators). */
    UNIX,
    /** Jimfs in its macOS configuration (case-insensitive lookups, NFC/NFD-insensitive names). */
    OSX,
    /** Jimfs in its windows configuration ({@code C:\} roots, backslash separators, case-insensitive). */
    WINDOWS,
    /** The default file system, in a fresh temporary directory. */
    DISK
  }

  private static final String STRAY = "coffer-tck-stray";
  private static final int MAX_FAULTS = 200;

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private BackupProvider provider;
  private Set<Capability> capabilities;
  private long seed;
  private TreeGenerator gen;
  private String where = "";
  private Path shownRepository;

  /**
   * Creates a new instance of the provider under test. Called once before each test, and again where a
   * test needs a fresh instance (persistence, concurrency across instances).
   *
   * @return a new provider instance
   */
  protected abstract BackupProvider provider();

  /**
   * The options every repository of the suite is opened with, for example a valid key for a provider that
   * requires one. The suite uses the values of secret options to search for leaks (rule P4).
   *
   * @return the options; empty by default
   */
  protected Map<String, String> options() {
    return Map.of();
  }

  /**
   * Prepares a test: creates the provider and chooses the seed. Final so that subclasses cannot skip it.
   *
   * @param info the test being run
   */
  @BeforeEach
  public final void setUpConformance(TestInfo info) {
    provider = requireNonNull(provider(), "provider() returned null");
    capabilities = Set.copyOf(provider.capabilities());
    String fixed = System.getProperty("coffer.tck.seed");
    seed = fixed != null ? Long.parseLong(fixed.trim()) : new java.util.Random().nextLong();
    gen = new TreeGenerator(seed);
    where = info.getDisplayName();
  }

  /**
   * Closes every repository and file system the test opened and deletes temporary directories. Final so
   * that subclasses cannot skip it.
   *
   * @throws Exception if closing fails
   */
  @AfterEach
  public final void tearDownConformance() throws Exception {
    Exception first = null;
    List<AutoCloseable> all = new ArrayList<>(cleanup);
    Collections.reverse(all);
    cleanup.clear();
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P1, P2: discovery and naming

  /** P1: a public class with a public no-argument constructor, registered for ServiceLoader. */
  @Test
  public void p01_provider_isPublicWithNoArgConstructorAndRegistered() throws Exception {
    Class<? extends BackupProvider> type = provider.getClass();
    check(Modifier.isPublic(type.getModifiers()) && !Modifier.isAbstract(type.getModifiers()), "P1",
        () -> type.getName() + " is not a public concrete class");
    BackupProvider fresh;
    try {
      fresh = type.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw broken("P1", type.getName() + " has no public no-argument constructor: " + e, e);
    }
    check(provider.name().equals(fresh.name()), "P1", () -> "a new instance has another name");
    boolean registered = ServiceLoader.load(BackupProvider.class, type.getClassLoader()).stream()
        .anyMatch(p -> p.type() == type);
    check(registered, "P1", () -> type.getName()
        + " is not registered in META-INF/services/dev.coffer.spi.BackupProvider (or with provides ... with)");
    // Both registrations, whichever way this JVM runs: a provider tested on the class path must still work
    // on the module path, and the other way round.
    java.lang.module.ModuleDescriptor descriptor = type.getModule().isNamed() ? type.getModule().getDescriptor()
        : Registrations.moduleDescriptor(type).orElse(null);
    if (descriptor != null) {
      boolean provides = descriptor.provides().stream()
          .anyMatch(p -> p.service().equals(BackupProvider.class.getName()) && p.providers().contains(type.getName()));
      check(provides, "P1", () -> "module " + descriptor.name() + " does not declare provides "
          + BackupProvider.class.getName() + " with " + type.getName());
    }
    check(Registrations.listedInServicesFile(type), "P1", () -> type.getName() + " is not listed in "
        + "META-INF/services/" + BackupProvider.class.getName() + " of its own jar or directory (class-path users "
        + "find providers there, even when a module-info declares provides)");
  }

  /** P2: name syntax and uniqueness, one-line description, unique option names, stable capabilities. */
  @Test
  public void p02_nameDescriptionOptionsAndCapabilities_areWellFormedAndStable() {
    String name = provider.name();
    check(name != null && name.matches("[a-z][a-z0-9-]*"), "P2", () -> "name() '" + name + "' does not match [a-z][a-z0-9-]*");
    String description = provider.description();
    check(description != null && !description.isBlank() && description.indexOf('\n') < 0 && description.indexOf('\r') < 0,
        "P2", () -> "description() must be one non-empty line: '" + description + "'");
    Set<String> names = new HashSet<>();
    for (OptionInfo o : provider.options()) {
      check(names.add(o.name()), "P2", () -> "option '" + o.name() + "' is described twice");
    }
    check(provider.capabilities().equals(capabilities) && provider().capabilities().equals(capabilities), "P2",
        () -> "capabilities() is not stable across calls and instances");
    check(provider.options().equals(provider().options()), "P2", () -> "options() is not stable across instances");
    List<BackupProvider> installed;
    try {
      installed = BackupProviders.installed(provider.getClass().getClassLoader());
    } catch (IllegalStateException e) {
      throw broken("P2", "BackupProviders.installed() fails: " + e.getMessage(), e);
    }
    for (BackupProvider p : installed) {
      check(!p.name().equals(name) || p.getClass() == provider.getClass(), "P2",
          () -> "another installed provider, " + p.getClass().getName() + ", is also named '" + name + "'");
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P3, P4: options and secrets

  /** P3: an unknown, missing required or malformed option fails open with IAE naming it; nothing is created. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p03_unknownMissingOrMalformedOption_failsNamingItAndCreatesNothing(Fs fs) throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    Map<String, String> unknown = new LinkedHashMap<>(options());
    unknown.put("coffer-tck-no-such-option", "1");
    IllegalArgumentException e = expect(IllegalArgumentException.class, "P3", "open with an unknown option",
        () -> provider.open(location, unknown).close());
    check(String.valueOf(e.getMessage()).contains("coffer-tck-no-such-option"), "P3",
        () -> "the message does not name the unknown option: " + e.getMessage());
    check(!Files.exists(location, LinkOption.NOFOLLOW_LINKS), "P3", () -> "open with an unknown option created " + location);
    for (OptionInfo o : provider.options()) {
      if (!o.required()) {
        continue;
      }
      Map<String, String> missing = new LinkedHashMap<>(options());
      missing.remove(o.name());
      IllegalArgumentException m = expect(IllegalArgumentException.class, "P3",
          "open without the required option '" + o.name() + "'", () -> provider.open(location, missing).close());
      check(String.valueOf(m.getMessage()).contains(o.name()), "P3",
          () -> "the message does not name the missing option '" + o.name() + "': " + m.getMessage());
      check(!Files.exists(location, LinkOption.NOFOLLOW_LINKS), "P3", () -> "a failed open created " + location);
    }
    for (OptionInfo o : provider.options()) {
      String d = o.defaultValue();
      String bad = d == null ? null
          : d.equalsIgnoreCase("true") || d.equalsIgnoreCase("false") ? "coffer-tck-not-a-boolean"
          : d.matches("-?[0-9]+") ? "coffer-tck-not-a-number" : null;
      if (bad == null) {
        continue;
      }
      Map<String, String> malformed = new LinkedHashMap<>(options());
      malformed.put(o.name(), bad);
      IllegalArgumentException m = expect(IllegalArgumentException.class, "P3",
          "open with the malformed value '" + bad + "' for option '" + o.name() + "' (default " + d + ")",
          () -> provider.open(location, malformed).close());
      check(String.valueOf(m.getMessage()).contains(o.name()), "P3",
          () -> "the message does not name the malformed option '" + o.name() + "': " + m.getMessage());
      check(!Files.exists(location, LinkOption.NOFOLLOW_LINKS), "P3", () -> "a failed open created " + location);
    }
    try (BackupRepository repo = provider.open(location, options())) {
      check(repo.list().isEmpty(), "P3", () -> "a new repository opened with options() is not empty");
    }
  }

  /**
   * P3: an option named in other case than declared is unknown; a malformed number is refused whatever its
   * shape; and a refused open of an existing repository changes nothing in it.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p03_caseVariantOptionsAndOddNumbers_areRefused_andARefusedOpenChangesNothing(Fs fs) throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    try (BackupRepository repo = provider.open(location, options())) {
      repo.backup(smallTree(root.resolve("src")));
    }
    Snapshot before = Snapshot.of(root);
    List<Map<String, String>> refused = new ArrayList<>();
    for (OptionInfo o : provider.options()) {
      String upper = o.name().toUpperCase(java.util.Locale.ROOT);
      Map<String, String> variant = new LinkedHashMap<>(options());
      variant.put(upper, o.defaultValue() != null ? o.defaultValue() : "1");
      refused.add(variant);
      String d = o.defaultValue();
      if (d != null && d.matches("-?[0-9]+")) {
        for (String bad : List.of("", d + "x", "0x10", "99999999999999999999", "1e3", "+" + d + "-")) {
          Map<String, String> malformed = new LinkedHashMap<>(options());
          malformed.put(o.name(), bad);
          refused.add(malformed);
        }
      }
    }
    for (Map<String, String> opts : refused) {
      String shown = opts.toString().replaceAll("=[^,}]{24,}", "=...");
      expect(IllegalArgumentException.class, "P3", "open with options " + shown, () -> provider.open(location, opts).close());
      unchanged("P3", "a refused open of an existing repository (options " + shown + ")", before, root);
    }
  }

  /** P4: the values of secret options appear in no message, no toString and no stored file. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p04_secretOptionValues_neverAppearInMessagesToStringsOrStoredFiles(Fs fs) throws Exception {
    Map<String, String> secrets = new TreeMap<>();
    for (OptionInfo o : provider.options()) {
      String v = options().get(o.name());
      if (o.secret() && v != null && v.length() >= 4) {
        secrets.put(o.name(), v);
      }
    }
    // Secret options that options() leaves unset get a recognizable planted value of their own.
    Map<String, String> planted = new TreeMap<>();
    for (OptionInfo o : provider.options()) {
      if (o.secret() && !options().containsKey(o.name())) {
        // 64 hex digits with a recognizable start: valid as a hex key, a base64 text or a passphrase
        long mix = seed ^ o.name().hashCode();
        planted.put(o.name(), String.format("c0ffee7c4%016x%016x%016x%07x", mix, ~mix, mix * 31, 0xc0ffee));
      }
    }
    Assumptions.assumeFalse(secrets.isEmpty() && planted.isEmpty(), "P4 not exercised: the provider declares no secret option");
    // every log line of every logger (System.Logger's default bridge is java.util.logging), at every level
    LogCapture logs = LogCapture.start("");
    cleanup.add(logs);
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    List<String> seen = new ArrayList<>();
    for (Map.Entry<String, String> p : planted.entrySet()) {
      Map<String, String> withPlanted = new LinkedHashMap<>(options());
      withPlanted.put(p.getKey(), p.getValue());
      collect(seen, () -> {
        try (BackupRepository r = provider.open(root.resolve("planted-" + p.getKey()), withPlanted)) {
          seen.add(r.toString());
          BackupMetadata pb = r.backup(source);
          seen.add(pb.toString());
          seen.add(r.list().toString());
          seen.add(r.verify(pb.id()).toString());
          collect(seen, () -> r.restore(BackupId.of("no-such-backup"), root.resolve("planted-t")));
          collect(seen, () -> r.restore(pb.id(), source));
        }
      });
      secrets.put(p.getKey(), p.getValue());
    }
    BackupRepository repo = open(location);
    seen.add(repo.toString());
    BackupMetadata b = repo.backup(BackupRequest.full(source).withLabel("k", "v"));
    seen.add(b.toString());
    seen.add(repo.list().toString());
    VerifyReport report = repo.verify(b.id());
    seen.add(report.toString());
    collect(seen, () -> repo.restore(BackupId.of("no-such-backup"), root.resolve("t1")));
    collect(seen, () -> repo.verify(BackupId.of("../x")));
    collect(seen, () -> repo.delete(BackupId.of("no-such-backup")));
    collect(seen, () -> repo.storedBytes(BackupId.of("no-such-backup")));
    collect(seen, () -> repo.backup(root.resolve("no-such-source")));
    Path nonEmpty = Files.createDirectories(root.resolve("t2"));
    Files.writeString(nonEmpty.resolve("x"), "x");
    collect(seen, () -> repo.restore(b.id(), nonEmpty));
    Map<String, String> unknown = new LinkedHashMap<>(options());
    unknown.put("coffer-tck-no-such-option", "1");
    collect(seen, () -> provider.open(root.resolve("other"), unknown).close());
    for (String name : secrets.keySet()) {
      Map<String, String> malformed = new LinkedHashMap<>(options());
      malformed.put(name, secrets.get(name) + "\u0000!");
      collect(seen, () -> provider.open(root.resolve("malformed"), malformed).close());
    }
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    String url = "coffer:" + provider.name() + ":" + location.toUri() + "?" + secrets.keySet().iterator().next() + "=x";
    boolean installed = BackupProviders.installed(provider.getClass().getClassLoader()).stream()
        .anyMatch(p -> p.getClass() == provider.getClass());
    if (installed) {
      ClassLoader saved = Thread.currentThread().getContextClassLoader();
      Thread.currentThread().setContextClassLoader(provider.getClass().getClassLoader());
      try {
        collect(seen, () -> BackupProviders.open(url).close());
        check(seen.get(seen.size() - 1).contains("IllegalArgumentException"), "P4",
            () -> "a secret option in a repository URL was not refused with IllegalArgumentException: " + seen.get(seen.size() - 1));
      } finally {
        Thread.currentThread().setContextClassLoader(saved);
      }
    }
    logs.entries().forEach(e -> seen.add("log line of " + e.logger() + " at " + e.level() + ": " + e.message()));
    Snapshot stored = Snapshot.of(root);
    for (Map.Entry<String, String> s : secrets.entrySet()) {
      for (String text : seen) {
        check(!text.contains(s.getValue()), "P4",
            () -> "the value of secret option '" + s.getKey() + "' appears in: " + text.replace(s.getValue(), "<SECRET>"));
      }
      byte[] needle = s.getValue().getBytes(StandardCharsets.UTF_8);
      for (Map.Entry<String, Snapshot.Entry> e : stored.entries().entrySet()) {
        byte[] bytes = e.getValue().bytes();
        check(bytes == null || indexOf(bytes, needle) < 0, "P4",
            () -> "the value of secret option '" + s.getKey() + "' is stored in clear in " + e.getKey());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P5, P6: repositories

  /** P5: open creates an empty repository; a fresh instance sees the same backups; close is idempotent. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p05_reopenedRepository_fromFreshProviderInstance_seesSameBackups(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    BackupRepository repo = provider.open(location, options());
    shownRepository = location;
    List<BackupMetadata> made = new ArrayList<>();
    try {
      check(Files.exists(location, LinkOption.NOFOLLOW_LINKS), "P5", () -> "open on an absent location did not create a repository there");
      check(repo.list().isEmpty(), "P5", () -> "a new repository is not empty: " + safeList(repo));
      made.add(repo.backup(BackupRequest.full(source).withLabel("lsn", "0/16B3748")));
      made.add(repo.backup(BackupRequest.full(source)));
    } finally {
      repo.close();
    }
    try {
      repo.close();
    } catch (IOException | RuntimeException e) {
      throw broken("P5", "a second close() threw " + e, e);
    }
    made.sort(BackupMetadata.NEWEST_FIRST);
    Snapshot expected = Snapshot.of(source);
    try (BackupRepository again = provider().open(location, options())) {
      List<BackupMetadata> listed = again.list();
      check(listed.equals(made), "P5", () -> "a reopened repository lists " + listed + ", expected " + made);
      for (BackupMetadata m : made) {
        Optional<BackupMetadata> found = again.find(m.id());
        check(found.equals(Optional.of(m)), "P5", () -> "find(" + m.backupId() + ") after reopen gave " + found);
      }
      Path target = root.resolve("restored");
      again.restore(made.get(0).id(), target);
      sameTree("P5", "restore through a reopened repository", expected, target);
    }
  }

  /** P6: source, repository and target on three different file systems. */
  @Test
  public void p06_sourceRepositoryAndTarget_onThreeDifferentFileSystems() throws Exception {
    Fs[][] combos = {{Fs.UNIX, Fs.WINDOWS, Fs.OSX}, {Fs.WINDOWS, Fs.DISK, Fs.UNIX}, {Fs.DISK, Fs.OSX, Fs.WINDOWS}};
    for (Fs[] c : combos) {
      where = "source on " + c[0] + ", repository on " + c[1] + ", target on " + c[2];
      Path source = root(c[0]).resolve("src");
      gen.databaseLayout(source, 8192);
      BackupRepository repo = open(root(c[1]).resolve("repo"));
      BackupMetadata b = repo.backup(source);
      Path target = root(c[2]).resolve("restored");
      repo.restore(b.id(), target);
      sameTree("P6", "a round trip across file systems", Snapshot.of(source), target);
      check(repo.verify(b.id()).ok(), "P6", () -> "verify of an intact backup is not ok");
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P7 to P9: backups

  /** P7: every file byte for byte and every directory, with correct totals and metadata. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_fullBackup_restoresEveryFileAndDirectoryByteForByte(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = realisticTree(fs, root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    Instant before = Instant.now();
    BackupMetadata b = repo.backup(BackupRequest.full(source).withLabel("lsn", "0/16B3748").withLabel("host", "db1"));
    Instant after = Instant.now();
    Snapshot expected = Snapshot.of(source);
    check(b.totalFiles() == expected.fileCount(), "P7", () -> "totalFiles is " + b.totalFiles() + ", the source has " + expected.fileCount());
    check(b.totalBytes() == expected.totalBytes(), "P7", () -> "totalBytes is " + b.totalBytes() + ", the source has " + expected.totalBytes());
    check(b.backupType() == BackupType.FULL && b.baseBackupId() == null, "P7", () -> "a full backup is recorded as " + b.backupType() + " with base " + b.baseBackupId());
    check(b.provider().equals(provider.name()), "P7", () -> "provider is recorded as '" + b.provider() + "'");
    check(b.labels().equals(Map.of("host", "db1", "lsn", "0/16B3748")), "P7", () -> "labels are recorded as " + b.labels());
    check(b.sourceDir().equals(source.toString()) || b.sourceDir().equals(source.toAbsolutePath().toString()), "P7",
        () -> "sourceDir is recorded as '" + b.sourceDir() + "', the request named '" + source + "'");
    check(!b.createdAt().isBefore(before.minusSeconds(2)) && !b.createdAt().isAfter(after.plusSeconds(2)), "P7",
        () -> "createdAt " + b.createdAt() + " is not the time of the backup (" + before + " to " + after + ")");
    Path target = root.resolve("restored");
    BackupMetadata restored = repo.restore(b.id(), target);
    check(restored.equals(b), "P7", () -> "restore returned " + restored + ", backup returned " + b);
    sameTree("P7", "a restored full backup", expected, target);
  }

  /** P7: a tree of thousands of small files in many directories round-trips. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_manySmallFiles_roundTrip(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = root.resolve("src");
    gen.manySmallFiles(source, TreeGenerator.heavy() ? 5000 : 300);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Snapshot expected = Snapshot.of(source);
    check(b.totalFiles() == expected.fileCount(), "P7", () -> "totalFiles is " + b.totalFiles() + ", the source has " + expected.fileCount());
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    sameTree("P7", "a restored tree of many small files", expected, target);
  }

  /** P7: an empty source directory is a valid backup of no files. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_emptySource_isBackedUpAndRestoredAsEmptyDirectory(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = Files.createDirectories(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    check(b.totalFiles() == 0 && b.totalBytes() == 0, "P7", () -> "an empty source gave totals " + b.totalFiles() + "/" + b.totalBytes());
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    sameTree("P7", "a restored empty backup", Snapshot.of(source), target);
  }

  /** P8: a missing source or a source that is a file fails with the JDK's exception; nothing changes. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p08_missingSourceOrFileSource_failsAndLeavesRepositoryUnchanged(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    repo.backup(smallTree(root.resolve("src")));
    Snapshot before = Snapshot.of(root.resolve("repo"));
    List<BackupMetadata> listed = repo.list();
    expect(NoSuchFileException.class, "P8", "backup of a missing source", () -> repo.backup(root.resolve("missing")));
    Path file = Files.writeString(root.resolve("a-file"), "not a directory");
    expect(NotDirectoryException.class, "P8", "backup of a source that is a file", () -> repo.backup(file));
    unchanged("P8", "a refused backup", before, root.resolve("repo"));
    check(repo.list().equals(listed), "P8", () -> "a refused backup changed list()");
  }

  /** P9 with SYMLINKS: links are stored and restored as links, never followed. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p09_symlinksCapability_linksAreRestoredAsLinksAndNeverFollowed(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.SYMLINKS), "no SYMLINKS capability: see the twin test");
    Path root = root(fs);
    Path outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside content");
    Path source = smallTree(root.resolve("src"));
    Files.createSymbolicLink(source.resolve("link-to-outside-file"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(source.resolve("link-to-outside-dir"), outside);
    Files.createSymbolicLink(source.resolve("a").resolve("relative-link"), source.getFileSystem().getPath("..", "empty.txt"));
    Files.createSymbolicLink(source.resolve("dangling"), source.getFileSystem().getPath("no-such-file"));
    Snapshot outsideBefore = Snapshot.of(outside);
    Snapshot expected = Snapshot.of(source);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    check(b.totalFiles() == expected.fileCount(), "P9", () -> "totalFiles " + b.totalFiles() + " counts links or what they point to; expected " + expected.fileCount());
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    sameTree("P9", "a restored backup with links", expected, target);
    unchanged("P9", "the directory the links point to", outsideBefore, outside);
  }

  /**
   * P9 with SYMLINKS: links deep in the tree keep their target text exactly (dot components and all), links
   * to directories are not descended, and absolute and dangling targets survive.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p09_symlinksCapability_deepLinksKeepTheirTargetTextExactly(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.SYMLINKS), "no SYMLINKS capability: see the twin test");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path deep = Files.createDirectories(source.resolve("d1").resolve("d2").resolve("d3"));
    FileSystem sfs = source.getFileSystem();
    Map<String, String> links = new TreeMap<>();
    links.put("d1/d2/d3/dotted", "../../../a/./b/../one.txt");
    links.put("d1/d2/d3/to-dir", "../../../a");
    links.put("d1/d2/dangling", "./no/such/./target");
    links.put("d1/absolute", sfs.getRootDirectories().iterator().next().resolve("coffer-tck-nowhere").toString());
    for (Map.Entry<String, String> l : links.entrySet()) {
      Files.createSymbolicLink(source.resolve(l.getKey()), sfs.getPath(l.getValue()));
    }
    Map<String, String> expected = new TreeMap<>();
    for (String rel : links.keySet()) {
      expected.put(rel, Files.readSymbolicLink(source.resolve(rel)).toString());
    }
    check(Files.isDirectory(deep), "P9", () -> "set-up: " + deep + " was not created");
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    for (Map.Entry<String, String> l : expected.entrySet()) {
      Path restored = target.resolve(l.getKey());
      check(Files.isSymbolicLink(restored), "P9", () -> l.getKey() + " was not restored as a link");
      String text = Files.readSymbolicLink(restored).toString();
      check(text.equals(l.getValue()), "P9", () -> "the link " + l.getKey() + " was restored pointing to '" + text
          + "'; the source's link text is '" + l.getValue() + "'");
    }
    check(!Files.exists(target.resolve("d1/d2/d3/to-dir/one.txt"), LinkOption.NOFOLLOW_LINKS)
        || Files.isSymbolicLink(target.resolve("d1/d2/d3/to-dir")), "P9", () -> "a link to a directory was descended");
  }

  /** P9 without SYMLINKS: a backup of a source with a link is refused naming the link. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p09_noSymlinksCapability_backupWithLinkIsRefusedNamingIt(Fs fs) throws Exception {
    Assumptions.assumeFalse(capabilities.contains(Capability.SYMLINKS), "SYMLINKS declared: see the twin test");
    Path root = root(fs);
    Path outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside content");
    Path source = smallTree(root.resolve("src"));
    Files.createSymbolicLink(source.resolve("a").resolve("link-to-outside"), outside.resolve("secret.txt"));
    BackupRepository repo = open(root.resolve("repo"));
    repo.backup(smallTree(root.resolve("src2")));
    refusedNaming("P9", "backup of a source holding a link without SYMLINKS", "link-to-outside", root.resolve("repo"),
        () -> repo.backup(source));
  }

  // ---------------------------------------------------------------------------------------------------
  // P10: atomicity

  /**
   * P10: while a backup is being written (paused inside its progress listener), another instance on the same
   * location lists only the complete backups, and latest() is still the previous one.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupBeingWritten_isInvisibleToAnotherInstance(Fs fs) throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupRepository other = open(location, provider());
    BackupMetadata first = repo.backup(smallTree(root.resolve("src0")));
    Path source = realisticSmall(root.resolve("src"));
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger calls = new AtomicInteger();
    BackupMetadata second = repo.backup(BackupRequest.full(source).withProgress(p -> {
      calls.incrementAndGet();
      try {
        List<BackupMetadata> listed = other.list();
        Optional<BackupMetadata> latest = other.latest();
        if (!listed.equals(List.of(first)) || !latest.equals(Optional.of(first))) {
          seen.add("at " + p + ": list() " + ids(listed) + ", latest() " + latest.map(BackupMetadata::backupId));
        }
      } catch (IOException | RuntimeException e) {
        seen.add("at " + p + ": list() failed: " + e);
      }
    }));
    check(calls.get() > 0, "P10", () -> "the backup never called its progress listener");
    check(seen.isEmpty(), "P10", () -> "another instance saw a backup while it was being written: " + seen);
    check(other.find(second.id()).equals(Optional.of(second)), "P10",
        () -> "after the backup returned, another instance does not find it");
  }

  /** P10: a progress listener that throws at any call aborts the backup; nothing of it is listed or left. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupAbortedAtAnyProgressCall_isNeverListedAndLeavesNothing(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupMetadata first = repo.backup(source);
    AtomicInteger calls = new AtomicInteger();
    repo.delete(repo.backup(BackupRequest.full(source).withProgress(p -> calls.incrementAndGet())).id());
    check(calls.get() > 0, "P10", () -> "the progress listener was never called, so a backup cannot be cancelled");
    Snapshot before = Snapshot.of(location);
    int limit = Math.min(calls.get(), 40);
    for (int k = 1; k <= limit; k++) {
      int abortAt = k;
      AtomicInteger n = new AtomicInteger();
      BackupRequest request = BackupRequest.full(source).withProgress(p -> {
        if (n.incrementAndGet() == abortAt) {
          throw new IllegalStateException("coffer-tck: cancelled at progress call " + abortAt);
        }
      });
      try {
        repo.backup(request);
        throw broken("P10", "a backup whose listener threw at call " + k + " completed");
      } catch (IOException | RuntimeException expected) {
        // the listener's exception, as is or wrapped
      }
      List<BackupMetadata> listed = repo.list();
      check(listed.equals(List.of(first)), "P10", () -> "after a backup cancelled at progress call " + abortAt + ", list() is " + listed);
    }
    try (BackupRepository again = provider().open(location, options())) {
      Set<String> pathsAfter = new TreeSet<>(Snapshot.of(location).entries().keySet());
      check(pathsAfter.equals(new TreeSet<>(before.entries().keySet())), "P10", () -> "cancelled backups left files "
          + "behind after the failing calls and a new open: " + Snapshot.pathChanges(before.entries().keySet(), pathsAfter));
      BackupMetadata b = again.backup(source);
      check(again.verify(b.id()).ok(), "P10", () -> "after cancelled backups, a new backup does not verify");
    }
  }

  /** P10: a backup failing at any file-system operation is never listed; the repository keeps working. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupFailingAtEveryFileSystemOperation_isNeverListedAndRepositoryKeepsWorking(Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    Path location = f.root.resolve("repo");
    BackupRepository repo = open(location);
    List<BackupMetadata> expected = new ArrayList<>(List.of(repo.backup(source)));
    f.fs.resetCount();
    repo.delete(repo.backup(source).id());
    long k = f.fs.operations();
    Set<String> pathsBefore = Snapshot.of(location).entries().keySet();
    for (long n : sample(k)) {
      where = fs + ", backup failing at file-system operation " + n + " of " + k;
      f.fs.failAt(n);
      try {
        expected.add(repo.backup(source));
      } catch (IOException | RuntimeException failed) {
        // the injected failure, as is or wrapped
      } finally {
        f.fs.clearFaults();
      }
      List<String> listed = ids(repo.list());
      List<String> want = ids(sorted(expected));
      check(listed.equals(want), "P10", () -> "after a backup failed at file-system operation " + n + ", list() holds "
          + listed + ", expected " + want);
    }
    where = fs + ", after backups failing at each of " + k + " file-system operations";
    expected.add(checkStillWorks(repo, source, f.root));
    try (BackupRepository again = provider().open(location, options())) {
      List<String> relisted = ids(again.list());
      check(relisted.equals(ids(sorted(expected))), "P10", () -> "a reopened repository lists " + relisted + ", expected "
          + ids(sorted(expected)));
      for (BackupMetadata m : expected.subList(1, expected.size())) {
        again.delete(m.id());
      }
      Set<String> pathsAfter = new TreeSet<>(Snapshot.of(location).entries().keySet());
      check(pathsAfter.equals(new TreeSet<>(pathsBefore)), "P10", () -> "failed backups left files behind after the failing "
          + "calls and a new open: " + Snapshot.pathChanges(pathsBefore, pathsAfter));
    }
  }

  /** P10: after a crash at any file-system operation of a backup, only complete backups are listed. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupCrashingAtEveryFileSystemOperation_listsOnlyCompleteBackupsAfterReopen(Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    Snapshot expectedTree = Snapshot.of(source);
    Path location = f.root.resolve("repo");
    BackupRepository repo = open(location);
    Set<String> complete = new HashSet<>(Set.of(repo.backup(source).backupId()));
    f.fs.resetCount();
    repo.delete(repo.backup(source).id());
    long k = f.fs.operations();
    for (long n : sample(k)) {
      where = fs + ", crash at file-system operation " + n + " of a backup (" + k + " operations)";
      f.fs.crashAt(n);
      try {
        complete.add(repo.backup(source).backupId());
      } catch (IOException | RuntimeException failed) {
        // the crash
      }
      f.fs.clearFaults();
      if (!f.fs.crashed()) {
        continue;
      }
      f.fs.recover();
      repo = open(location, provider());
      for (BackupMetadata m : repo.list()) {
        VerifyReport r = repo.verify(m.id());
        check(r.ok(), "P10", () -> "after a crash at operation " + n + ", backup " + m.backupId()
            + " is listed but does not verify: " + r.problems());
        if (complete.add(m.backupId())) {
          // completed at the moment of the crash: durable and complete, so it must restore in full
          Path target = f.root.resolve("crash-restore-" + n);
          repo.restore(m.id(), target);
          sameTree("P10", "a backup listed after a crash", expectedTree, target);
        }
      }
      Set<String> listed = repo.list().stream().map(BackupMetadata::backupId).collect(Collectors.toSet());
      check(listed.equals(complete), "P10", () -> "after a crash at operation " + n + " list() holds " + listed
          + ", expected the completed backups " + complete);
    }
    where = fs + ", after crashes at each of " + k + " file-system operations of a backup";
    checkStillWorks(repo, source, f.root);
  }

  /** P10: a backup that runs out of disk space at any point is never listed. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p10_backupOnFullDisk_isNeverListedAndRepositoryKeepsWorking(Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    BackupRepository repo = open(f.root.resolve("repo"));
    List<BackupMetadata> expected = new ArrayList<>(List.of(repo.backup(source)));
    for (long limit : new long[] {0, 1, 100, 1000, 3000, 6000, 9000}) {
      where = fs + ", disk full after " + limit + " bytes";
      f.fs.diskFullAfter(limit);
      try {
        expected.add(repo.backup(source));
      } catch (IOException | RuntimeException failed) {
        // disk full
      } finally {
        f.fs.clearFaults();
      }
      List<String> listed = ids(repo.list());
      List<String> want = ids(sorted(expected));
      check(listed.equals(want), "P10", () -> "after a backup hit a full disk at " + limit + " bytes, list() holds "
          + listed + ", expected " + want);
    }
    checkStillWorks(repo, source, f.root);
  }

  /** P17: a restore failing at any file-system operation leaves the target as it was. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreFailingAtEveryFileSystemOperation_leavesTargetAsItWas(Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    Snapshot expected = Snapshot.of(source);
    BackupRepository repo = open(f.root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path parent = Files.createDirectories(f.root.resolve("restores"));
    f.fs.resetCount();
    repo.restore(b.id(), parent.resolve("probe"));
    long k = f.fs.operations();
    FileTrees.deleteRecursively(parent.resolve("probe"));
    for (long n : sample(k)) {
      where = fs + ", restore failing at file-system operation " + n + " of " + k;
      Path target = parent.resolve("t" + n);
      if (n % 2 == 0) {
        Files.createDirectory(target);
      }
      Snapshot before = Snapshot.of(parent);
      f.fs.failAt(n);
      boolean ok;
      try {
        repo.restore(b.id(), target);
        ok = true;
      } catch (IOException | RuntimeException failed) {
        ok = false;
      } finally {
        f.fs.clearFaults();
      }
      if (ok) {
        sameTree("P17", "a restore that survived a failed operation", expected, target);
        FileTrees.deleteRecursively(target);
      } else {
        unchanged("P17", "a restore failing at file-system operation " + n, before, parent);
      }
    }
  }

  /** P17: a restore that runs out of disk space at any point leaves the target as it was. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreOnFullDisk_leavesTargetAsItWas(Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    BackupRepository repo = open(f.root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path parent = Files.createDirectories(f.root.resolve("restores"));
    for (long limit : new long[] {0, 1, 100, 1000, 3000, 6000}) {
      where = fs + ", disk full after " + limit + " bytes of a restore";
      Path target = parent.resolve("t" + limit);
      Snapshot before = Snapshot.of(parent);
      f.fs.diskFullAfter(limit);
      boolean ok;
      try {
        repo.restore(b.id(), target);
        ok = true;
      } catch (IOException | RuntimeException failed) {
        ok = false;
      } finally {
        f.fs.clearFaults();
      }
      if (ok) {
        sameTree("P17", "a restore that fit on the disk", Snapshot.of(source), target);
        FileTrees.deleteRecursively(target);
      } else {
        unchanged("P17", "a restore that hit a full disk after " + limit + " bytes", before, parent);
      }
    }
  }

  /** P7: reads that return one byte at a time change nothing in a round trip. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p07_shortReadsEverywhere_roundTripByteForByte(Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path source = realisticSmall(f.root.resolve("src"));
    Snapshot expected = Snapshot.of(source);
    BackupRepository repo = open(f.root.resolve("repo"));
    f.fs.shortReads(true);
    BackupMetadata b = repo.backup(source);
    VerifyReport r = repo.verify(b.id());
    Path target = f.root.resolve("restored");
    repo.restore(b.id(), target);
    f.fs.shortReads(false);
    check(r.ok(), "P14", () -> "with short reads, an intact backup does not verify: " + r.problems());
    sameTree("P7", "a round trip with one-byte reads", expected, target);
  }

  // ---------------------------------------------------------------------------------------------------
  // P11: concurrency

  /** P11: concurrent backups through one instance and through two instances all succeed, distinct ids. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p11_concurrentBackups_throughOneAndTwoInstances_allSucceedWithDistinctIds(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    BackupRepository one = open(location);
    BackupRepository two = open(location, provider());
    List<BackupRepository> repos = List.of(one, one, one, two, two, one);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(repos.size() + 1);
    AtomicBoolean done = new AtomicBoolean();
    List<BackupMetadata> made;
    Set<String> seenWhileRunning = Collections.synchronizedSet(new HashSet<>());
    try {
      List<Future<BackupMetadata>> futures = new ArrayList<>();
      for (BackupRepository r : repos) {
        futures.add(pool.submit(() -> {
          start.await();
          return r.backup(source);
        }));
      }
      Future<Integer> lister = pool.submit(() -> {
        start.await();
        int rounds = 0;
        while (!done.get() && rounds < 10_000) {
          one.list().forEach(m -> seenWhileRunning.add(m.backupId()));
          rounds++;
          Thread.yield();
        }
        return rounds;
      });
      start.countDown();
      made = new ArrayList<>();
      for (Future<BackupMetadata> f : futures) {
        try {
          made.add(f.get(120, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          throw broken("P11", "a concurrent backup failed: " + e.getCause(), e.getCause());
        }
      }
      done.set(true);
      try {
        lister.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw broken("P11", "list() during concurrent backups failed: " + e.getCause(), e.getCause());
      }
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    Set<String> ids = made.stream().map(BackupMetadata::backupId).collect(Collectors.toSet());
    check(ids.size() == repos.size(), "P11", () -> "concurrent backups returned duplicate ids: " + made);
    Set<String> listed = one.list().stream().map(BackupMetadata::backupId).collect(Collectors.toSet());
    check(listed.equals(ids), "P11", () -> "after concurrent backups, list() holds " + listed + ", expected " + ids);
    check(ids.containsAll(seenWhileRunning), "P11", () -> "list() during backups showed ids that never completed: " + seenWhileRunning);
    Snapshot expected = Snapshot.of(source);
    int i = 0;
    for (String id : ids) { // ids as text: compared with BackupMetadata::backupId
      check(two.verify(BackupId.of(id)).ok(), "P11", () -> "backup " + id + " made concurrently does not verify");
      Path target = root.resolve("restored-" + i++);
      two.restore(BackupId.of(id), target);
      sameTree("P11", "a restore of a concurrently made backup", expected, target);
    }
  }

  /** P11: deleting one backup while another is restored. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p11_deleteOfOneBackup_whileAnotherIsRestored_bothSucceed(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = realisticSmall(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata kept = repo.backup(source);
    BackupMetadata doomed = repo.backup(source);
    Path target = root.resolve("restored");
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<BackupMetadata> restore = pool.submit(() -> {
        start.await();
        return repo.restore(kept.id(), target);
      });
      Future<Void> delete = pool.submit(() -> {
        start.await();
        repo.delete(doomed.id());
        return null;
      });
      start.countDown();
      try {
        restore.get(120, TimeUnit.SECONDS);
        delete.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw broken("P11", "a restore concurrent with a delete of another backup failed: " + e.getCause(), e.getCause());
      }
    } finally {
      pool.shutdownNow();
    }
    sameTree("P11", "a restore concurrent with a delete", Snapshot.of(source), target);
    check(repo.list().equals(List.of(kept)), "P11", () -> "after the delete, list() is " + safeList(repo));
  }

  // ---------------------------------------------------------------------------------------------------
  // P12: incremental backups

  /** P12 with INCREMENTAL: an incremental restores the full state, deletions included; base recorded. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p12_incrementalCapability_restoresFullStateIncludingDeletions(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.INCREMENTAL), "no INCREMENTAL capability: see the twin test");
    Path root = root(fs);
    Path source = realisticSmall(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata base = repo.backup(source);
    Snapshot atBase = Snapshot.of(source);
    mutate(source);
    BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()).withLabel("n", "1"));
    Snapshot atInc = Snapshot.of(source);
    check(inc.backupType() == BackupType.INCREMENTAL && base.backupId().equals(inc.baseBackupId()), "P12",
        () -> "an incremental backup is recorded as " + inc.backupType() + " with base " + inc.baseBackupId());
    check(inc.totalFiles() == atInc.fileCount() && inc.totalBytes() == atInc.totalBytes(), "P12",
        () -> "an incremental's totals " + inc.totalFiles() + "/" + inc.totalBytes() + " are not the source's "
            + atInc.fileCount() + "/" + atInc.totalBytes());
    mutate(source);
    BackupMetadata inc2 = repo.backup(BackupRequest.incremental(source, inc.id()));
    Snapshot atInc2 = Snapshot.of(source);
    Path t1 = root.resolve("t1");
    repo.restore(inc.id(), t1);
    sameTree("P12", "a restored incremental backup", atInc, t1);
    Path t2 = root.resolve("t2");
    repo.restore(inc2.id(), t2);
    sameTree("P12", "a restored incremental of an incremental", atInc2, t2);
    Path t0 = root.resolve("t0");
    repo.restore(base.id(), t0);
    sameTree("P12", "the base restored after incrementals were taken", atBase, t0);
    for (BackupMetadata m : List.of(base, inc, inc2)) {
      check(repo.verify(m.id()).ok(), "P12", () -> "backup " + m.backupId() + " of a chain does not verify");
    }
    Snapshot before = Snapshot.of(root.resolve("repo"));
    BackupId absent = BackupIds.newId();
    expect(NoSuchBackupException.class, "P12", "an incremental with an unknown base",
        () -> repo.backup(BackupRequest.incremental(source, absent)));
    unchanged("P12", "an incremental with an unknown base", before, root.resolve("repo"));
  }

  /** P12 without INCREMENTAL: the request is refused and nothing changes. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p12_noIncrementalCapability_incrementalRequestIsRefused(Fs fs) throws Exception {
    Assumptions.assumeFalse(capabilities.contains(Capability.INCREMENTAL), "INCREMENTAL declared: see the twin test");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata base = repo.backup(source);
    Snapshot before = Snapshot.of(root.resolve("repo"));
    expect(UnsupportedOperationException.class, "P12", "an incremental request without INCREMENTAL",
        () -> repo.backup(BackupRequest.incremental(source, base.id())));
    unchanged("P12", "a refused incremental request", before, root.resolve("repo"));
  }

  // ---------------------------------------------------------------------------------------------------
  // P13: listing

  /** P13: list newest first, find and latest agree, size is not negative. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p13_listFindLatestAndSize_agreeWithWhatBackupReturned(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    check(repo.latest().isEmpty(), "P13", () -> "latest() of an empty repository is not empty");
    List<BackupMetadata> made = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      made.add(repo.backup(BackupRequest.full(source).withLabel("n", Integer.toString(i))));
    }
    for (int i = 1; i < made.size(); i++) {
      BackupMetadata earlier = made.get(i - 1);
      BackupMetadata later = made.get(i);
      check(!later.createdAt().isBefore(earlier.createdAt()), "P13", () -> "a later backup has an earlier createdAt: " + made);
    }
    List<BackupMetadata> expected = new ArrayList<>(made);
    expected.sort(BackupMetadata.NEWEST_FIRST);
    List<BackupMetadata> listed = repo.list();
    check(listed.equals(expected), "P13", () -> "list() is " + listed + ", expected newest first " + expected);
    check(repo.latest().equals(Optional.of(expected.get(0))), "P13", () -> "latest() is not the newest backup");
    for (BackupMetadata m : made) {
      Optional<BackupMetadata> found = repo.find(m.id());
      check(found.equals(Optional.of(m)), "P13", () -> "find(" + m.backupId() + ") is " + found + ", backup returned " + m);
      long size = repo.storedBytes(m.id());
      check(size >= 0, "P13", () -> "size(" + m.backupId() + ") is negative: " + size);
    }
    long firstSize = repo.storedBytes(made.get(0).id());
    check(firstSize > 0, "P13", () -> "the first backup of a non-empty source added " + firstSize + " bytes");
  }

  /**
   * P13: a longer history (full and incremental backups, labels with empty values) lists newest first with
   * latest() the newest even when it is an incremental; find() of a backup another instance deleted is empty;
   * size() of a backup of incompressible data is at least that data's size.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p13_longerHistory_listsNewestFirst_andFindFollowsAnotherInstancesDelete(Fs fs) throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    Path source = smallTree(root.resolve("src"));
    gen.file(source.resolve("random.bin"), 256 * 1024, false);
    BackupRepository repo = open(location);
    List<BackupMetadata> made = new ArrayList<>();
    boolean incremental = capabilities.contains(Capability.INCREMENTAL);
    for (int i = 0; i < 6; i++) {
      BackupRequest request = incremental && i % 2 == 1
          ? BackupRequest.incremental(source, made.get(i - 1).id()) : BackupRequest.full(source);
      request = request.withLabel("n", Integer.toString(i)).withLabel("empty", "").withLabel("λ key", "ünïcode value");
      BackupMetadata m = repo.backup(request);
      check(m.labels().equals(request.labels()), "P13", () -> "labels " + m.labels() + " were recorded for "
          + "requested " + "labels; expected them as given");
      made.add(m);
      Files.writeString(source.resolve("a").resolve("one.txt"), "change " + i);
    }
    long randomSize = repo.storedBytes(made.get(0).id());
    check(randomSize >= 256 * 1024, "P13", () -> "size() of the first backup, holding 256 KiB of random bytes, is "
        + randomSize);
    List<BackupMetadata> expected = new ArrayList<>(made);
    expected.sort(BackupMetadata.NEWEST_FIRST);
    check(repo.list().equals(expected), "P13", () -> "list() is " + safeList(repo) + ", expected " + ids(expected));
    check(repo.latest().equals(Optional.of(expected.get(0))), "P13",
        () -> "latest() is not the newest backup " + expected.get(0).backupId());
    BackupRepository other = open(location, provider());
    for (BackupMetadata m : made) {
      Optional<BackupMetadata> found = other.find(m.id());
      check(found.equals(Optional.of(m)), "P13", () -> "another instance finds " + found + " for " + m.backupId());
      Optional<BackupMetadata> own = repo.find(m.id());
      check(own.equals(Optional.of(m)), "P13", () -> "find() gives " + own + " for " + m.backupId());
    }
    BackupMetadata newest = expected.get(0);
    other.delete(newest.id());
    Optional<BackupMetadata> gone = repo.find(newest.id());
    check(gone.isEmpty(), "P13", () -> "find() still returns a backup another instance deleted: " + gone);
    check(repo.list().equals(expected.subList(1, expected.size())), "P13",
        () -> "after another instance's delete, list() is " + safeList(repo));
    check(repo.latest().equals(Optional.of(expected.get(1))), "P13",
        () -> "after another instance deleted the newest backup, latest() is not the next newest");
  }

  // ---------------------------------------------------------------------------------------------------
  // P14, P15, P17: verification and corruption

  /** P14: an intact backup verifies ok. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_intactBackup_verifiesOk(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = realisticSmall(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    VerifyReport r = repo.verify(b.id());
    check(r.ok(), "P14", () -> "an intact backup does not verify: " + r.problems());
    check(r.backupId().equals(b.backupId()), "P14", () -> "the report is about " + r.backupId());
    check(r.bytesChecked() >= 0 && r.filesChecked() >= 0, "P14", () -> "negative counts in " + r);
  }

  /** P14, P15: every flipped byte, truncation, deletion and stray file is reported; verify changes nothing. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_everyCorruptionOfEveryStoredFile_isReportedByVerify(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    for (Corruption m : c.all) {
      m.apply();
      try {
        Snapshot before = Snapshot.of(c.location);
        VerifyReport r;
        try {
          r = c.repo.verify(c.backup.id());
        } catch (NoSuchBackupException e) {
          check(c.repo.find(c.backup.id()).isEmpty(), "P14",
              () -> "verify after " + m + " threw NoSuchBackupException although the backup is still listed");
          continue;
        } catch (IOException e) {
          throw broken("P14", "verify after " + m + " threw instead of reporting: " + e, e);
        }
        VerifyReport report = r;
        check(!report.ok(), "P14", () -> "verify reports ok after " + m);
        check(report.problems().stream().noneMatch(p -> p.path().isEmpty() || p.detail().isEmpty()), "P14",
            () -> "a problem names no path or detail: " + report.problems());
        unchanged("P15", "verify of a corrupted backup (" + m + ")", before, c.location);
      } finally {
        m.undo();
      }
    }
  }

  /**
   * P14: a flipped byte anywhere in a large stored file (its start, thirds, last byte) is reported, also on
   * a backup that verified ok before (a verify that reads part of large files, or trusts an earlier result,
   * fails here); and each problem has the right kind.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_aFlipAnywhereInALargeStoredFile_isReportedAfterAnEarlierOkVerify(Fs fs) throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    Path source = smallTree(root.resolve("src"));
    gen.file(source.resolve("large.bin"), 600 * 1024 + gen.nextInt(4096), false);
    BackupRepository repo = open(location);
    repo.backup(smallTree(root.resolve("warm-up")));
    Snapshot before = Snapshot.of(location);
    BackupMetadata b = repo.backup(source);
    List<String> stored = new ArrayList<>(Snapshot.of(location).files());
    stored.removeAll(before.files());
    boolean large = false;
    for (String rel : stored) {
      Path p = location.resolve(rel);
      long size = Files.size(p);
      if (size < 128 * 1024) {
        continue;
      }
      large = true;
      for (long offset : List.of(0L, size / 3, 2 * size / 3, size - 1)) {
        VerifyReport ok = repo.verify(b.id());
        check(ok.ok(), "P14", () -> "an intact backup does not verify: " + ok.problems());
        byte[] saved = Files.readAllBytes(p);
        byte[] changed = saved.clone();
        changed[(int) offset] ^= (byte) 0x01;
        Files.write(p, changed);
        try {
          VerifyReport r;
          try {
            r = repo.verify(b.id());
          } catch (NoSuchBackupException e) {
            check(repo.find(b.id()).isEmpty(), "P14", () -> "verify after flipping byte " + offset + " of "
                + rel + " threw NoSuchBackupException although the backup is still listed");
            continue;
          } catch (IOException e) {
            throw broken("P14", "verify after flipping byte " + offset + " of " + rel + " threw instead of reporting: " + e, e);
          }
          VerifyReport report = r;
          check(!report.ok(), "P14", () -> "verify reports ok after flipping byte " + offset + " of the "
              + size + " bytes of stored file " + rel + " (it verified ok just before)");
          check(report.problems().stream().anyMatch(pr -> pr.kind() == VerifyReport.Kind.CORRUPT
                  || pr.kind() == VerifyReport.Kind.METADATA), "P14",
              () -> "a flipped byte is reported as " + report.problems() + ", expected CORRUPT or METADATA");
        } finally {
          Files.write(p, saved);
        }
      }
    }
    check(large, "P14", () -> "set-up: no stored file of 128 KiB or more holds the backup's 600 KiB file: " + stored);
    VerifyReport again = repo.verify(b.id());
    check(again.ok(), "P14", () -> "the restored bytes do not verify: " + again.problems());
  }

  /** P14: a deleted stored file is MISSING (or METADATA), a stray file UNEXPECTED, a flip CORRUPT (or METADATA). */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p14_eachProblemIsReportedWithItsKind(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    for (Corruption m : c.all) {
      m.apply();
      try {
        VerifyReport r;
        try {
          r = c.repo.verify(c.backup.id());
        } catch (NoSuchBackupException e) {
          continue; // the whole backup is gone from the listing: checked by the twin test
        }
        Set<VerifyReport.Kind> kinds = r.problems().stream().map(VerifyReport.Problem::kind)
            .collect(Collectors.toCollection(() -> java.util.EnumSet.noneOf(VerifyReport.Kind.class)));
        Set<VerifyReport.Kind> allowed = switch (m.kind) {
          case DELETE -> Set.of(VerifyReport.Kind.MISSING, VerifyReport.Kind.METADATA);
          case STRAY -> Set.of(VerifyReport.Kind.UNEXPECTED);
          default -> Set.of(VerifyReport.Kind.CORRUPT, VerifyReport.Kind.METADATA);
        };
        check(kinds.stream().anyMatch(allowed::contains), "P14",
            () -> "after " + m + " verify reports " + r.problems() + "; expected a problem of kind " + allowed);
      } finally {
        m.undo();
      }
    }
  }

  /** P15: verify of an intact backup changes nothing. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p15_verify_neverModifiesTheRepository(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(realisticSmall(root.resolve("src")));
    Snapshot before = Snapshot.of(root.resolve("repo"));
    repo.verify(b.id());
    repo.verify(b.id());
    unchanged("P15", "verify of an intact backup", before, root.resolve("repo"));
  }

  /** P15: verify, of an intact or a corrupted backup, changes no last-modified time in the repository. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p15_verify_changesNoTimeInTheRepository(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    Map<String, FileTime> before = times(c.location);
    c.repo.verify(c.backup.id());
    Map<String, FileTime> after = times(c.location);
    check(before.equals(after), "P15", () -> "verify of an intact backup changed times: " + timeDifferences(before, after));
    Corruption flip = c.all.stream().filter(m -> m.kind == CorruptionKind.FLIP).findFirst().orElse(null);
    if (flip != null) {
      flip.apply();
      try {
        Map<String, FileTime> corrupted = times(c.location);
        try {
          c.repo.verify(c.backup.id());
        } catch (NoSuchBackupException gone) {
          // the backup left the listing: nothing to verify
        }
        Map<String, FileTime> later = times(c.location);
        check(corrupted.equals(later), "P15", () -> "verify after " + flip + " changed times: "
            + timeDifferences(corrupted, later));
      } finally {
        flip.undo();
      }
    }
  }

  /**
   * P32: verify with a listener reports VERIFY progress at least once per file, ending at the report's own
   * counts; a listener that throws at any call aborts the verification and changes nothing.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p32_verifyReportsProgressPerFile_andAThrowingListenerAbortsIt(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(realisticSmall(root.resolve("src")));
    List<Progress> seen = new ArrayList<>();
    VerifyReport r = repo.verify(b.id(), seen::add);
    check(r.ok(), "P32", () -> "an intact backup does not verify with a listener: " + r.problems());
    check(!seen.isEmpty(), "P32", () -> "verify told its listener nothing");
    check(seen.stream().allMatch(p -> p.phase() == Progress.Phase.VERIFY), "P32",
        () -> "verify reported another phase: " + seen);
    for (int i = 1; i < seen.size(); i++) {
      Progress prev = seen.get(i - 1);
      Progress next = seen.get(i);
      check(next.filesDone() >= prev.filesDone() && next.bytesDone() >= prev.bytesDone(), "P32",
          () -> "progress went backwards: " + prev + " then " + next);
    }
    Progress last = seen.get(seen.size() - 1);
    check(last.filesDone() == r.filesChecked() && last.bytesDone() == r.bytesChecked(), "P32",
        () -> "the last report " + last + " does not match the report's " + r.filesChecked() + " files, "
            + r.bytesChecked() + " bytes");
    Set<Long> filesDone = new TreeSet<>();
    seen.forEach(p -> filesDone.add(p.filesDone()));
    for (long k = 0; k <= r.filesChecked(); k++) {
      long files = k;
      check(filesDone.contains(files), "P32", () -> "no report with " + files + " files done (at least one per"
          + " file): " + filesDone);
    }

    Snapshot before = Snapshot.of(root.resolve("repo"));
    int limit = Math.min(seen.size(), 12);
    for (int k = 1; k <= limit; k++) {
      int abortAt = k;
      AtomicInteger n = new AtomicInteger();
      try {
        repo.verify(b.id(), p -> {
          if (n.incrementAndGet() == abortAt) {
            throw new IllegalStateException("coffer-tck: cancelled at progress call " + abortAt);
          }
        });
        throw broken("P32", "a verify whose listener threw at call " + k + " completed");
      } catch (IOException | RuntimeException expected) {
        // the listener's exception, as is or wrapped
      }
      unchanged("P32", "a verify cancelled at progress call " + k, before, root.resolve("repo"));
    }
    check(repo.verify(b.id()).ok(), "P32", () -> "after cancelled verifies the backup no longer verifies");
  }

  /** P17: a restore of a corrupted backup throws CorruptBackupException and leaves the target as it was. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreOfCorruptedBackup_throwsAndLeavesTargetUnchanged(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    Path parent = Files.createDirectories(c.root.resolve("restores"));
    int i = 0;
    for (Corruption m : c.all) {
      m.apply();
      try {
        Path target = parent.resolve("t" + i);
        if (i++ % 2 == 1) {
          Files.createDirectory(target);
        }
        Snapshot before = Snapshot.of(parent);
        try {
          c.repo.restore(c.backup.id(), target);
          if (m.kind != CorruptionKind.STRAY) {
            throw broken("P17", "restore succeeded after " + m);
          }
          // P17 is about the bytes a restore writes: a restore that ignores a stray stored file may succeed,
          // as long as it restores exactly the backup (verify still has to report the stray: P14).
          sameTree("P17", "a restore after " + m, c.source, target);
          continue;
        } catch (CorruptBackupException expected) {
          // the contract's answer
        } catch (NoSuchBackupException e) {
          check(c.repo.find(c.backup.id()).isEmpty(), "P17",
              () -> "restore after " + m + " threw NoSuchBackupException although the backup is still listed");
        } catch (IOException e) {
          throw broken("P17", "restore after " + m + " threw " + e + " instead of CorruptBackupException", e);
        }
        unchanged("P17", "a failed restore (after " + m + ") must leave the target and its parent as they were", before, parent);
      } finally {
        m.undo();
      }
    }
    check(c.repo.verify(c.backup.id()).ok(), "P15", () -> "after undoing every corruption the backup no longer verifies");
  }

  /** P17: a restore aborted at any progress call leaves the target as it was and no staging files. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p17_restoreAbortedAtAnyProgressCall_leavesTargetAsItWas(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    Path parent = Files.createDirectories(root.resolve("restores"));
    AtomicInteger calls = new AtomicInteger();
    repo.restore(RestoreRequest.of(b.id(), parent.resolve("probe")).withProgress(p -> calls.incrementAndGet()));
    FileTrees.deleteRecursively(parent.resolve("probe"));
    int limit = Math.min(calls.get(), 40);
    for (int k = 1; k <= limit; k++) {
      int abortAt = k;
      Path target = parent.resolve("t" + k);
      if (k % 2 == 0) {
        Files.createDirectory(target);
      }
      Snapshot before = Snapshot.of(parent);
      AtomicInteger n = new AtomicInteger();
      try {
        repo.restore(RestoreRequest.of(b.id(), target).withProgress(p -> {
          if (n.incrementAndGet() == abortAt) {
            throw new IllegalStateException("coffer-tck: cancelled at progress call " + abortAt);
          }
        }));
        throw broken("P17", "a restore whose listener threw at call " + k + " completed");
      } catch (IOException | RuntimeException expected) {
        // the listener's exception, as is or wrapped
      }
      unchanged("P17", "a restore cancelled at progress call " + k, before, parent);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P16, P18: restore targets

  /** P16: CREATE into a non-empty target fails with DirectoryNotEmptyException and changes nothing. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p16_restoreIntoNonEmptyTarget_failsAndLeavesTargetUnchanged(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path parent = Files.createDirectories(root.resolve("restores"));
    Path target = Files.createDirectories(parent.resolve("full"));
    Files.writeString(target.resolve("precious.txt"), "keep me");
    Snapshot before = Snapshot.of(parent);
    expect(DirectoryNotEmptyException.class, "P16", "restore into a non-empty target", () -> repo.restore(b.id(), target));
    unchanged("P16", "a refused restore into a non-empty target", before, parent);
    Path empty = Files.createDirectories(parent.resolve("empty"));
    repo.restore(b.id(), empty);
    sameTree("P16", "a restore into an empty target", Snapshot.of(source), empty);
    Path orphan = parent.resolve("no-such-parent").resolve("target");
    Snapshot before2 = Snapshot.of(parent);
    expect(IOException.class, "P16", "restore into a target whose parent does not exist", () -> repo.restore(b.id(), orphan));
    unchanged("P16", "a refused restore into a target without parent", before2, parent);
  }

  /** P16: a target that is an empty regular file is refused, and the file is left as it was. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p16_targetThatIsARegularFile_isRefusedAndLeftAsItWas(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    Path parent = Files.createDirectories(root.resolve("restores"));
    Path file = Files.createFile(parent.resolve("target-file"));
    for (RestoreMode mode : RestoreMode.values()) {
      expect(IOException.class, "P16", "a " + mode + " restore onto an existing regular file",
          () -> repo.restore(RestoreRequest.of(b.id(), file).withMode(mode)));
      check(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == 0, "P16",
          () -> "a refused " + mode + " restore changed the regular file at its target");
      Set<String> names = listNames(parent);
      check(names.equals(Set.of("target-file")), "P16", () -> "a refused " + mode + " restore left " + names);
    }
  }

  /** P18: REPLACE swaps the content when complete; with a corrupt backup the old content stays. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p18_replaceMode_swapsContentOnlyWhenCompleteAndVerified(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    Path parent = Files.createDirectories(c.root.resolve("restores"));
    Path target = Files.createDirectories(parent.resolve("target"));
    Files.writeString(target.resolve("old.txt"), "old content");
    Files.createDirectories(target.resolve("a")).resolve("x");
    c.repo.restore(RestoreRequest.of(c.backup.id(), target).withMode(RestoreMode.REPLACE));
    sameTree("P18", "a REPLACE restore", c.source, target);
    FileTrees.deleteRecursively(target);
    Files.createDirectories(target);
    Files.writeString(target.resolve("old.txt"), "old content");
    for (Corruption m : c.all) {
      if (m.kind == CorruptionKind.STRAY) {
        continue;
      }
      m.apply();
      try {
        Snapshot before = Snapshot.of(parent);
        try {
          c.repo.restore(RestoreRequest.of(c.backup.id(), target).withMode(RestoreMode.REPLACE));
          throw broken("P18", "a REPLACE restore succeeded after " + m);
        } catch (IOException expected) {
          // any failure; P17 checks the type
        }
        unchanged("P18", "a failed REPLACE restore (after " + m + ")", before, parent);
      } finally {
        m.undo();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P19, P20: partial restore and timestamps

  /** P19 with PARTIAL_RESTORE: exactly the requested paths with their parents; unknown path fails. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p19_partialRestoreCapability_restoresExactlyTheRequestedPaths(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.PARTIAL_RESTORE), "no PARTIAL_RESTORE: see the twin test");
    Path root = root(fs);
    Path source = realisticSmall(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Snapshot all = Snapshot.of(source);
    List<String> wanted = List.of("wal", "sst/L0/000011.sst", "empty");
    RestoreRequest request = RestoreRequest.of(b.id(), root.resolve("partial")).withPaths(wanted);
    Map<String, Snapshot.Entry> expectedEntries = new TreeMap<>();
    all.entries().forEach((path, entry) -> {
      boolean selected = request.selects(path)
          || wanted.stream().anyMatch(w -> RelativePaths.ancestors(w).contains(path));
      if (selected) {
        expectedEntries.put(path, entry);
      }
    });
    repo.restore(request);
    Snapshot actual = Snapshot.of(root.resolve("partial"));
    check(actual.entries().keySet().equals(expectedEntries.keySet()), "P19",
        () -> "a partial restore of " + wanted + " restored " + actual.entries().keySet() + ", expected " + expectedEntries.keySet());
    for (Map.Entry<String, Snapshot.Entry> e : expectedEntries.entrySet()) {
      check(e.getValue().same(actual.entries().get(e.getKey())), "P19", () -> e.getKey() + " differs after a partial restore");
    }
    Path parent = root;
    Snapshot before = Snapshot.of(parent.resolve("none"));
    expect(NoSuchFileException.class, "P19", "a partial restore of a path not in the backup",
        () -> repo.restore(RestoreRequest.of(b.id(), parent.resolve("none")).withPaths(List.of("no/such/path"))));
    unchanged("P19", "a refused partial restore", before, parent.resolve("none"));
  }

  /**
   * P19 with PARTIAL_RESTORE: a nested directory restores with everything below it and its parents only; a
   * request mixing known and unknown paths fails with NoSuchFileException, leaving neither a target nor a
   * staging directory behind.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p19_partialRestoreCapability_nestedDirectoriesAndMixedRequests(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.PARTIAL_RESTORE), "no PARTIAL_RESTORE: see the twin test");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    gen.file(source.resolve("a").resolve("b").resolve("more.bin"), 3000, false);
    Files.createDirectories(source.resolve("a").resolve("b").resolve("c"));
    gen.file(source.resolve("a").resolve("b").resolve("c").resolve("deep.bin"), 300, false);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path parent = Files.createDirectories(root.resolve("restores"));
    Path target = parent.resolve("nested");
    repo.restore(RestoreRequest.of(b.id(), target).withPaths(List.of("a/b")));
    Set<String> got = new TreeSet<>(Snapshot.of(target).entries().keySet());
    Set<String> want = new TreeSet<>(List.of("a", "a/b", "a/b/two.bin", "a/b/more.bin", "a/b/c", "a/b/c/deep.bin"));
    check(got.equals(want), "P19", () -> "a partial restore of a/b restored " + got + ", expected " + want);
    check(Files.readString(target.resolve("a/b/more.bin"), StandardCharsets.ISO_8859_1)
            .equals(Files.readString(source.resolve("a/b/more.bin"), StandardCharsets.ISO_8859_1)), "P19",
        () -> "a/b/more.bin differs from the source");
    Set<String> siblings = listDirectories(parent);
    check(siblings.equals(Set.of("nested")), "P19", () -> "a partial restore left " + siblings + " beside its target");
    Path mixed = parent.resolve("mixed");
    expect(NoSuchFileException.class, "P19", "a partial restore of a known and an unknown path",
        () -> repo.restore(RestoreRequest.of(b.id(), mixed).withPaths(List.of("a/one.txt", "a/no-such-file"))));
    check(!Files.exists(mixed, LinkOption.NOFOLLOW_LINKS), "P19", () -> "a refused partial restore created its target");
    Set<String> after = listDirectories(parent);
    check(after.equals(Set.of("nested")), "P19", () -> "a refused partial restore left " + after + " beside its target");
  }

  /** P19 without PARTIAL_RESTORE: a partial request is refused. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p19_noPartialRestoreCapability_partialRequestIsRefused(Fs fs) throws Exception {
    Assumptions.assumeFalse(capabilities.contains(Capability.PARTIAL_RESTORE), "PARTIAL_RESTORE declared: see the twin test");
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    Snapshot before = Snapshot.of(root);
    expect(UnsupportedOperationException.class, "P19", "a partial restore without PARTIAL_RESTORE",
        () -> repo.restore(RestoreRequest.of(b.id(), root.resolve("partial")).withPaths(List.of("a"))));
    unchanged("P19", "a refused partial restore", before, root);
  }

  /** P20 with TIMESTAMPS: restored files carry their source last-modified time to the millisecond. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p20_timestampsCapability_restoredFilesCarrySourceModifiedTimes(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.TIMESTAMPS), "no TIMESTAMPS capability: nothing to refuse");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Map<String, Long> times = new TreeMap<>();
    Instant t = Instant.parse("2021-03-04T05:06:07.123Z");
    for (String f : Snapshot.of(source).files()) {
      t = t.plus(Duration.ofMinutes(97)).plusMillis(1);
      Files.setLastModifiedTime(source.resolve(f), FileTime.from(t));
      times.put(f, t.toEpochMilli());
    }
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    for (Map.Entry<String, Long> e : times.entrySet()) {
      long actual = Files.getLastModifiedTime(target.resolve(e.getKey())).toMillis();
      check(actual == e.getValue(), "P20", () -> e.getKey() + " was restored with last-modified "
          + Instant.ofEpochMilli(actual) + ", the source had " + Instant.ofEpochMilli(e.getValue()));
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P21: containment

  /** P21: a restore creates nothing beside its target (other than its own staging, removed afterwards). */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p21_restore_changesNothingOutsideItsTarget(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = realisticSmall(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path parent = Files.createDirectories(root.resolve("restores"));
    Files.writeString(Files.createDirectories(parent.resolve("neighbour")).resolve("n.txt"), "neighbour");
    Snapshot before = Snapshot.of(parent);
    Path target = parent.resolve("target");
    repo.restore(b.id(), target);
    Map<String, Snapshot.Entry> after = new TreeMap<>(Snapshot.of(parent).entries());
    after.keySet().removeIf(p -> RelativePaths.isWithin("target", p));
    check(after.keySet().equals(before.entries().keySet()), "P21",
        () -> "a restore into " + target + " changed its parent: " + after.keySet() + " instead of " + before.entries().keySet());
    sameTree("P21", "the restore", Snapshot.of(source), target);
  }

  /** P21: stored items replaced by symbolic links to an outside directory never make restore write there. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p21_symlinksPlantedInRepository_neverMakeRestoreWriteOutsideTarget(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    Path outside = Files.createDirectories(c.root.resolve("outside"));
    Path parent = Files.createDirectories(c.root.resolve("restores"));
    List<String> planted = new ArrayList<>(c.storedDirs);
    planted.addAll(c.storedFiles);
    int i = 0;
    for (String rel : planted) {
      Path item = c.location.resolve(rel);
      Path aside = c.root.resolve("aside-" + i);
      Path decoy = outside.resolve("decoy-" + i);
      copyTree(item, decoy);
      Files.move(item, aside);
      Files.createSymbolicLink(item, decoy);
      try {
        Snapshot outsideBefore = Snapshot.of(outside);
        Path target = parent.resolve("t" + i);
        try {
          c.repo.restore(c.backup.id(), target);
        } catch (IOException refused) {
          check(!Files.exists(target, LinkOption.NOFOLLOW_LINKS), "P17", () -> "a failed restore left its target behind");
        }
        unchanged("P21", "a restore with '" + rel + "' replaced by a symbolic link to an outside directory", outsideBefore, outside);
        Set<String> leftovers = new TreeSet<>(Snapshot.of(parent).entries().keySet());
        leftovers.removeIf(p -> p.matches("t[0-9]+(/.*)?"));
        check(leftovers.isEmpty(), "P21", () -> "a restore left " + leftovers + " beside its target");
      } finally {
        Files.delete(item);
        Files.move(aside, item);
        i++;
      }
    }
  }

  /** P21: a REPLACE restore never writes through symbolic links found in the old target content. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p21_replaceRestore_neverWritesThroughLinksInOldTarget(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path outside = Files.createDirectories(root.resolve("outside"));
    Files.createDirectories(outside.resolve("b"));
    Files.writeString(outside.resolve("one.txt"), "outside one");
    Path target = Files.createDirectories(root.resolve("target"));
    Files.createSymbolicLink(target.resolve("a"), outside);
    Files.createSymbolicLink(target.resolve("three.bin"), outside.resolve("one.txt"));
    Snapshot outsideBefore = Snapshot.of(outside);
    repo.restore(RestoreRequest.of(b.id(), target).withMode(RestoreMode.REPLACE));
    unchanged("P21", "a REPLACE restore over a target holding links to an outside directory", outsideBefore, outside);
    sameTree("P21", "a REPLACE restore over links", Snapshot.of(source), target);
  }

  // ---------------------------------------------------------------------------------------------------
  // P22, P23: delete and prune

  /** P22: delete removes a backup; the others stay. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p22_delete_removesTheBackupAndKeepsOthersRestorable(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata kept = repo.backup(source);
    BackupMetadata doomed = repo.backup(source);
    repo.delete(doomed.id());
    check(repo.list().equals(List.of(kept)), "P22", () -> "after delete, list() is " + safeList(repo));
    check(repo.find(doomed.id()).isEmpty(), "P22", () -> "after delete, find() still finds it");
    expect(NoSuchBackupException.class, "P22", "restore of a deleted backup", () -> repo.restore(doomed.id(), root.resolve("x")));
    expect(NoSuchBackupException.class, "P22", "a second delete", () -> repo.delete(doomed.id()));
    Path target = root.resolve("restored");
    repo.restore(kept.id(), target);
    sameTree("P22", "the backup that was kept", Snapshot.of(source), target);
    try (BackupRepository again = provider().open(root.resolve("repo"), options())) {
      check(again.list().equals(List.of(kept)), "P22", () -> "after delete and reopen, list() is " + safeList(again));
    }
  }

  /** P22 with INDEPENDENT_INCREMENTALS: deleting a base leaves its dependents restorable. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p22_independentIncrementals_deletingBaseKeepsDependentsRestorable(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.INCREMENTAL) && capabilities.contains(Capability.INDEPENDENT_INCREMENTALS),
        "no INDEPENDENT_INCREMENTALS: see the twin test");
    Path root = root(fs);
    Path source = realisticSmall(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata base = repo.backup(source);
    mutate(source);
    BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()));
    repo.delete(base.id());
    check(repo.list().equals(List.of(inc)), "P22", () -> "after deleting the base, list() is " + safeList(repo));
    check(repo.verify(inc.id()).ok(), "P22", () -> "a dependent no longer verifies after its base was deleted");
    Path target = root.resolve("restored");
    repo.restore(inc.id(), target);
    sameTree("P22", "a dependent restored after its base was deleted", Snapshot.of(source), target);
  }

  /** P22 without INDEPENDENT_INCREMENTALS: deleting a base with dependents is refused, nothing changes. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p22_dependentIncrementals_deletingBaseIsRefusedWithBackupInUse(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.INCREMENTAL) && !capabilities.contains(Capability.INDEPENDENT_INCREMENTALS),
        "INDEPENDENT_INCREMENTALS declared or no INCREMENTAL: see the twin test");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata base = repo.backup(source);
    mutate(source);
    BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()));
    Snapshot before = Snapshot.of(root.resolve("repo"));
    BackupInUseException e = expect(BackupInUseException.class, "P22", "delete of a base with a dependent", () -> repo.delete(base.id()));
    check(e.dependents().contains(inc.backupId()), "P22", () -> "BackupInUseException names dependents " + e.dependents() + ", not " + inc.backupId());
    unchanged("P22", "a refused delete", before, root.resolve("repo"));
    repo.delete(inc.id());
    repo.delete(base.id());
    check(repo.list().isEmpty(), "P22", () -> "after deleting dependent then base, list() is " + safeList(repo));
  }

  /** P23: prune deletes exactly what RetentionPolicy.select chooses and keeps the rest restorable. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p23_prune_deletesExactlyWhatThePolicySelects(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    boolean incremental = capabilities.contains(Capability.INCREMENTAL);
    Map<String, Snapshot> states = new HashMap<>();
    BackupMetadata previous = null;
    for (int i = 0; i < 5; i++) {
      Files.writeString(source.resolve("round.txt"), "round " + i);
      BackupRequest request = incremental && previous != null && i % 2 == 1
          ? BackupRequest.incremental(source, previous.id()) : BackupRequest.full(source);
      previous = repo.backup(request);
      states.put(previous.backupId(), Snapshot.of(source));
    }
    List<BackupMetadata> all = repo.list();
    RetentionPolicy policy = RetentionPolicy.keepLast(1);
    List<BackupMetadata> expected = repo.pruneCandidates(policy);
    check(repo.list().equals(all), "P23", () -> "pruneCandidates changed the repository: list() is " + safeList(repo));
    check(expected.size() < all.size() && !expected.contains(all.get(0)), "P23",
        () -> "pruneCandidates(keepLast(1)) names " + ids(expected) + " of " + ids(all));
    List<BackupMetadata> pruned = repo.prune(policy);
    check(pruned.equals(expected), "P23", () -> "prune(keepLast(1)) deleted " + ids(pruned) + ", pruneCandidates named " + ids(expected));
    List<BackupMetadata> remaining = new ArrayList<>(all);
    remaining.removeAll(expected);
    check(repo.list().equals(remaining), "P23", () -> "after prune, list() is " + safeList(repo) + ", expected " + ids(remaining));
    int i = 0;
    for (BackupMetadata m : remaining) {
      Path target = root.resolve("kept-" + i++);
      repo.restore(m.id(), target);
      sameTree("P23", "a backup kept by prune", states.get(m.backupId()), target);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // P24: unknown ids

  /** P24: unknown, malformed and hostile ids throw NoSuchBackupException; find is empty. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p24_unknownMalformedAndHostileIds_throwNoSuchBackup(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    Snapshot before = Snapshot.of(root);
    List<String> hostile = List.of(BackupIds.newId().value(), "no-such-backup", "../x", "..", ".", "", "a/b", "/etc/passwd",
        "..\\x", "C:\\x", "repo", b.backupId() + "/..", b.backupId().toUpperCase(java.util.Locale.ROOT) + "x", " ", "\u0000");
    for (String id : hostile) {
      expectUnknownId(repo, root, id, id.replace("\u0000", "\\0"));
    }
    unchanged("P24", "operations on unknown ids", before, root);
    check(repo.list().equals(List.of(b)), "P24", () -> "operations on unknown ids changed list()");
  }

  /**
   * P24: an id in other case than a real one (macOS and Windows look names up case-insensitively), a very
   * long id and a path into a sibling repository are unknown ids: nothing is deleted, read or restored, in
   * this repository or the sibling.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p24_caseVariantsLongIdsAndSiblingRepositoryPaths_areUnknownIds(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupRepository sibling = open(root.resolve("other-repo"));
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    BackupMetadata o = sibling.backup(smallTree(root.resolve("src2")));
    Snapshot before = Snapshot.of(root);
    List<String> hostile = new ArrayList<>();
    String upper = b.backupId().toUpperCase(java.util.Locale.ROOT);
    if (!upper.equals(b.backupId())) {
      hostile.add(upper);
      hostile.add(upper.charAt(0) + b.backupId().substring(1));
      hostile.add(b.backupId().substring(0, b.backupId().length() - 1)
          + upper.charAt(upper.length() - 1));
    }
    hostile.removeIf(id -> id.equals(b.backupId()));
    hostile.addAll(List.of("a".repeat(129), "a".repeat(5000), "../other-repo/" + o.backupId(), "../other-repo",
        o.backupId(), "..%2Fother-repo%2F" + o.backupId(), "./" + b.backupId(), b.backupId() + "/", b.backupId() + " "));
    for (String id : hostile) {
      expectUnknownId(repo, root, id, id.length() > 40 ? id.substring(0, 40) + "... (" + id.length() + " characters)" : id);
    }
    unchanged("P24", "operations on case variants, long ids and sibling paths", before, root);
    check(repo.list().equals(List.of(b)), "P24", () -> "operations on hostile ids changed list(): " + safeList(repo));
    check(sibling.list().equals(List.of(o)), "P24", () -> "operations on hostile ids changed the sibling repository");
  }

  // ---------------------------------------------------------------------------------------------------
  // P25, P26: encryption and compression

  /** P25 with ENCRYPTION: no planted plaintext, in content or names, appears in any stored byte. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p25_encryptionCapability_noPlantedPlaintextInStoredBytes(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.ENCRYPTION), "no ENCRYPTION capability: nothing to refuse");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    String marker = "CofferTckPlaintextMarker" + Long.toHexString(seed);
    String nameMarker = "coffertckname" + Long.toHexString(seed & 0xffffff);
    String dirMarker = "coffertckdir" + Long.toHexString(seed & 0xffffff);
    Files.writeString(source.resolve(nameMarker + ".txt"), (marker + "\n").repeat(50));
    Files.createDirectories(source.resolve(dirMarker).resolve("empty-" + dirMarker));
    Files.writeString(source.resolve(dirMarker).resolve("inner.txt"), "inner");
    BackupRepository repo = open(root.resolve("repo"));
    repo.backup(source);
    for (Map.Entry<String, Snapshot.Entry> e : Snapshot.of(root.resolve("repo")).entries().entrySet()) {
      check(!e.getKey().contains(nameMarker) && !e.getKey().contains(dirMarker), "P25",
          () -> "a stored name reveals a source file or directory name: " + e.getKey());
      byte[] bytes = e.getValue().bytes();
      if (bytes != null) {
        for (String needle : List.of(marker, nameMarker, dirMarker)) {
          check(indexOf(bytes, needle.getBytes(StandardCharsets.UTF_8)) < 0
                  && indexOf(bytes, needle.getBytes(StandardCharsets.UTF_16LE)) < 0, "P25",
              () -> "stored file " + e.getKey() + " contains the planted plaintext '" + needle + "'");
        }
      }
    }
  }

  /** P25 with ENCRYPTION: a wrong key fails with WrongKeyException before anything is written. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p25_encryptionCapability_wrongKeyFailsBeforeAnythingIsWritten(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.ENCRYPTION), "no ENCRYPTION capability: nothing to refuse");
    Map<String, String> wrong = new LinkedHashMap<>(options());
    boolean changed = false;
    for (OptionInfo o : provider.options()) {
      String v = wrong.get(o.name());
      if (o.secret() && v != null && !v.isEmpty()) {
        wrong.put(o.name(), otherValueLike(v));
        changed = true;
      }
    }
    Assumptions.assumeTrue(changed, "P25 wrong key not exercised: options() gives no secret option a value");
    Path root = root(fs);
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    repo.close();
    Snapshot before = Snapshot.of(root);
    BackupRepository other;
    try {
      other = open(location, provider(), wrong);
    } catch (WrongKeyException | IllegalArgumentException refusedAtOpen) {
      unchanged("P25", "an open with a wrong key", before, root);
      return;
    }
    expect(WrongKeyException.class, "P25", "restore with a wrong key", () -> other.restore(b.id(), root.resolve("t")));
    unchanged("P25", "a restore with a wrong key", before, root);
    // the writer side: a backup with a wrong key into an existing encrypted repository is refused
    Path source = smallTree(root.resolve("src2"));
    Snapshot beforeBackup = Snapshot.of(location);
    expect(WrongKeyException.class, "P25", "a backup with a wrong key into an existing encrypted repository",
        () -> other.backup(source));
    unchanged("P25", "a refused backup with a wrong key", beforeBackup, location);
  }

  /** P26 with COMPRESSION: compressible data is stored in fewer bytes than its logical size. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p26_compressionCapability_compressibleDataIsStoredSmaller(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.COMPRESSION), "no COMPRESSION capability: nothing to refuse");
    Path root = root(fs);
    Path source = Files.createDirectories(root.resolve("src"));
    gen.file(source.resolve("table.dat"), 1 << 20, true);
    Files.write(source.resolve("zeros.dat"), new byte[1 << 19]);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    long size = repo.storedBytes(b.id());
    check(size < b.totalBytes(), "P26", () -> "size(id) is " + size + " bytes for " + b.totalBytes() + " bytes of compressible data");
  }

  // ---------------------------------------------------------------------------------------------------
  // P27 to P31: modes, never more open, owners, special files, followed links

  /** The modes {@link #posixTree} gives its entries, by relative path ("" is the root). */
  private static final Map<String, Integer> POSIX_TREE_MODES = posixTreeModes();

  private static Map<String, Integer> posixTreeModes() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("", 0750);
    m.put("a", 0700);
    m.put("a/b", 0755);
    m.put("a/one.txt", 0600);
    m.put("a/b/two.bin", 0640);
    m.put("three.bin", 0755);
    m.put("empty.txt", 0444);
    m.put("emptydir", 0500);
    return Collections.unmodifiableMap(m);
  }

  /** P27 with POSIX_ATTRIBUTES: every file and directory, and the target itself, gets its recorded mode. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p27_posixAttributesCapability_everyEntryAndTheTargetGetTheirRecordedMode(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.POSIX_ATTRIBUTES), "no POSIX_ATTRIBUTES: see the twin test");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX permissions on windows: see p27_sourceWithoutPosixAttributes...");
    Path root = posixRoot(fs);
    Path source = posixTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    for (Map.Entry<String, Integer> e : POSIX_TREE_MODES.entrySet()) {
      Path p = e.getKey().isEmpty() ? target : target.resolve(e.getKey());
      int actual = mode(p);
      check(actual == e.getValue(), "P27", () -> (e.getKey().isEmpty() ? "the target directory" : e.getKey())
          + " was restored with mode " + octal(actual) + ", the source had " + octal(e.getValue()));
    }
    makeWritable(target);
    sameTree("P27", "a restore with modes", Snapshot.of(source), target);
    Path partial = root.resolve("partial");
    if (capabilities.contains(Capability.PARTIAL_RESTORE)) {
      repo.restore(RestoreRequest.of(b.id(), partial).withPaths(List.of("a/one.txt")));
      check(mode(partial.resolve("a/one.txt")) == 0600, "P27", () -> "a partial restore lost the mode of a/one.txt");
      makeWritable(partial);
    }
  }

  /** P27 without POSIX_ATTRIBUTES: restored entries get the target file system's defaults, nothing else. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p27_noPosixAttributesCapability_restoredEntriesGetTheDefaults(Fs fs) throws Exception {
    Assumptions.assumeFalse(capabilities.contains(Capability.POSIX_ATTRIBUTES), "POSIX_ATTRIBUTES declared: see the twin");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX permissions on windows");
    Path root = posixRoot(fs);
    Path source = posixTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    checkDefaults("P27", root, target, POSIX_TREE_MODES.keySet());
  }

  /** P27: a source without POSIX attributes (Jimfs windows) restores onto a POSIX target with its defaults. */
  @Test
  public void p27_sourceWithoutPosixAttributes_restoresWithTheTargetsDefaults() throws Exception {
    Path source = smallTree(root(Fs.WINDOWS).resolve("src"));
    Path target = posixRoot(Fs.UNIX);
    BackupRepository repo = open(root(Fs.UNIX).resolve("repo"));
    BackupMetadata b = repo.backup(source);
    repo.restore(b.id(), target.resolve("restored"));
    sameTree("P27", "a restore of a source without POSIX attributes", Snapshot.of(source), target.resolve("restored"));
    Set<String> entries = new TreeSet<>(Snapshot.of(source).entries().keySet());
    entries.add("");
    checkDefaults("P27", target, target.resolve("restored"), entries);
  }

  /**
   * P28 with POSIX_ATTRIBUTES: at no moment of a restore does an entry grant group or others more than its
   * recorded mode. Every entry is checked as it is created, after each change of its permissions or owner,
   * and the staging directory before it is moved into place.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p28_posixAttributesCapability_nothingIsEverMoreOpenThanRecorded(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.POSIX_ATTRIBUTES), "no POSIX_ATTRIBUTES: see p27's twin");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX permissions on windows");
    Path plain = posixRoot(fs);
    Path source = posixTree(plain.resolve("src"));
    BackupRepository repo = open(plain.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    FaultyFileSystem faulty = FaultyFileSystem.wrap(plain.getFileSystem());
    Path parent = faulty.wrap(Files.createDirectories(plain.resolve("restores")));
    Path target = parent.resolve("target");
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger seen = new AtomicInteger();
    faulty.watchAttributes(p -> {
      if (!p.startsWith(parent) || p.equals(parent)) {
        return;
      }
      Path rel = parent.relativize(p);
      String entry = rel.getNameCount() == 1 ? "" : rel.subpath(1, rel.getNameCount()).toString()
          .replace(p.getFileSystem().getSeparator(), "/");
      Integer recorded = POSIX_TREE_MODES.get(entry);
      try {
        if (recorded == null || Files.isSymbolicLink(p) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          return;
        }
        seen.incrementAndGet();
        int now = mode(p);
        if ((now & 077 & ~recorded) != 0) {
          violations.add((entry.isEmpty() ? "the staging directory" : entry) + " was " + octal(now) + " at one moment,"
              + " its recorded mode is " + octal(recorded));
        }
      } catch (IOException e) {
        violations.add("cannot read the mode of " + p + ": " + e);
      }
    });
    repo.restore(b.id(), target);
    faulty.watchAttributes(null);
    check(violations.isEmpty(), "P28", () -> "the restore exposed entries: " + violations);
    check(seen.get() >= POSIX_TREE_MODES.size(), "P28", () -> "only " + seen.get() + " moments of "
        + POSIX_TREE_MODES.size() + " entries were observed: the restore did not create its entries in the target's"
        + " file system beside the target");
    makeWritable(plain.resolve("restores"));
  }

  /** P29 with POSIX_ATTRIBUTES: owners and groups are applied by the policy; CURRENT changes none. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p29_posixAttributesCapability_ownersFollowThePolicy(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.POSIX_ATTRIBUTES), "no POSIX_ATTRIBUTES: see the twin test");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX owners on windows");
    Path root = posixRoot(fs);
    Path source = posixTree(root.resolve("src"));
    Optional<String[]> other = otherOwner(source);
    Assumptions.assumeTrue(other.isPresent(), "the real disk needs root to give a file another owner");
    Path file = source.resolve("a/one.txt");
    setOwner(file, other.get());
    setOwner(source, other.get());
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path auto = root.resolve("auto");
    repo.restore(b.id(), auto);
    for (Path p : List.of(auto.resolve("a/one.txt"), auto)) {
      String[] actual = owner(p);
      check(actual[0].equals(other.get()[0]) && actual[1].equals(other.get()[1]), "P29", () -> p + " belongs to "
          + actual[0] + ":" + actual[1] + " after an AUTO restore, the source to " + other.get()[0] + ":" + other.get()[1]);
    }
    Path current = root.resolve("current");
    repo.restore(RestoreRequest.of(b.id(), current).withOwners(OwnerPolicy.CURRENT));
    String[] mine = owner(Files.writeString(root.resolve("probe-owner"), "x"));
    String[] kept = owner(current.resolve("a/one.txt"));
    check(Arrays.equals(kept, mine), "P29", () -> "a CURRENT restore gave a/one.txt the owner " + String.join(":", kept)
        + " instead of the restoring user's " + String.join(":", mine));
    makeWritable(auto);
    makeWritable(current);
  }

  /** P29 with POSIX_ATTRIBUTES: when owners may not be changed, AUTO warns once and succeeds; PRESERVE fails. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p29_ownerChangesNotPermitted_autoWarnsOnceAndSucceeds_preserveFailsChangingNothing(Fs fs)
      throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.POSIX_ATTRIBUTES), "no POSIX_ATTRIBUTES: see the twin test");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX owners on windows");
    Path plain = posixRoot(fs);
    Path source = posixTree(plain.resolve("src"));
    Optional<String[]> other = otherOwner(source);
    Assumptions.assumeTrue(other.isPresent(), "the real disk needs root to give a file another owner");
    for (String f : List.of("a/one.txt", "a/b/two.bin", "three.bin")) {
      setOwner(source.resolve(f), other.get());
    }
    BackupRepository repo = open(plain.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    FaultyFileSystem faulty = FaultyFileSystem.wrap(plain.getFileSystem());
    faulty.refuseOwnerChanges(true);
    Path parent = faulty.wrap(Files.createDirectories(plain.resolve("restores")));
    List<LogRecord> warnings = Collections.synchronizedList(new ArrayList<>());
    Logger log = Logger.getLogger("dev.coffer.restore");
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(handler);
    try {
      repo.restore(b.id(), parent.resolve("auto"));
    } catch (IOException e) {
      throw broken("P29", "an AUTO restore failed because owners could not be set: " + e, e);
    } finally {
      log.removeHandler(handler);
    }
    check(warnings.size() == 1, "P29", () -> "an AUTO restore that could not set owners logged " + warnings.size()
        + " warnings on dev.coffer.restore; expected exactly one");
    sameTree("P29", "an AUTO restore without owners", Snapshot.of(source), parent.resolve("auto"));
    Snapshot before = Snapshot.of(parent);
    expect(IOException.class, "P29", "a PRESERVE restore that cannot set owners",
        () -> repo.restore(RestoreRequest.of(b.id(), parent.resolve("preserve")).withOwners(OwnerPolicy.PRESERVE)));
    unchanged("P29", "a failed PRESERVE restore", before, parent);
    makeWritable(plain.resolve("restores"));
  }

  /** P29 without POSIX_ATTRIBUTES: no owner is recorded, so even PRESERVE restores as the restoring user. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p29_noPosixAttributesCapability_restoredFilesBelongToTheRestoringUser(Fs fs) throws Exception {
    Assumptions.assumeFalse(capabilities.contains(Capability.POSIX_ATTRIBUTES), "POSIX_ATTRIBUTES declared: see the twin");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX owners on windows");
    Path plain = posixRoot(fs);
    Path source = posixTree(plain.resolve("src"));
    otherOwner(source).ifPresent(o -> {
      try {
        setOwner(source.resolve("a/one.txt"), o);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    BackupRepository repo = open(plain.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    FaultyFileSystem faulty = FaultyFileSystem.wrap(plain.getFileSystem());
    faulty.refuseOwnerChanges(true);
    Path target = faulty.wrap(plain).resolve("restored");
    try {
      repo.restore(RestoreRequest.of(b.id(), target).withOwners(OwnerPolicy.PRESERVE));
    } catch (IOException e) {
      throw broken("P29", "a provider without POSIX_ATTRIBUTES tried to set owners: " + e, e);
    }
    String[] mine = owner(Files.writeString(plain.resolve("probe-owner"), "x"));
    String[] got = owner(target.resolve("a/one.txt"));
    check(Arrays.equals(got, mine), "P29", () -> "a/one.txt belongs to " + String.join(":", got)
        + ", not to the restoring user " + String.join(":", mine));
  }

  /**
   * P30: a socket in the source is skipped and listed in the backup's warnings (required with
   * POSIX_ATTRIBUTES), or the backup is refused naming it; under SpecialFiles.FAIL it is refused. Never
   * skipped silently. Sockets exist only on the real disk.
   */
  @Test
  public void p30_specialFiles_areSkippedAndReportedOrRefused_neverSilently() throws Exception {
    Path root = root(Fs.DISK);
    Path source = smallTree(root.resolve("src"));
    Snapshot expected = Snapshot.of(source);
    BackupRepository repo = open(root.resolve("repo"));
    try (ServerSocketChannel server =
        ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(source.resolve("a").resolve("coffer.sock")));
      Snapshot before = Snapshot.of(root.resolve("repo"));
      BackupMetadata b = null;
      try {
        b = repo.backup(source);
      } catch (BackupException e) {
        check(!capabilities.contains(Capability.POSIX_ATTRIBUTES), "P30",
            () -> "a provider with POSIX_ATTRIBUTES refused a source holding a socket instead of skipping it: " + e);
        check(String.valueOf(e.getMessage()).contains("coffer.sock"), "P30",
            () -> "the refusal does not name the socket: " + e.getMessage());
        unchanged("P30", "a refused backup", before, root.resolve("repo"));
      }
      if (b != null) {
        BackupId id = b.id();
        BackupWarning want = new BackupWarning("a/coffer.sock", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket");
        check(b.warnings().contains(want), "P30", () -> "the socket was skipped without a warning: " + warningsOf(repo, id));
        check(repo.find(id).orElseThrow().warnings().contains(want), "P30",
            () -> "the warning is not kept with the backup: find() gives " + warningsOf(repo, id));
        Path target = root.resolve("restored");
        repo.restore(id, target);
        sameTree("P30", "a restore of a source with a skipped socket", expected, target);
      }
      refusedNaming("P30", "a backup under SpecialFiles.FAIL of a source with a socket", "coffer.sock",
          root.resolve("repo"), () -> repo.backup(BackupRequest.full(source).withSpecialFiles(SpecialFiles.FAIL)));
    }
  }

  /** P30: a name that is not valid UTF-8 is refused with its bytes in hex (where the disk allows such names). */
  @Test
  public void p30_nameThatIsNotUtf8_isRefusedShowingItsBytes() throws Exception {
    Path root = root(Fs.DISK);
    Path source = smallTree(root.resolve("src"));
    Process p = new ProcessBuilder("sh", "-c", "touch \"$1/$(printf 'x\\377y')\"", "sh", source.resolve("a").toString())
        .redirectErrorStream(true).start();
    Assumptions.assumeTrue(p.waitFor() == 0, "this disk refuses names that are not UTF-8");
    BackupRepository repo = open(root.resolve("repo"));
    refusedNaming("P30", "a backup of a name that is not UTF-8", "78 ff 79", root.resolve("repo"),
        () -> repo.backup(source));
  }

  /**
   * P31: links matching the request's followed-link patterns are stored as their targets' content and
   * restored as real directories (required with POSIX_ATTRIBUTES); a provider that cannot follow them refuses
   * the backup. An unnamed link is never followed.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p31_followedLinks_areStoredAsTheirTargetsOrRefused(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path wal = smallTree(root.resolve("wal-elsewhere"));
    Path space = Files.createDirectories(root.resolve("space"));
    Files.writeString(space.resolve("16385"), "table");
    Files.createDirectories(source.resolve("pg_tblspc"));
    Files.createSymbolicLink(source.resolve("pg_wal"), wal);
    Files.createSymbolicLink(source.resolve("pg_tblspc").resolve("16384"), space);
    BackupRepository repo = open(root.resolve("repo"));
    Snapshot before = Snapshot.of(root.resolve("repo"));
    BackupRequest request = BackupRequest.full(source).withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*"));
    BackupMetadata b;
    try {
      b = repo.backup(request);
    } catch (UnsupportedOperationException | BackupException e) {
      check(!capabilities.contains(Capability.POSIX_ATTRIBUTES), "P31",
          () -> "a provider with POSIX_ATTRIBUTES refused to follow links: " + e);
      check(e instanceof UnsupportedOperationException || String.valueOf(e.getMessage()).contains("pg_"), "P31",
          () -> "the refusal names neither the capability nor the link: " + e.getMessage());
      unchanged("P31", "a refused backup", before, root.resolve("repo"));
      return;
    }
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    check(Files.isDirectory(target.resolve("pg_wal"), LinkOption.NOFOLLOW_LINKS), "P31",
        () -> "pg_wal was not restored as a real directory");
    sameTree("P31", "the followed pg_wal", Snapshot.of(wal), target.resolve("pg_wal"));
    sameTree("P31", "the followed tablespace", Snapshot.of(space), target.resolve("pg_tblspc").resolve("16384"));
    long restoredFiles = Snapshot.of(target).fileCount();
    check(b.totalFiles() == restoredFiles, "P31", () -> "totalFiles is " + b.totalFiles() + " for " + restoredFiles
        + " files stored, followed targets included");
    check(Files.isSymbolicLink(source.resolve("pg_wal")), "P31", () -> "the backup changed the source's link");
  }

  /**
   * P24 for one id: a well-formed unknown id is refused by every operation with NoSuchBackupException; a
   * malformed one cannot even be made into a BackupId, so it never reaches the provider.
   */
  private void expectUnknownId(BackupRepository repo, Path root, String text, String shown) throws IOException {
    if (!BackupId.isValid(text)) {
      expect(IllegalArgumentException.class, "P24", "BackupId.of('" + shown + "')", () -> BackupId.of(text));
      return;
    }
    BackupId id = BackupId.of(text);
    expect(NoSuchBackupException.class, "P24", "delete of id '" + shown + "'", () -> repo.delete(id));
    expect(NoSuchBackupException.class, "P24", "restore of id '" + shown + "'", () -> repo.restore(id, root.resolve("t")));
    expect(NoSuchBackupException.class, "P24", "verify of id '" + shown + "'", () -> repo.verify(id));
    expect(NoSuchBackupException.class, "P24", "storedBytes of id '" + shown + "'", () -> repo.storedBytes(id));
    Optional<BackupMetadata> found = repo.find(id);
    check(found.isEmpty(), "P24", () -> "find('" + shown + "') found " + found);
  }

  private static String warningsOf(BackupRepository repo, BackupId id) {
    try {
      return repo.find(id).map(m -> m.warnings().toString()).orElse("(not found)");
    } catch (IOException e) {
      return "(find failed: " + e + ")";
    }
  }

  /** A root on a file system with POSIX permissions and owners where {@code fs} can have them. */
  private Path posixRoot(Fs fs) throws IOException {
    switch (fs) {
      case UNIX:
        return jimfs(Configuration.unix(), "/work", "basic", "owner", "posix", "unix");
      case OSX:
        return jimfs(Configuration.osX(), "/work", "basic", "owner", "posix", "unix");
      default:
        return root(fs);
    }
  }

  /** {@link #smallTree} with the modes of {@link #POSIX_TREE_MODES}, read-only entries included. */
  private Path posixTree(Path dir) throws IOException {
    smallTree(dir);
    List<String> deepestFirst = new ArrayList<>(POSIX_TREE_MODES.keySet());
    deepestFirst.sort(RelativePaths.ORDER.reversed());
    for (String e : deepestFirst) {
      Files.setPosixFilePermissions(e.isEmpty() ? dir : dir.resolve(e), toSet(POSIX_TREE_MODES.get(e)));
    }
    cleanup.add(() -> makeWritable(dir));
    return dir;
  }

  /** Gives the owner write access everywhere below {@code dir}, so that clean-up can delete it. */
  private static void makeWritable(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (!Files.isSymbolicLink(p)) {
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
          perms.add(PosixFilePermission.OWNER_WRITE);
          perms.add(PosixFilePermission.OWNER_READ);
          perms.add(PosixFilePermission.OWNER_EXECUTE);
          Files.setPosixFilePermissions(p, perms);
        }
      }
    }
  }

  /** Each listed entry below {@code target} has the mode a fresh file or directory gets on its file system. */
  private void checkDefaults(String rule, Path scratch, Path target, Set<String> entries) throws IOException {
    Path probeDir = Files.createDirectory(scratch.resolve("probe-dir-" + gen.nextInt(1_000_000)));
    int fileDefault = mode(Files.writeString(probeDir.resolve("f"), "x"));
    int dirDefault = mode(probeDir);
    for (String e : entries) {
      Path p = e.isEmpty() ? target : target.resolve(e);
      if (Files.isSymbolicLink(p)) {
        continue;
      }
      int want = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? dirDefault : fileDefault;
      int actual = mode(p);
      check(actual == want, rule, () -> (e.isEmpty() ? "the target directory" : e) + " was restored with mode "
          + octal(actual) + ", not the file system's default " + octal(want) + " (no recorded attributes)");
    }
  }

  /** Another owner and group for a file on {@code dir}'s file system, where one may be set. */
  private static Optional<String[]> otherOwner(Path dir) throws IOException {
    if (dir.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
      return Optional.of(new String[] {"coffer-tck-owner", "coffer-tck-group"});
    }
    Object uid = Files.getAttribute(dir, "unix:uid");
    if (!Integer.valueOf(0).equals(uid)) {
      return Optional.empty();
    }
    for (String[] candidate : new String[][] {{"nobody", "nogroup"}, {"nobody", "nobody"}, {"daemon", "daemon"}}) {
      try {
        var lookup = dir.getFileSystem().getUserPrincipalLookupService();
        lookup.lookupPrincipalByName(candidate[0]);
        lookup.lookupPrincipalByGroupName(candidate[1]);
        return Optional.of(candidate);
      } catch (UserPrincipalNotFoundException e) {
        // try the next
      }
    }
    return Optional.empty();
  }

  private static void setOwner(Path p, String[] ownerAndGroup) throws IOException {
    var lookup = p.getFileSystem().getUserPrincipalLookupService();
    var view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    view.setOwner(lookup.lookupPrincipalByName(ownerAndGroup[0]));
    view.setGroup(lookup.lookupPrincipalByGroupName(ownerAndGroup[1]));
  }

  private static String[] owner(Path p) throws IOException {
    PosixFileAttributes a =
        Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return new String[] {a.owner().getName(), a.group().getName()};
  }

  private static int mode(Path p) throws IOException {
    int bits = 0;
    for (PosixFilePermission perm : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
      bits |= 1 << (8 - perm.ordinal());
    }
    return bits;
  }

  private static Set<PosixFilePermission> toSet(int mode) {
    Set<PosixFilePermission> set = new HashSet<>();
    for (PosixFilePermission perm : PosixFilePermission.values()) {
      if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
        set.add(perm);
      }
    }
    return set;
  }

  private static String octal(int mode) {
    return String.format("0%03o", mode);
  }

  // ---------------------------------------------------------------------------------------------------
  // P33: host hooks

  /** P33: entries matching the exclusion patterns are left out, unread, subtrees and all; the rest is stored. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_excludedEntries_areLeftOutWithoutBeingRead(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Files.writeString(source.resolve("server.pid"), "4711");
    Files.createDirectories(source.resolve("log").resolve("archive"));
    gen.file(source.resolve("log").resolve("000001"), 2000, false);
    gen.file(source.resolve("log").resolve("archive").resolve("000000"), 700, false);
    gen.file(source.resolve("a").resolve("b").resolve("tmp.1"), 100, false);
    // a broken link: stored, it shows in the restore; named as followed (P31), reading it fails the backup
    Files.createSymbolicLink(source.resolve("gone"), root.resolve("no-such-directory"));
    Path expectedDir = root.resolve("expected");
    copyTree(source, expectedDir); // links are not copied
    Files.delete(expectedDir.resolve("server.pid"));
    FileTrees.deleteRecursively(expectedDir.resolve("log").resolve("archive"));
    Files.delete(expectedDir.resolve("log").resolve("000001"));
    Files.delete(expectedDir.resolve("a").resolve("b").resolve("tmp.1"));
    Snapshot expected = Snapshot.of(expectedDir);
    BackupRepository repo = open(root.resolve("repo"));
    BackupRequest request = BackupRequest.full(source).withExcluded(Set.of("server.pid", "log/*", "a/b/tmp.?", "gone"));
    if (capabilities.contains(Capability.POSIX_ATTRIBUTES)) { // followed links are required with it (P31)
      request = request.withFollowedLinks(Set.of("gone"));
    }
    BackupMetadata b;
    try {
      b = repo.backup(request);
    } catch (IOException e) {
      throw broken("P33", "a backup whose excluded entries cannot be read failed: " + e, e);
    }
    holdsExactly("a backup with exclusions (log/* keeps log, empty)", repo, b, expected, root.resolve("restored"));
  }

  /**
   * P33: a host source's finish runs once, after every source file is copied (it rewrites them all, and the
   * backup holds what they were before) and before publication; its files (merged into the source's
   * directories) and labels are in the backup and count in its totals; close follows.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_finish_runsOnceAfterTheCopyBeforePublication_andItsFilesAndLabelsAreInTheBackup(Fs fs)
      throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Files.createDirectories(source.resolve("log"));
    gen.file(source.resolve("log").resolve("000001"), 3000, false);
    Files.writeString(source.resolve("server.pid"), "4711");
    Path expectedDir = root.resolve("expected");
    copyTree(source, expectedDir); // the source as it is copied, before the finisher changes it
    Files.delete(expectedDir.resolve("server.pid"));
    Set<String> sourceFiles = Snapshot.of(expectedDir).files();
    Path end = root.resolve("end");
    BackupRepository repo = open(root.resolve("repo"));
    List<BackupMetadata> before = repo.list();
    List<String> events = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    BackupSource host = new BackupSource() {
      @Override
      public Path directory() {
        return source;
      }

      @Override
      public Map<String, String> labels() {
        return Map.of("start", "0/1");
      }

      @Override
      public Set<String> excluded() {
        return Set.of("server.pid");
      }

      @Override
      public SourceEnd finish() throws IOException {
        events.add("finish");
        if (!repo.list().equals(before)) {
          wrong.add("list() already shows the backup when finish runs");
        }
        for (String f : sourceFiles) { // the host goes on writing; what it writes now must not reach the backup
          Files.writeString(source.resolve(f), "changed after the copy of " + f);
        }
        Files.createDirectories(end.resolve("log"));
        Files.createDirectories(end.resolve("extra").resolve("empty"));
        gen.file(end.resolve("log").resolve("000002"), 1500, false);
        Files.writeString(end.resolve("backup_label"), "START 0/1\nSTOP 0/2\n");
        return new SourceEnd(end, Map.of("stop", "0/2"));
      }

      @Override
      public void completed(BackupMetadata backup) {
        events.add("completed");
      }

      @Override
      public void close() {
        events.add("close");
      }
    };
    BackupMetadata b;
    try {
      b = repo.backup(host);
    } catch (IOException e) {
      throw broken("P33", "a backup with a finisher failed: " + e, e);
    }
    check(events.equals(List.of("finish", "completed", "close")), "P33",
        () -> "the host's calls were " + events + "; expected finish once, then completed and close");
    check(wrong.isEmpty(), "P33", () -> String.join("; ", wrong));
    check(b.labels().equals(Map.of("start", "0/1", "stop", "0/2")), "P33",
        () -> "labels are " + b.labels() + "; expected the source's and the finisher's");
    copyTree(end, expectedDir);
    Snapshot expected = Snapshot.of(expectedDir);
    check(repo.list().stream().anyMatch(m -> m.equals(b)), "P33", () -> "list() does not show the finished backup");
    holdsExactly("a backup with a finisher's files", repo, b, expected, root.resolve("restored"));
  }

  /** P33: progress goes on through the finisher's files: the last report counts them in done and total. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_finisherFiles_areCountedByProgress(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path end = Files.createDirectories(root.resolve("end").resolve("a"));
    gen.file(end.resolve("added.bin"), 4000, false);
    List<dev.coffer.Progress> reports = new ArrayList<>();
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(BackupRequest.full(source).withProgress(reports::add)
        .withFinisher(() -> new SourceEnd(end.getParent(), null)));
    check(b.totalFiles() == Snapshot.of(source).fileCount() + 1, "P33", () -> "totalFiles " + b.totalFiles()
        + " does not count the finisher's file");
    dev.coffer.Progress last = reports.get(reports.size() - 1);
    check(last.filesDone() == b.totalFiles() && last.filesTotal() == b.totalFiles()
        && last.bytesDone() == b.totalBytes() && last.bytesTotal() == b.totalBytes(), "P33",
        () -> "the last progress report is " + last + " for a backup of " + b.totalFiles() + " files, "
            + b.totalBytes() + " bytes");
  }

  /**
   * P33 with INCREMENTAL: an incremental backup holds its own finisher's files, never those its base's finisher
   * added, and restores to exactly the source plus them.
   */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_incrementalCapability_holdsItsOwnFinisherFilesOnly(Fs fs) throws Exception {
    Assumptions.assumeTrue(capabilities.contains(Capability.INCREMENTAL), "no INCREMENTAL capability: see P12");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path end1 = Files.createDirectories(root.resolve("end1").resolve("a").resolve("log"));
    Files.writeString(end1.resolve("000002"), "the base's segment");
    Files.writeString(end1.getParent().getParent().resolve("label"), "the base's label");
    Path end2 = Files.createDirectories(root.resolve("end2"));
    Files.writeString(end2.resolve("label"), "the incremental's own label");
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata base = repo.backup(BackupRequest.full(source)
        .withFinisher(() -> new SourceEnd(root.resolve("end1"), Map.of("stop", "0/2"))));
    BackupMetadata incr = repo.backup(BackupRequest.incremental(source, base.id())
        .withFinisher(() -> new SourceEnd(end2, Map.of("stop", "0/3"))));
    check(incr.labels().equals(Map.of("stop", "0/3")), "P33", () -> "the incremental's labels are " + incr.labels());
    Path expectedDir = root.resolve("expected");
    copyTree(source, expectedDir);
    copyTree(end2, expectedDir);
    Snapshot expected = Snapshot.of(expectedDir);
    holdsExactly("an incremental whose base had other finisher files", repo, incr, expected, root.resolve("restored"));
  }

  /** P33: the backup's totals are those of {@code expected}, it verifies, and it restores to exactly that tree. */
  private void holdsExactly(String what, BackupRepository repo, BackupMetadata b, Snapshot expected, Path target)
      throws IOException {
    check(b.totalFiles() == expected.fileCount() && b.totalBytes() == expected.totalBytes(), "P33",
        () -> what + " has totals " + b.totalFiles() + "/" + b.totalBytes() + "; expected " + expected.fileCount()
            + "/" + expected.totalBytes());
    VerifyReport report = repo.verify(b.id());
    check(report.ok(), "P33", () -> what + " does not verify: " + report.problems());
    repo.restore(b.id(), target);
    sameTree("P33", what + ", restored,", expected, target);
  }

  /** P33: a finisher that throws, or returns a file or label the backup already has, publishes nothing. */
  @ParameterizedTest(name = "{0}")
  @ArgumentsSource(FileSystemsSource.class)
  public void p33_failingOrCollidingFinisher_failsTheBackupAndPublishesNothing(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path clash = Files.createDirectories(root.resolve("clash").resolve("a"));
    Files.writeString(clash.resolve("one.txt"), "another one.txt");
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupMetadata first = repo.backup(source);
    Set<String> pathsBefore = new TreeSet<>(Snapshot.of(location).entries().keySet());
    Map<String, BackupRequest.Finisher> cases = new LinkedHashMap<>();
    cases.put("a finisher that throws", () -> {
      throw new IOException("coffer-tck: the host could not end its backup mode");
    });
    cases.put("a finisher returning a/one.txt, which the source has", () -> new SourceEnd(clash.getParent(), null));
    cases.put("a finisher returning label 'start', which the backup has",
        () -> new SourceEnd(null, Map.of("start", "again")));
    for (Map.Entry<String, BackupRequest.Finisher> c : cases.entrySet()) {
      AtomicInteger calls = new AtomicInteger();
      BackupRequest.Finisher counted = () -> {
        calls.incrementAndGet();
        return c.getValue().finish();
      };
      IOException e = expect(IOException.class, "P33", "a backup with " + c.getKey(),
          () -> repo.backup(BackupRequest.full(source).withLabel("start", "0/1").withFinisher(counted)));
      check(calls.get() == 1, "P33", () -> c.getKey() + " was called " + calls.get() + " times");
      if (c.getKey().contains("a/one.txt")) {
        check(String.valueOf(e.getMessage()).contains("a/one.txt"), "P33",
            () -> "the refusal of " + c.getKey() + " does not name it: " + e.getMessage());
      }
      List<BackupMetadata> listed = repo.list();
      check(listed.equals(List.of(first)), "P33", () -> "after a backup with " + c.getKey() + ", list() is " + listed);
    }
    try (BackupRepository again = provider().open(location, options())) {
      Set<String> pathsAfter = new TreeSet<>(Snapshot.of(location).entries().keySet());
      check(pathsAfter.equals(pathsBefore), "P33", () -> "failed finishers left files behind: "
          + Snapshot.pathChanges(pathsBefore, pathsAfter));
      check(again.list().equals(List.of(first)), "P33", () -> "after a new open, list() is " + safeList(again));
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Corruption matrix

  enum CorruptionKind { FLIP, TRUNCATE, DELETE, STRAY }

  /** One reversible change to one stored item. */
  final class Corruption {
    final CorruptionKind kind;
    final Path path;
    final String rel;
    private byte[] saved;

    Corruption(CorruptionKind kind, Path path, String rel) {
      this.kind = kind;
      this.path = path;
      this.rel = rel;
    }

    void apply() throws IOException {
      switch (kind) {
        case FLIP: {
          saved = Files.readAllBytes(path);
          byte[] changed = saved.clone();
          changed[changed.length / 2] ^= (byte) 0x5A;
          Files.write(path, changed);
          break;
        }
        case TRUNCATE: {
          saved = Files.readAllBytes(path);
          try (var ch = Files.newByteChannel(path, StandardOpenOption.WRITE)) {
            ch.truncate(saved.length / 2);
          }
          break;
        }
        case DELETE:
          saved = Files.readAllBytes(path);
          Files.delete(path);
          break;
        default:
          Files.writeString(path.resolve(STRAY), "a stray file planted by the conformance suite");
      }
    }

    void undo() throws IOException {
      if (kind == CorruptionKind.STRAY) {
        Files.deleteIfExists(path.resolve(STRAY));
      } else {
        Files.write(path, saved);
      }
    }

    @Override
    public String toString() {
      switch (kind) {
        case FLIP:
          return "flipping one byte of stored file " + rel;
        case TRUNCATE:
          return "truncating stored file " + rel + " to half";
        case DELETE:
          return "deleting stored file " + rel;
        default:
          return "adding a stray file to stored directory " + (rel.isEmpty() ? "." : rel);
      }
    }
  }

  /** A repository holding a warm-up backup and the backup under test, and the ways to corrupt the latter. */
  final class Corruptions {
    Path root;
    Path location;
    BackupRepository repo;
    BackupMetadata backup;
    Snapshot source;
    List<String> storedFiles;
    List<String> storedDirs;
    final List<Corruption> all = new ArrayList<>();
  }

  private Corruptions corruptions(Fs fs) throws IOException {
    Corruptions c = new Corruptions();
    c.root = root(fs);
    c.location = c.root.resolve("repo");
    Path src = smallTree(c.root.resolve("src"));
    c.repo = open(c.location);
    c.repo.backup(src); // warm-up: repository-wide files exist before the backup under test
    Snapshot before = Snapshot.of(c.location);
    c.backup = c.repo.backup(src);
    c.source = Snapshot.of(src);
    Snapshot after = Snapshot.of(c.location);
    c.storedFiles = new ArrayList<>(after.files());
    c.storedFiles.removeAll(before.files());
    c.storedDirs = new ArrayList<>(after.directories());
    c.storedDirs.removeAll(before.directories());
    check(!c.storedFiles.isEmpty(), "P7", () -> "a backup stored no new file in the repository");
    for (String f : c.storedFiles) {
      Path p = c.location.resolve(f);
      if (Files.size(p) > 0) {
        c.all.add(new Corruption(CorruptionKind.FLIP, p, f));
        c.all.add(new Corruption(CorruptionKind.TRUNCATE, p, f));
      }
      c.all.add(new Corruption(CorruptionKind.DELETE, p, f));
    }
    for (String d : c.storedDirs) {
      c.all.add(new Corruption(CorruptionKind.STRAY, c.location.resolve(d), d));
    }
    return c;
  }

  // ---------------------------------------------------------------------------------------------------
  // Helpers

  private Path root(Fs fs) throws IOException {
    switch (fs) {
      case DISK: {
        Path dir = Files.createTempDirectory("coffer-tck-");
        cleanup.add(() -> FileTrees.deleteRecursively(dir));
        return dir.toRealPath();
      }
      case WINDOWS:
        return jimfs(Configuration.windows(), "C:\\work");
      case OSX:
        return jimfs(Configuration.osX(), "/work");
      default:
        return jimfs(Configuration.unix(), "/work");
    }
  }

  /** A faulty file system wrapping a fresh one of kind {@code fs}, and a root directory on it. */
  private static final class Faulty {
    FaultyFileSystem fs;
    Path root;
  }

  private Faulty faulty(Fs fs) throws IOException {
    Path plain = root(fs);
    Faulty f = new Faulty();
    f.fs = FaultyFileSystem.wrap(plain.getFileSystem());
    f.root = f.fs.wrap(plain);
    return f;
  }

  /** Operation numbers 1..k, thinned evenly to at most {@value #MAX_FAULTS} of them. */
  private static List<Long> sample(long k) {
    List<Long> out = new ArrayList<>();
    long step = Math.max(1, (k + MAX_FAULTS - 1) / MAX_FAULTS);
    for (long n = 1; n <= k; n += step) {
      out.add(n);
    }
    return out;
  }

  private static List<BackupMetadata> sorted(List<BackupMetadata> list) {
    List<BackupMetadata> out = new ArrayList<>(list);
    out.sort(BackupMetadata.NEWEST_FIRST);
    return out;
  }

  /** Every listed backup verifies, and a new backup succeeds, verifies and restores. */
  private BackupMetadata checkStillWorks(BackupRepository repo, Path source, Path root) throws IOException {
    for (BackupMetadata m : repo.list()) {
      VerifyReport r = repo.verify(m.id());
      check(r.ok(), "P10", () -> "listed backup " + m.backupId() + " does not verify: " + r.problems());
    }
    BackupMetadata b;
    try {
      b = repo.backup(source);
    } catch (IOException e) {
      throw broken("P10", "the repository no longer takes backups: " + e, e);
    }
    check(repo.verify(b.id()).ok(), "P10", () -> "a new backup does not verify");
    Path target = root.resolve("after-faults-" + b.backupId());
    repo.restore(b.id(), target);
    sameTree("P10", "a backup taken after the faults", Snapshot.of(source), target);
    return b;
  }

  private Path jimfs(Configuration configuration, String dir, String... views) throws IOException {
    String first = views.length == 0 ? "basic" : views[0];
    String[] rest = views.length == 0 ? new String[0] : Arrays.copyOfRange(views, 1, views.length);
    FileSystem fs = Jimfs.newFileSystem(configuration.toBuilder().setAttributeViews(first, rest).build());
    cleanup.add(fs);
    return Files.createDirectories(fs.getPath(dir));
  }

  private BackupRepository open(Path location) throws IOException {
    return open(location, provider, options());
  }

  private BackupRepository open(Path location, BackupProvider p) throws IOException {
    return open(location, p, options());
  }

  private BackupRepository open(Path location, BackupProvider p, Map<String, String> opts) throws IOException {
    BackupRepository repo = p.open(location, opts);
    shownRepository = location;
    cleanup.add(repo);
    return repo;
  }

  /** A small tree: a few files in nested directories, an empty file and an empty directory. */
  private Path smallTree(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("a").resolve("b"));
    Files.createDirectories(dir.resolve("emptydir"));
    gen.file(dir.resolve("a").resolve("one.txt"), 13, true);
    gen.file(dir.resolve("a").resolve("b").resolve("two.bin"), 1000 + gen.nextInt(100), false);
    gen.file(dir.resolve("empty.txt"), 0, false);
    gen.file(dir.resolve("three.bin"), 5000 + gen.nextInt(1000), false);
    return dir;
  }

  /** A database-like tree of moderate size. */
  private Path realisticSmall(Path dir) throws IOException {
    gen.databaseLayout(dir, 16 * 1024);
    return dir;
  }

  /** The full generated tree: database layout, sizes over powers of two, case-colliding names. */
  private Path realisticTree(Fs fs, Path dir) throws IOException {
    int max = TreeGenerator.heavy() ? 32 << 20 : 1 << 20;
    gen.databaseLayout(dir, max);
    gen.sizes(dir.resolve("sizes"), max);
    if (caseSensitive(fs, dir)) {
      gen.caseCollidingNames(dir.resolve("case"));
    }
    gen.manySmallFiles(dir.resolve("small"), TreeGenerator.heavy() ? 3000 : 100);
    return dir;
  }

  private static boolean caseSensitive(Fs fs, Path dir) throws IOException {
    if (fs != Fs.DISK) {
      return fs == Fs.UNIX;
    }
    Path probe = Files.createDirectories(dir).resolve("coffer-tck-case-probe");
    Files.writeString(probe, "x");
    try {
      return !Files.exists(dir.resolve("COFFER-TCK-CASE-PROBE"));
    } finally {
      Files.delete(probe);
    }
  }

  /** Changes a tree: adds, rewrites and deletes a file, removes a directory, adds one. */
  private void mutate(Path source) throws IOException {
    int n = gen.nextInt(1_000_000);
    gen.file(source.resolve("added-" + n + ".bin"), 3000, false);
    Snapshot s = Snapshot.of(source);
    List<String> files = new ArrayList<>(s.files());
    files.removeIf(f -> f.startsWith("added-"));
    if (!files.isEmpty()) {
      gen.file(source.resolve(files.get(gen.nextInt(files.size()))), 777, false);
      Files.delete(source.resolve(files.get(0)));
    }
    for (String d : s.directories()) {
      if (FileTrees.isEmptyDirectory(source.resolve(d))) {
        Files.delete(source.resolve(d));
        break;
      }
    }
    Files.createDirectories(source.resolve("new-dir-" + n));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Snapshot s = Snapshot.of(from);
    if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
      Files.write(to, s.entries().get("").bytes());
      return;
    }
    Files.createDirectories(to);
    for (Map.Entry<String, Snapshot.Entry> e : s.entries().entrySet()) {
      Path p = to.resolve(e.getKey());
      if (e.getValue().kind() == Snapshot.Kind.DIRECTORY) {
        Files.createDirectories(p);
      } else if (e.getValue().kind() == Snapshot.Kind.FILE) {
        Files.write(p, e.getValue().bytes());
      }
    }
  }

  /** A value of the same length and alphabet as {@code v} but different (for a wrong key). */
  static String otherValueLike(String v) {
    char[] c = v.toCharArray();
    int i = c.length / 2;
    char x = c[i];
    if (Character.isDigit(x)) {
      c[i] = x == '0' ? '1' : '0';
    } else if (Character.isLetter(x)) {
      c[i] = (x == 'a' || x == 'A') ? (char) (x + 1) : (char) (x - 1);
    } else {
      i = 0;
      c[0] = c[0] == 'A' ? 'B' : 'A';
    }
    return new String(c);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static List<String> ids(List<BackupMetadata> list) {
    return list.stream().map(BackupMetadata::backupId).collect(Collectors.toList());
  }

  private static String safeList(BackupRepository repo) {
    try {
      return repo.list().toString();
    } catch (IOException | RuntimeException e) {
      return "(list() failed: " + e + ")";
    }
  }

  private static Set<String> listDirectories(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static Set<String> listNames(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** The last-modified time of every file and directory below {@code dir}, links not followed. */
  private static Map<String, FileTime> times(Path dir) throws IOException {
    Map<String, FileTime> out = new TreeMap<>();
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(p.equals(dir) ? "" : RelativePaths.relativize(dir, p),
            Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
      }
    }
    return out;
  }

  private static String timeDifferences(Map<String, FileTime> before, Map<String, FileTime> after) {
    StringBuilder sb = new StringBuilder();
    Set<String> all = new TreeSet<>(before.keySet());
    all.addAll(after.keySet());
    for (String k : all) {
      if (!java.util.Objects.equals(before.get(k), after.get(k))) {
        sb.append("\n    ").append(k.isEmpty() ? "." : k).append(": ").append(before.get(k)).append(" -> ").append(after.get(k));
      }
    }
    return sb.toString();
  }

  /** An action that may throw anything. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  /** Runs {@code action} and records the text of any exception it throws, with causes and suppressed. */
  private static void collect(List<String> seen, Action action) {
    try {
      action.run();
    } catch (Throwable t) {
      java.io.StringWriter w = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(w));
      seen.add(t + "\n" + w);
    }
  }

  /** Runs {@code action}, which must throw a BackupException naming {@code named} and change nothing in {@code dir}. */
  private void refusedNaming(String rule, String what, String named, Path dir, Action action) throws IOException {
    Snapshot before = Snapshot.of(dir);
    BackupException e = expect(BackupException.class, rule, what, action);
    check(String.valueOf(e.getMessage()).contains(named), rule,
        () -> "the refusal does not name " + named + ": " + e.getMessage());
    unchanged(rule, "a refused backup", before, dir);
  }

  private <T extends Throwable> T expect(Class<T> type, String rule, String what, Action action) {
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

  private void check(boolean ok, String rule, Supplier<String> what) {
    if (!ok) {
      throw broken(rule, what.get());
    }
  }

  private void sameTree(String rule, String what, Snapshot expected, Path actual) throws IOException {
    Snapshot a = Snapshot.of(actual);
    if (!expected.sameAs(a)) {
      throw broken(rule, what + " differs from the source:" + expected.differences(a));
    }
  }

  private void unchanged(String rule, String what, Snapshot before, Path dir) throws IOException {
    Snapshot after = Snapshot.of(dir);
    if (!before.sameAs(after)) {
      throw broken(rule, what + " changed " + dir + ":" + before.differences(after));
    }
  }

  private AssertionError broken(String rule, String what) {
    return broken(rule, what, null);
  }

  private AssertionError broken(String rule, String what, Throwable cause) {
    String message = rule + " broken: " + what + "\n  [provider " + provider.name() + ", " + where + ", seed " + seed
        + " (replay with -Dcoffer.tck.seed=" + seed + ")]\n  repository " + shownRepository + ":\n"
        + Snapshot.render(shownRepository);
    return new AssertionError(message, cause);
  }
}
