package dev.coffer.testkit;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import dev.coffer.testkit.Corruptions.Corruption;
import dev.coffer.testkit.Corruptions.CorruptionKind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * What the rules of the conformance suite run in, apart from the rules themselves: the provider
 * under test and fresh instances of it, the seed of the generated trees, fresh file systems and
 * repositories (closed after the test), source trees, the corruptions of a stored backup, and the
 * assertions that turn a failure into a broken promise ({@code "P17 broken: ..."}) followed by the
 * seed, the file system and a listing of the repository.
 *
 * <p>One environment per test: {@link BackupProviderConformance} creates it before each test and
 * closes it after; each rule group extends it and shares its state through the copy constructor.
 * Not thread-safe except where a rule's own threads call the provider.
 */
class ConformanceEnvironment extends ConformanceAssertions {

  static final int MAX_FAULTS = 200;

  final Set<Capability> capabilities;
  final TreeGenerator gen;
  final List<AutoCloseable> cleanup;
  private final Supplier<BackupProvider> providers;
  private final Supplier<Map<String, String>> options;
  private final Supplier<Map<String, KeyForm>> keyForms;
  private final Stores stores;

  /**
   * Where the suite keeps the repository it names by a directory ({@link
   * BackupProviderConformance#repositoryStore}): empty for the directory itself.
   */
  @FunctionalInterface
  interface Stores {
    /** The store of the repository at {@code location}, or empty for the directory itself. */
    Optional<URI> at(Path location) throws IOException;

    /** Repositories are the directories themselves. */
    Stores NONE = location -> Optional.empty();
  }

  /**
   * A new environment for one test.
   *
   * @param providers creates a new instance of the provider under test
   * @param options the options every repository is opened with
   * @param keyForms the documented forms of the provider's key options
   * @param rule the rule of the test ({@code P10}), named by set-up failures
   * @param where the test's name, shown in failure messages
   * @param stores where repositories are kept, {@link Stores#NONE} for the directories themselves
   */
  ConformanceEnvironment(
      Supplier<BackupProvider> providers,
      Supplier<Map<String, String>> options,
      Supplier<Map<String, KeyForm>> keyForms,
      String rule,
      String where,
      Stores stores) {
    super(requireNonNull(providers.get(), "provider() returned null"), rule, seed(), where);
    this.providers = providers;
    this.options = options;
    this.keyForms = keyForms;
    this.stores = stores;
    this.capabilities = Set.copyOf(provider.capabilities());
    this.gen = new TreeGenerator(seed);
    this.cleanup = new ArrayList<>();
  }

  /** The same environment (same provider, seed, clean-up and messages), for a rule group. */
  ConformanceEnvironment(ConformanceEnvironment env) {
    super(env);
    this.providers = env.providers;
    this.options = env.options;
    this.keyForms = env.keyForms;
    this.stores = env.stores;
    this.capabilities = env.capabilities;
    this.gen = env.gen;
    this.cleanup = env.cleanup;
  }

  /**
   * The seed of the generated trees: {@code coffer.tck.seed} when set (to replay a failure), else
   * random.
   */
  private static long seed() {
    String fixed = System.getProperty("coffer.tck.seed");
    return fixed != null ? Long.parseLong(fixed.trim()) : new java.util.Random().nextLong();
  }

  /** A new instance of the provider under test. */
  final BackupProvider provider() {
    return requireNonNull(providers.get(), "provider() returned null");
  }

  /** The options every repository is opened with. */
  final Map<String, String> options() {
    return options.get();
  }

  /** The documented forms of the provider's key options (none when the test declares none). */
  final Map<String, KeyForm> keyForms() {
    return keyForms.get();
  }

