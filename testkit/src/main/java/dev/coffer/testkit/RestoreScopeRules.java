package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P19 to P21 of the provider contract: partial restores of exactly the requested paths,
 * restored modification times, and restores that never write outside their target.
 */
final class RestoreScopeRules extends ConformanceEnvironment {

  RestoreScopeRules(ConformanceEnvironment env) {
    super(env);
  }

  void p19_partialRestoreCapability_restoresExactlyTheRequestedPaths(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.PARTIAL_RESTORE), "no PARTIAL_RESTORE: see the twin test");
    Backed given = realisticBackup(fs);
    Snapshot all = Snapshot.of(given.source);
    List<String> wanted = List.of("wal", "sst/L0/000011.sst", "empty");
    RestoreRequest request =
        RestoreRequest.of(given.backup.id(), given.root.resolve("partial")).withPaths(wanted);
    Map<String, Snapshot.Entry> expectedEntries = new TreeMap<>();
    all.entries()
        .forEach(
            (path, entry) -> {
              boolean selected =
                  request.selects(path)
                      || wanted.stream().anyMatch(w -> RelativePaths.ancestors(w).contains(path));
              if (selected) {
                expectedEntries.put(path, entry);
              }
            });
    given.repo.restore(request);
    Snapshot actual = Snapshot.of(given.root.resolve("partial"));
    check(
        actual.entries().keySet().equals(expectedEntries.keySet()),
        "P19",
        () ->
            "a partial restore of "
                + wanted
                + " restored "
                + actual.entries().keySet()
                + ", expected "
                + expectedEntries.keySet());
    for (Map.Entry<String, Snapshot.Entry> e : expectedEntries.entrySet()) {
      check(
          e.getValue().same(actual.entries().get(e.getKey())),
          "P19",
          () -> e.getKey() + " differs after a partial restore");
    }
    Path parent = given.root;
    Snapshot before = Snapshot.of(parent.resolve("none"));
    expect(
        NoSuchFileException.class,
        "P19",
        "a partial restore of a path not in the backup",
        () ->
            given.repo.restore(
                RestoreRequest.of(given.backup.id(), parent.resolve("none"))
                    .withPaths(List.of("no/such/path"))));
    unchanged("P19", "a refused partial restore", before, parent.resolve("none"));
  }

  void p19_partialRestoreCapability_nestedDirectoriesAndMixedRequests(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.PARTIAL_RESTORE), "no PARTIAL_RESTORE: see the twin test");
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
    Set<String> want =
        new TreeSet<>(
            List.of("a", "a/b", "a/b/two.bin", "a/b/more.bin", "a/b/c", "a/b/c/deep.bin"));
    check(
        got.equals(want),
        "P19",
        () -> "a partial restore of a/b restored " + got + ", expected " + want);
    check(
        Files.readString(target.resolve("a/b/more.bin"), StandardCharsets.ISO_8859_1)
            .equals(Files.readString(source.resolve("a/b/more.bin"), StandardCharsets.ISO_8859_1)),
        "P19",
        () -> "a/b/more.bin differs from the source");
    Set<String> siblings = listDirectories(parent);
    check(
        siblings.equals(Set.of("nested")),
        "P19",
        () -> "a partial restore left " + siblings + " beside its target");
    Path mixed = parent.resolve("mixed");
    expect(
        NoSuchFileException.class,
        "P19",
        "a partial restore of a known and an unknown path",
        () ->
            repo.restore(
                RestoreRequest.of(b.id(), mixed)
                    .withPaths(List.of("a/one.txt", "a/no-such-file"))));
    check(
        !Files.exists(mixed, LinkOption.NOFOLLOW_LINKS),
        "P19",
        () -> "a refused partial restore created its target");
    Set<String> after = listDirectories(parent);
    check(
        after.equals(Set.of("nested")),
        "P19",
        () -> "a refused partial restore left " + after + " beside its target");
  }

  void p19_noPartialRestoreCapability_partialRequestIsRefused(Fs fs) throws Exception {
    Assumptions.assumeFalse(
        capabilities.contains(Capability.PARTIAL_RESTORE),
        "PARTIAL_RESTORE declared: see the twin test");
    Backed given = smallBackup(fs);
    Snapshot before = Snapshot.of(given.root);
    expect(
        UnsupportedOperationException.class,
        "P19",
        "a partial restore without PARTIAL_RESTORE",
        () ->
            given.repo.restore(
                RestoreRequest.of(given.backup.id(), given.root.resolve("partial"))
                    .withPaths(List.of("a"))));
    unchanged("P19", "a refused partial restore", before, given.root);
  }

  void p20_timestampsCapability_restoredFilesCarrySourceModifiedTimes(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.TIMESTAMPS),
        "no TIMESTAMPS capability: nothing to refuse");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    gen.file(source.resolve("a").resolve("large.bin"), 200_000, false); // not only small files
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
      check(
          actual == e.getValue(),
          "P20",
          () ->
              e.getKey()
                  + " was restored with last-modified "
                  + Instant.ofEpochMilli(actual)
                  + ", the source had "
                  + Instant.ofEpochMilli(e.getValue()));
    }
  }

  void p21_restore_changesNothingOutsideItsTarget(Fs fs) throws Exception {
    Backed given = realisticBackup(fs);
    Path parent = Files.createDirectories(given.root.resolve("restores"));
    Files.writeString(
        Files.createDirectories(parent.resolve("neighbour")).resolve("n.txt"), "neighbour");
    Snapshot before = Snapshot.of(parent);
    Path target = parent.resolve("target");
    given.repo.restore(given.backup.id(), target);
    Map<String, Snapshot.Entry> after = new TreeMap<>(Snapshot.of(parent).entries());
    after.keySet().removeIf(p -> RelativePaths.isWithin("target", p));
    check(
        after.keySet().equals(before.entries().keySet()),
        "P21",
        () ->
            "a restore into "
                + target
                + " changed its parent: "
                + after.keySet()
                + " instead of "
                + before.entries().keySet());
    sameTree("P21", "the restore", Snapshot.of(given.source), target);
  }

  void p21_symlinksPlantedInRepository_neverMakeRestoreWriteOutsideTarget(Fs fs) throws Exception {
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
          check(
              !Files.exists(target, LinkOption.NOFOLLOW_LINKS),
              "P17",
              () -> "a failed restore left its target behind");
        }
        unchanged(
            "P21",
            "a restore with '" + rel + "' replaced by a symbolic link to an outside directory",
            outsideBefore,
            outside);
        Set<String> leftovers = new TreeSet<>(Snapshot.of(parent).entries().keySet());
        leftovers.removeIf(p -> p.matches("t[0-9]+(/.*)?"));
        check(
            leftovers.isEmpty(), "P21", () -> "a restore left " + leftovers + " beside its target");
      } finally {
        Files.delete(item);
        Files.move(aside, item);
        i++;
      }
    }
  }

  void p21_replaceRestore_neverWritesThroughLinksInOldTarget(Fs fs) throws Exception {
    Backed given = smallBackup(fs);
    Path outside = Files.createDirectories(given.root.resolve("outside"));
    Files.createDirectories(outside.resolve("b"));
    Files.writeString(outside.resolve("one.txt"), "outside one");
    Path target = Files.createDirectories(given.root.resolve("target"));
    Files.createSymbolicLink(target.resolve("a"), outside);
    Files.createSymbolicLink(target.resolve("three.bin"), outside.resolve("one.txt"));
    Snapshot outsideBefore = Snapshot.of(outside);
    List<String> besideBefore = children(given.root);
    given.repo.restore(RestoreRequest.of(given.backup.id(), target).withMode(RestoreMode.REPLACE));
    List<String> besideAfter = children(given.root);
    check(
        besideAfter.equals(besideBefore),
        "P21",
        () ->
            "a REPLACE restore left the target's parent holding "
                + besideAfter
                + " instead of "
                + besideBefore
                + " (the old content set aside and kept?)");
    unchanged(
        "P21",
        "a REPLACE restore over a target holding links to an outside directory",
        outsideBefore,
        outside);
    sameTree("P21", "a REPLACE restore over links", Snapshot.of(given.source), target);
  }

  private static List<String> children(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
