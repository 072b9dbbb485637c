package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.VerifyReport;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Rule P10 of the provider contract: a backup is listed only when complete, whatever fails (a
 * listener, any file-system operation, a crash, a full disk). P11 is {@code ConcurrencyRules}'.
 */
final class AtomicityRules extends ConformanceEnvironment {

  AtomicityRules(ConformanceEnvironment env) {
    super(env);
  }

  void p10_backupBeingWritten_isInvisibleToAnotherInstance(Fs fs) throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupRepository other = open(location, provider());
    BackupMetadata first = repo.backup(smallTree(root.resolve("src0")));
    Path source = realisticSmall(root.resolve("src"));
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger calls = new AtomicInteger();
    BackupMetadata second =
        repo.backup(
            BackupRequest.full(source)
                .withProgress(
                    p -> {
                      calls.incrementAndGet();
                      try {
                        List<BackupMetadata> listed = other.list();
                        Optional<BackupMetadata> latest = other.latest();
                        if (!listed.equals(List.of(first)) || !latest.equals(Optional.of(first))) {
                          seen.add(
                              "at "
                                  + p
                                  + ": list() "
                                  + ids(listed)
                                  + ", latest() "
                                  + latest.map(BackupMetadata::backupId));
                        }
                      } catch (IOException | RuntimeException e) {
                        seen.add("at " + p + ": list() failed: " + e);
                      }
                    }));
    check(calls.get() > 0, "P10", () -> "the backup never called its progress listener");
    check(
        seen.isEmpty(),
        "P10",
        () -> "another instance saw a backup while it was being written: " + seen);
    check(
        other.find(second.id()).equals(Optional.of(second)),
        "P10",
        () -> "after the backup returned, another instance does not find it");
  }

  void p10_backupAbortedAtAnyProgressCall_isNeverListedAndLeavesNothing(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupMetadata first = setUp("a first backup", () -> repo.backup(source));
    AtomicInteger calls = new AtomicInteger();
    setUpStep(
        "a backup counting its progress calls, then its delete",
        () ->
            repo.delete(
                repo.backup(BackupRequest.full(source).withProgress(p -> calls.incrementAndGet()))
                    .id()));
    check(
        calls.get() > 0,
        "P10",
        () -> "the progress listener was never called, so a backup cannot be cancelled");
    Snapshot before = Snapshot.of(location);
    int limit = Math.min(calls.get(), 40);
    for (int k = 1; k <= limit; k++) {
      int abortAt = k;
      AtomicInteger n = new AtomicInteger();
      BackupRequest request =
          BackupRequest.full(source)
              .withProgress(
                  p -> {
                    if (n.incrementAndGet() == abortAt) {
                      throw new IllegalStateException(
                          "coffer-tck: cancelled at progress call " + abortAt);
                    }
                  });
      try {
        repo.backup(request);
        throw broken("P10", "a backup whose listener threw at call " + k + " completed");
      } catch (IOException | RuntimeException expected) {
        // the listener's exception, as is or wrapped
      }
      List<BackupMetadata> listed = repo.list();
      check(
          listed.equals(List.of(first)),
          "P10",
          () -> "after a backup cancelled at progress call " + abortAt + ", list() is " + listed);
    }
    try (BackupRepository again = openAt(provider(), location, options())) {
      Set<String> pathsAfter = new TreeSet<>(Snapshot.of(location).entries().keySet());
      check(
          pathsAfter.equals(new TreeSet<>(before.entries().keySet())),
          "P10",
          () ->
              "cancelled backups left files "
                  + "behind after the failing calls and a new open: "
                  + Snapshot.pathChanges(before.entries().keySet(), pathsAfter));
      BackupMetadata b = again.backup(source);
      check(
          again.verify(b.id()).ok(),
          "P10",
          () -> "after cancelled backups, a new backup does not verify");
    }
  }

  void p10_backupFailingAtEveryFileSystemOperation_isNeverListedAndRepositoryKeepsWorking(Fs fs)
      throws Exception {
    notOnStores(
        "the faults of a file system (errors, crashes, a full disk) do not reach them: the store's own faults are tested against its server");
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    Path location = f.root.resolve("repo");
    BackupRepository repo = open(location);
    List<BackupMetadata> expected =
        new ArrayList<>(List.of(setUp("a first backup", () -> repo.backup(source))));
    f.fs.resetCount();
    setUpStep(
        "a backup counting its file-system operations, then its delete",
        () -> repo.delete(repo.backup(source).id()));
    long k = f.fs.operations();
    Set<String> pathsBefore = Snapshot.of(location).entries().keySet();
    for (long n : sample(k)) {
      where(fs + ", backup failing at file-system operation " + n + " of " + k);
      f.fs.failAt(n);
      backUpThroughFault(
          f, repo, source, expected, "a backup failed at file-system operation " + n);
    }
    where(fs + ", after backups failing at each of " + k + " file-system operations");
    expected.add(checkStillWorks(repo, source, f.root));
    try (BackupRepository again = openAt(provider(), location, options())) {
      Set<String> relisted = new TreeSet<>(ids(again.list()));
      check(
          relisted.equals(new TreeSet<>(ids(expected))),
          "P10",
          () -> "a reopened repository lists " + relisted + ", expected " + ids(sorted(expected)));
      for (BackupMetadata m : expected.subList(1, expected.size())) {
        setUpStep("a delete of a backup taken during the faults", () -> again.delete(m.id()));
      }
      Set<String> pathsAfter = new TreeSet<>(Snapshot.of(location).entries().keySet());
      check(
          pathsAfter.equals(new TreeSet<>(pathsBefore)),
          "P10",
          () ->
              "failed backups left files behind after the failing "
                  + "calls and a new open: "
                  + Snapshot.pathChanges(pathsBefore, pathsAfter));
    }
  }

  void p10_backupCrashingAtEveryFileSystemOperation_listsOnlyCompleteBackupsAfterReopen(Fs fs)
      throws Exception {
    notOnStores(
        "the faults of a file system (errors, crashes, a full disk) do not reach them: the store's own faults are tested against its server");
    Faulty f = faulty(fs);
    Path source = durable(smallTree(f.root.resolve("src")));
    Snapshot expectedTree = Snapshot.of(source);
    Path location = f.root.resolve("repo");
    BackupRepository initial = open(location);
    BackupRepository repo = initial;
    Set<String> complete =
        new HashSet<>(Set.of(setUp("a first backup", () -> initial.backup(source)).backupId()));
    f.fs.resetCount();
    setUpStep(
        "a backup counting its file-system operations, then its delete",
        () -> initial.delete(initial.backup(source).id()));
    long k = f.fs.operations();
    for (long n : sample(k)) {
      where(fs + ", crash at file-system operation " + n + " of a backup (" + k + " operations)");
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
      repo = openChecked(location, provider(), options());
      for (BackupMetadata m : repo.list()) {
        VerifyReport r = repo.verify(m.id());
        check(
            r.ok(),
            "P10",
            () ->
                "after a crash at operation "
                    + n
                    + ", backup "
                    + m.id()
                    + " is listed but does not verify: "
                    + r.problems());
        if (complete.add(m.backupId())) {
          // completed at the moment of the crash: durable and complete, so it must restore in full
          Path target = f.root.resolve("crash-restore-" + n);
          repo.restore(m.id(), target);
          sameTree("P10", "a backup listed after a crash", expectedTree, target);
        }
      }
      Set<String> listed =
          repo.list().stream().map(BackupMetadata::backupId).collect(Collectors.toSet());
      check(
          listed.equals(complete),
          "P10",
          () ->
              "after a crash at operation "
                  + n
                  + " list() holds "
                  + listed
                  + ", expected the completed backups "
                  + complete);
    }
    where(fs + ", after crashes at each of " + k + " file-system operations of a backup");
    checkStillWorks(repo, source, f.root);
  }

  void p10_backupCrashingAtEveryFileSystemOperation_leavesNoFilesAfterTheNextOpen(Fs fs)
      throws Exception {
    notOnStores(
        "the faults of a file system (errors, crashes, a full disk) do not reach them: the store's own faults are tested against its server");
    Faulty f = faulty(fs);
    Path source = durable(smallTree(f.root.resolve("src")));
    Path location = f.root.resolve("repo");
    BackupRepository initial = open(location);
    BackupMetadata first = setUp("a first backup", () -> initial.backup(source));
    f.fs.resetCount();
    setUpStep(
        "a backup counting its file-system operations, then its delete",
        () -> initial.delete(initial.backup(source).id()));
    long k = f.fs.operations();
    Set<String> pathsBefore = new TreeSet<>(Snapshot.of(location).entries().keySet());
    BackupRepository repo = initial;
    for (long n : sample(k)) {
      where(fs + ", crash at file-system operation " + n + " of a backup (" + k + " operations)");
      f.fs.crashAt(n);
      try {
        repo.backup(source);
      } catch (IOException | RuntimeException failed) {
        // the crash
      }
      f.fs.clearFaults();
      if (f.fs.crashed()) {
        f.fs.recover();
      }
      repo = openChecked(location, provider(), options());
      for (BackupMetadata m : repo.list()) {
        if (!m.id().equals(first.id())) {
          BackupRepository r = repo;
          setUpStep("a delete of a backup completed before the crash", () -> r.delete(m.id()));
        }
      }
      Set<String> pathsAfter = new TreeSet<>(Snapshot.of(location).entries().keySet());
      long at = n;
      check(
          pathsAfter.equals(pathsBefore),
          "P10",
          () ->
              "a backup crashed at operation "
                  + at
                  + " left files behind after the next open: "
                  + Snapshot.pathChanges(pathsBefore, pathsAfter));
    }
  }

  /**
   * Forces every file of {@code tree} (on the faulty file system), so a simulated crash drops none
   * of the source's bytes: the backups taken after it must still match the source as made.
   */
  private static Path durable(Path tree) throws IOException {
    try (Stream<Path> files = Files.walk(tree)) {
      for (Path file :
          files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      }
    }
    return tree;
  }

  void p10_backupOnFullDisk_isNeverListedAndRepositoryKeepsWorking(Fs fs) throws Exception {
    notOnStores(
        "the faults of a file system (errors, crashes, a full disk) do not reach them: the store's own faults are tested against its server");
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    BackupRepository repo = open(f.root.resolve("repo"));
    List<BackupMetadata> expected = new ArrayList<>(List.of(repo.backup(source)));
    for (long limit : new long[] {0, 1, 100, 1000, 3000, 6000, 9000}) {
      where(fs + ", disk full after " + limit + " bytes");
      f.fs.diskFullAfter(limit);
      backUpThroughFault(
          f, repo, source, expected, "a backup hit a full disk at " + limit + " bytes");
    }
    checkStillWorks(repo, source, f.root);
  }

  /**
   * Backs up {@code source} with the fault planned on {@code f} (the backup is added to {@code
   * expected} if it succeeds anyway), clears the fault, and checks that exactly the {@code
   * expected} backups are listed.
   */
  private void backUpThroughFault(
      Faulty f, BackupRepository repo, Path source, List<BackupMetadata> expected, String after)
      throws IOException {
    try {
      expected.add(repo.backup(source));
    } catch (IOException | RuntimeException failed) {
      // the injected fault, as is or wrapped
    } finally {
      f.fs.clearFaults();
    }
    Set<String> listed = new TreeSet<>(ids(repo.list())); // the order is P13's
    Set<String> want = new TreeSet<>(ids(expected));
    check(
        listed.equals(want),
        "P10",
        () -> "after " + after + ", list() holds " + listed + ", expected " + want);
  }

  private static List<BackupMetadata> sorted(List<BackupMetadata> list) {
    List<BackupMetadata> out = new ArrayList<>(list);
    out.sort(BackupMetadata.NEWEST_FIRST);
    return out;
  }

  /** Every listed backup verifies, and a new backup succeeds, verifies and restores. */
  private BackupMetadata checkStillWorks(BackupRepository repo, Path source, Path root)
      throws IOException {
    for (BackupMetadata m : repo.list()) {
      VerifyReport r = repo.verify(m.id());
      check(r.ok(), "P10", () -> "listed backup " + m.id() + " does not verify: " + r.problems());
    }
    BackupMetadata b;
    try {
      b = repo.backup(source);
    } catch (IOException e) {
      throw broken("P10", "the repository no longer takes backups: " + e, e);
    }
    check(repo.verify(b.id()).ok(), "P10", () -> "a new backup does not verify");
    Path target = root.resolve("after-faults-" + b.id());
    repo.restore(b.id(), target);
    sameTree("P10", "a backup taken after the faults", Snapshot.of(source), target);
    return b;
  }
}