  /**
   * Closes every repository and file system the test opened and deletes its temporary directories.
   */
  final void close() throws Exception {
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

  Corruptions corruptions(Fs fs) throws IOException {
    Corruptions c = new Corruptions();
    c.root = root(fs);
    c.location = c.root.resolve("repo");
    Path src = smallTree(c.root.resolve("src"));
    c.repo = open(c.location);
    setUp(
        "a warm-up backup",
        () -> c.repo.backup(src)); // repository-wide files exist before the backup under test
    Snapshot before = Snapshot.of(c.location);
    c.backup = setUp("the backup to corrupt", () -> c.repo.backup(src));
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

  /** A fresh directory on a fresh file system of kind {@code fs}, removed after the test. */
  Path root(Fs fs) throws IOException {
    if (fs == Fs.DISK) {
      Path dir = Files.createTempDirectory("coffer-tck-");
      cleanup.add(() -> FileTrees.deleteRecursively(dir));
      return dir.toRealPath();
    }
    return closedAfterTest(JimfsRoots.of(fs));
  }

  /** Closes the file system of {@code root} after the test. */
  final Path closedAfterTest(Path root) {
    cleanup.add(root.getFileSystem());
    return root;
  }

  /** A faulty file system wrapping a fresh one of kind {@code fs}, and a root directory on it. */
  static final class Faulty {
    FaultyFileSystem fs;
    Path root;
  }

  Faulty faulty(Fs fs) throws IOException {
    Path plain = root(fs);
    Faulty f = new Faulty();
    f.fs = FaultyFileSystem.wrap(plain.getFileSystem());
    f.root = f.fs.wrap(plain);
    return f;
  }

  /** Operation numbers 1..k, thinned evenly to at most {@value #MAX_FAULTS} of them. */
  static List<Long> sample(long k) {
    List<Long> out = new ArrayList<>();
    long step = Math.max(1, (k + MAX_FAULTS - 1) / MAX_FAULTS);
    for (long n = 1; n <= k; n += step) {
      out.add(n);
    }
    return out;
  }

  BackupRepository open(Path location) throws IOException {
    return open(location, provider, options());
  }

  BackupRepository open(Path location, BackupProvider p) throws IOException {
    return open(location, p, options());
  }

  /**
   * Opens a repository to prepare a rule's check: a failure is a {@link SetUpFailure} (P5 checks
   * open).
   */
  BackupRepository open(Path location, BackupProvider p, Map<String, String> opts)
      throws IOException {
    storedOnDisk(location);
    return setUp("opening a repository at " + location, () -> openChecked(location, p, opts));
  }

  /**
   * Opens a repository as the operation a rule checks (after a crash, with a wrong key, on another
   * file system).
   */
  BackupRepository openChecked(Path location, BackupProvider p, Map<String, String> opts)
      throws IOException {
    BackupRepository repo = openAt(p, location, opts);
    showRepository(location);
    cleanup.add(repo);
    return repo;
  }

  /** Whether the suite keeps its repositories in object stores (not in the directories named). */
  final boolean onStores() {
    return stores != Stores.NONE;
  }

  /**
   * Skips the test when the suite keeps its repositories in object stores, for a rule that acts on
   * the repository's own file system (its operations, its space, another JVM opening it by path).
   */
  final void notOnStores(String why) {
    Assumptions.assumeFalse(
        onStores(), () -> rule + " skipped: the repositories are in object stores, " + why);
  }

  /**
   * The file system for a repository a rule would put on {@code wanted}: {@link Fs#DISK} when the
   * suite keeps its repositories in object stores (their objects are files on the disk).
   */
  final Fs repositoryFs(Fs wanted) {
    return onStores() ? Fs.DISK : wanted;
  }

  /**
   * Skips the test when the suite keeps its repositories in object stores whose objects are files
   * on the disk and {@code location} is on another file system.
   */
  final void storedOnDisk(Path location) {
    if (onStores()) {
      Assumptions.assumeTrue(
          plain(location).getFileSystem() == FileSystems.getDefault(),
          () ->
              rule
                  + " skipped: the repositories are in object stores that keep their objects as"
                  + " files on the disk, and this test puts one on "
                  + location.getFileSystem());
    }
  }

  private static Path plain(Path location) {
    return location instanceof FaultyPath ? ((FaultyPath) location).delegate : location;
  }

  /**
   * Opens the repository the suite keeps at {@code location}: the directory itself, or the object
   * store {@link BackupProviderConformance#repositoryStore} names for it. Faults of a {@link
   * FaultyFileSystem} do not reach a repository in a store.
   */
  BackupRepository openAt(BackupProvider p, Path location, Map<String, String> opts)
      throws IOException {
    storedOnDisk(location);
    Optional<URI> store = onStores() ? stores.at(plain(location)) : Optional.empty();
    if (store.isEmpty()) {
      return p.open(location, opts);
    }
    ObjectStore objects = ObjectStores.open(store.get(), Map.of());
    try {
      return p.open(objects, opts);
    } catch (IOException | RuntimeException | Error e) {
      try {
        objects.close(); // open threw: the store is still the caller's (BackupProvider#open)
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  /**
   * A fresh root with a source tree on it, a repository beside the source and one full backup of
   * it.
   */
  static final class Backed {
    final Path root;
    final Path source;
    final BackupRepository repo;
    final BackupMetadata backup;

    Backed(Path root, Path source, BackupRepository repo, BackupMetadata backup) {
      this.root = root;
      this.source = source;
      this.repo = repo;
      this.backup = backup;
    }
  }

  /**
   * The start of most rules: {@link #smallTree} in {@code src}, a repository in {@code repo}, one
   * backup.
   */
  final Backed smallBackup(Fs fs) throws IOException {
    Path root = root(fs);
    return backedUp(root, smallTree(root.resolve("src")));
  }

  /** As {@link #smallBackup}, with the database-like tree of {@link #realisticSmall}. */
  final Backed realisticBackup(Fs fs) throws IOException {
    Path root = root(fs);
    return backedUp(root, realisticSmall(root.resolve("src")));
  }

  private Backed backedUp(Path root, Path source) throws IOException {
    BackupRepository repo = open(root.resolve("repo"));
    return new Backed(
        root, source, repo, setUp("a full backup of the source", () -> repo.backup(source)));
  }

  /** A small tree: a few files in nested directories, an empty file and an empty directory. */
  Path smallTree(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("a").resolve("b"));
    Files.createDirectories(dir.resolve("emptydir"));
    gen.file(dir.resolve("a").resolve("one.txt"), 13, true);
    gen.file(dir.resolve("a").resolve("b").resolve("two.bin"), 1000 + gen.nextInt(100), false);
    gen.file(dir.resolve("empty.txt"), 0, false);
    gen.file(dir.resolve("three.bin"), 5000 + gen.nextInt(1000), false);
    return dir;
  }

  /** A database-like tree of moderate size. */
  Path realisticSmall(Path dir) throws IOException {
    gen.databaseLayout(dir, 16 * 1024);
    return dir;
  }

  /** The full generated tree: database layout, sizes over powers of two, case-colliding names. */
  Path realisticTree(Fs fs, Path dir) throws IOException {
    int max = TreeGenerator.heavy() ? 32 << 20 : 1 << 20;
    gen.databaseLayout(dir, max);
    gen.sizes(dir.resolve("sizes"), max);
    if (caseSensitive(fs, dir)) {
      gen.caseCollidingNames(dir.resolve("case"));
    }
    gen.manySmallFiles(dir.resolve("small"), TreeGenerator.heavy() ? 3000 : 100);
    return dir;
  }

  static boolean caseSensitive(Fs fs, Path dir) throws IOException {
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
  void mutate(Path source) throws IOException {
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

  static void copyTree(Path from, Path to) throws IOException {
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

  static int indexOf(byte[] haystack, byte[] needle) {
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

  static List<String> ids(List<BackupMetadata> list) {
    return list.stream().map(BackupMetadata::backupId).collect(Collectors.toList());
  }

  static String safeList(BackupRepository repo) {
    try {
      return repo.list().toString();
    } catch (IOException | RuntimeException e) {
      return "(list() failed: " + e + ")";
    }
  }

  static Set<String> listDirectories(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  static Set<String> listNames(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
