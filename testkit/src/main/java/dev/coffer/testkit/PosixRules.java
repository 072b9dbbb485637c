package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.OwnerPolicy;
import dev.coffer.RestoreRequest;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P27 to P29 of the provider contract: recorded modes restored (or the target's defaults
 * without them), never more open than recorded at any moment of a restore, and owners by the
 * restore's policy.
 */
final class PosixRules extends ConformanceEnvironment {

  PosixRules(ConformanceEnvironment env) {
    super(env);
  }

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

  void p27_posixAttributesCapability_everyEntryAndTheTargetGetTheirRecordedMode(Fs fs)
      throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.POSIX_ATTRIBUTES),
        "no POSIX_ATTRIBUTES: see the twin test");
    Assumptions.assumeTrue(
        fs != Fs.WINDOWS,
        "no POSIX permissions on windows: see p27_sourceWithoutPosixAttributes...");
    Path root = posixRoot(fs);
    Path source = posixTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    for (Map.Entry<String, Integer> e : POSIX_TREE_MODES.entrySet()) {
      Path p = e.getKey().isEmpty() ? target : target.resolve(e.getKey());
      int actual = mode(p);
      check(
          actual == e.getValue(),
          "P27",
          () ->
              (e.getKey().isEmpty() ? "the target directory" : e.getKey())
                  + " was restored with mode "
                  + octal(actual)
                  + ", the source had "
                  + octal(e.getValue()));
    }
    makeWritable(target);
    sameTree("P27", "a restore with modes", Snapshot.of(source), target);
    Path partial = root.resolve("partial");
    if (capabilities.contains(Capability.PARTIAL_RESTORE)) {
      repo.restore(RestoreRequest.of(b.id(), partial).withPaths(List.of("a/one.txt")));
      check(
          mode(partial.resolve("a/one.txt")) == 0600,
          "P27",
          () -> "a partial restore lost the mode of a/one.txt");
      makeWritable(partial);
    }
  }

  void p27_noPosixAttributesCapability_restoredEntriesGetTheDefaults(Fs fs) throws Exception {
    Assumptions.assumeFalse(
        capabilities.contains(Capability.POSIX_ATTRIBUTES),
        "POSIX_ATTRIBUTES declared: see the twin");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX permissions on windows");
    Path root = posixRoot(fs);
    Path source = posixTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    checkDefaults("P27", root, target, POSIX_TREE_MODES.keySet());
  }

  void p27_sourceWithoutPosixAttributes_restoresWithTheTargetsDefaults() throws Exception {
    Path source = smallTree(root(Fs.WINDOWS).resolve("src"));
    Path target = posixRoot(Fs.UNIX);
    BackupRepository repo = open(root(repositoryFs(Fs.UNIX)).resolve("repo"));
    BackupMetadata b = repo.backup(source);
    repo.restore(b.id(), target.resolve("restored"));
    sameTree(
        "P27",
        "a restore of a source without POSIX attributes",
        Snapshot.of(source),
        target.resolve("restored"));
    Set<String> entries = new TreeSet<>(Snapshot.of(source).entries().keySet());
    entries.add("");
    checkDefaults("P27", target, target.resolve("restored"), entries);
  }

  void p28_posixAttributesCapability_nothingIsEverMoreOpenThanRecorded(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.POSIX_ATTRIBUTES), "no POSIX_ATTRIBUTES: see p27's twin");
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
    faulty.watchAttributes(
        p -> {
          if (!p.startsWith(parent) || p.equals(parent)) {
            return;
          }
          Path rel = parent.relativize(p);
          String entry =
              rel.getNameCount() == 1
                  ? ""
                  : rel.subpath(1, rel.getNameCount())
                      .toString()
                      .replace(p.getFileSystem().getSeparator(), "/");
          Integer recorded = POSIX_TREE_MODES.get(entry);
          try {
            if (recorded == null
                || Files.isSymbolicLink(p)
                || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
              return;
            }
            seen.incrementAndGet();
            int now = mode(p);
            if ((now & 077 & ~recorded) != 0) {
              violations.add(
                  (entry.isEmpty() ? "the staging directory" : entry)
                      + " was "
                      + octal(now)
                      + " at one moment,"
                      + " its recorded mode is "
                      + octal(recorded));
            }
          } catch (IOException e) {
            violations.add("cannot read the mode of " + p + ": " + e);
          }
        });
    repo.restore(b.id(), target);
    faulty.watchAttributes(null);
    check(violations.isEmpty(), "P28", () -> "the restore exposed entries: " + violations);
    check(
        seen.get() >= POSIX_TREE_MODES.size(),
        "P28",
        () ->
            "only "
                + seen.get()
                + " moments of "
                + POSIX_TREE_MODES.size()
                + " entries were observed: the restore did not create its entries in the target's"
                + " file system beside the target");
    makeWritable(plain.resolve("restores"));
  }

  void p29_posixAttributesCapability_ownersFollowThePolicy(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.POSIX_ATTRIBUTES),
        "no POSIX_ATTRIBUTES: see the twin test");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX owners on windows");
    Path root = posixRoot(fs);
    Path source = posixTree(root.resolve("src"));
    Optional<String[]> other = otherOwner(source);
    Assumptions.assumeTrue(
        other.isPresent(), "the real disk needs root to give a file another owner");
    Path file = source.resolve("a/one.txt");
    setOwner(file, other.get());
    setOwner(source, other.get());
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path auto = root.resolve("auto");
    repo.restore(b.id(), auto);
    for (Path p : List.of(auto.resolve("a/one.txt"), auto)) {
      String[] actual = owner(p);
      check(
          actual[0].equals(other.get()[0]) && actual[1].equals(other.get()[1]),
          "P29",
          () ->
              p
                  + " belongs to "
                  + actual[0]
                  + ":"
                  + actual[1]
                  + " after an AUTO restore, the source to "
                  + other.get()[0]
                  + ":"
                  + other.get()[1]);
    }
    Path current = root.resolve("current");
    repo.restore(RestoreRequest.of(b.id(), current).withOwners(OwnerPolicy.CURRENT));
    String[] mine = owner(Files.writeString(root.resolve("probe-owner"), "x"));
    String[] kept = owner(current.resolve("a/one.txt"));
    check(
        Arrays.equals(kept, mine),
        "P29",
        () ->
            "a CURRENT restore gave a/one.txt the owner "
                + String.join(":", kept)
                + " instead of the restoring user's "
                + String.join(":", mine));
    makeWritable(auto);
    makeWritable(current);
  }

  void p29_ownerChangesNotPermitted_autoWarnsOnceAndSucceeds_preserveFailsChangingNothing(Fs fs)
      throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.POSIX_ATTRIBUTES),
        "no POSIX_ATTRIBUTES: see the twin test");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX owners on windows");
    Path plain = posixRoot(fs);
    Path source = posixTree(plain.resolve("src"));
    Optional<String[]> other = otherOwner(source);
    Assumptions.assumeTrue(
        other.isPresent(), "the real disk needs root to give a file another owner");
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
    Handler handler =
        new Handler() {
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
    check(
        warnings.size() == 1,
        "P29",
        () ->
            "an AUTO restore that could not set owners logged "
                + warnings.size()
                + " warnings on dev.coffer.restore; expected exactly one");
    sameTree("P29", "an AUTO restore without owners", Snapshot.of(source), parent.resolve("auto"));
    Snapshot before = Snapshot.of(parent);
    expect(
        IOException.class,
        "P29",
        "a PRESERVE restore that cannot set owners",
        () ->
            repo.restore(
                RestoreRequest.of(b.id(), parent.resolve("preserve"))
                    .withOwners(OwnerPolicy.PRESERVE)));
    unchanged("P29", "a failed PRESERVE restore", before, parent);
    makeWritable(plain.resolve("restores"));
  }

  void p29_noPosixAttributesCapability_restoredFilesBelongToTheRestoringUser(Fs fs)
      throws Exception {
    Assumptions.assumeFalse(
        capabilities.contains(Capability.POSIX_ATTRIBUTES),
        "POSIX_ATTRIBUTES declared: see the twin");
    Assumptions.assumeTrue(fs != Fs.WINDOWS, "no POSIX owners on windows");
    Path plain = posixRoot(fs);
    Path source = posixTree(plain.resolve("src"));
    otherOwner(source)
        .ifPresent(
            o -> {
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
    check(
        Arrays.equals(got, mine),
        "P29",
        () ->
            "a/one.txt belongs to "
                + String.join(":", got)
                + ", not to the restoring user "
                + String.join(":", mine));
  }

  /** A root on a file system with POSIX permissions and owners where {@code fs} can have them. */
  private Path posixRoot(Fs fs) throws IOException {
    switch (fs) {
      case UNIX:
      case OSX:
        return closedAfterTest(JimfsRoots.posix(fs));
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
      Files.setPosixFilePermissions(
          e.isEmpty() ? dir : dir.resolve(e), toSet(POSIX_TREE_MODES.get(e)));
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

  /**
   * Each listed entry below {@code target} has the mode a fresh file or directory gets on its file
   * system.
   */
  private void checkDefaults(String rule, Path scratch, Path target, Set<String> entries)
      throws IOException {
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
      check(
          actual == want,
          rule,
          () ->
              (e.isEmpty() ? "the target directory" : e)
                  + " was restored with mode "
                  + octal(actual)
                  + ", not the file system's default "
                  + octal(want)
                  + " (no recorded attributes)");
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
    for (String[] candidate :
        new String[][] {{"nobody", "nogroup"}, {"nobody", "nobody"}, {"daemon", "daemon"}}) {
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
    var view =
        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
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
}
