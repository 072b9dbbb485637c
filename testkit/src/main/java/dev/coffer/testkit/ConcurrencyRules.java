package dev.coffer.testkit;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Rule P11, concurrent backups, deletes and restores through one or two instances; and rule P5
 * across processes: a repository on the default file system opened by a real second JVM ({@link
 * OtherJvm}) while this JVM is writing a backup into it (Jimfs lives in one JVM, so that runs on
 * the real disk only).
 */
final class ConcurrencyRules extends ConformanceEnvironment {

  private static final long SECONDS = 60;

  ConcurrencyRules(ConformanceEnvironment env) {
    super(env);
  }

  void p05_anotherJvm_seesTheSameBackups_andBacksUp_whileThisOneIsWriting(Fs fs) throws Exception {
    Assumptions.assumeTrue(fs == Fs.DISK, "only the real disk can be shared with another JVM");
    notOnStores("which the other JVM would open by path");
    Path root = root(Fs.DISK);
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    Path first = smallTree(root.resolve("src0"));
    BackupMetadata done =
        setUp("a first backup", () -> repo.backup(BackupRequest.full(first).withLabel("n", "1")));
    Path source = smallTree(root.resolve("src"));
    Path otherSource = smallTree(root.resolve("src-other"));
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FutureTask<BackupMetadata> writing =
        new FutureTask<>(
            () ->
                repo.backup(
                    BackupRequest.full(source)
                        .withProgress(
                            p -> {
                              if (paused.getCount() > 0) {
                                paused.countDown();
                                try {
                                  release.await(SECONDS, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                  Thread.currentThread().interrupt();
                                }
                              }
                            })));
    Thread writer = new Thread(writing, "coffer-tck-p05-writer");
    writer.start();
    OtherJvm.Result other;
    try {
      check(
          paused.await(SECONDS, TimeUnit.SECONDS) || writing.isDone(),
          "P5",
          () -> "the backup in this JVM neither reported progress nor ended");
      try {
        other = OtherJvm.run(provider.getClass(), location, otherSource, options(), SECONDS);
      } catch (IOException e) {
        Assumptions.abort("no second JVM can be started here: " + e);
        return;
      }
    } finally {
      release.countDown();
    }
    BackupMetadata second;
    try {
      second = writing.get(SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw broken(
          "P5",
          "the backup this JVM was writing failed while another JVM opened the repository and backed"
              + " up: "
              + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw broken("P5", "the backup this JVM was writing did not end", e);
    }
    List<String> lines = other.lines();
    Assumptions.assumeFalse(
        other.exit() == OtherJvm.CANNOT_LOAD,
        () -> "the provider class cannot be loaded in a new JVM from java.class.path: " + lines);
    check(
        other.exit() == 0,
        "P5",
        () -> "the other JVM failed (exit " + other.exit() + "): " + lines);
    int backupLine =
        lines.indexOf(lines.stream().filter(l -> l.startsWith("backup ")).findFirst().orElse(""));
    check(backupLine >= 0, "P5", () -> "the other JVM printed no backup: " + lines);
    List<String> listedBefore =
        lines.subList(0, backupLine).stream().filter(l -> l.startsWith("listed ")).toList();
    check(
        listedBefore.equals(List.of("listed " + OtherJvm.line(done))),
        "P5",
        () ->
            "another JVM, while this one was writing a backup, listed "
                + listedBefore
                + "; expected exactly the complete backup: listed "
                + OtherJvm.line(done));
    String otherId = lines.get(backupLine).substring("backup ".length());
    Optional<BackupMetadata> found =
        repo.list().stream().filter(m -> m.backupId().equals(otherId)).findFirst();
    check(
        found.isPresent(),
        "P5",
        () -> "this JVM does not list the backup " + otherId + " another JVM took: " + ids(repo));
    check(
        repo.find(second.id()).equals(Optional.of(second))
            && repo.find(done.id()).equals(Optional.of(done)),
        "P5",
        () ->
            "this JVM lost a backup of its own after another JVM used the repository: "
                + ids(repo));
    check(
        repo.verify(found.get().id()).ok(),
        "P5",
        () -> "the backup another JVM took does not verify here");
  }

  void p11_concurrentBackups_throughOneAndTwoInstances_allSucceedWithDistinctIds(Fs fs)
      throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    BackupRepository one = open(location);
    BackupRepository two = open(location, provider());
    List<BackupRepository> repos = List.of(one, one, one, two, two, one);
    CountDownLatch start = new CountDownLatch(1);
    // every backup waits in its first progress call until all are running (or a second has passed
    // since the first arrived, so a provider that runs backups one at a time is slowed by a second
    // at most): the backups truly overlap, however fast each one is
    CountDownLatch allRunning = new CountDownLatch(repos.size());
    AtomicLong deadline = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(repos.size() + 1);
    AtomicBoolean done = new AtomicBoolean();
    List<BackupMetadata> made;
    Set<String> seenWhileRunning = Collections.synchronizedSet(new HashSet<>());
    try {
      List<Future<BackupMetadata>> futures = new ArrayList<>();
      for (BackupRepository r : repos) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  AtomicBoolean arrived = new AtomicBoolean();
                  return r.backup(
                      BackupRequest.full(source)
                          .withProgress(
                              p -> {
                                if (arrived.compareAndSet(false, true)) {
                                  allRunning.countDown();
                                  deadline.compareAndSet(0, System.nanoTime() + 1_000_000_000L);
                                  awaitUntil(allRunning, deadline.get());
                                }
                              }));
                }));
      }
      Future<Integer> lister =
          pool.submit(
              () -> {
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
        throw broken(
            "P11", "list() during concurrent backups failed: " + e.getCause(), e.getCause());
      }
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    Set<String> ids = made.stream().map(BackupMetadata::backupId).collect(Collectors.toSet());
    check(
        ids.size() == repos.size(),
        "P11",
        () -> "concurrent backups returned duplicate ids: " + made);
    Set<String> listed =
        one.list().stream().map(BackupMetadata::backupId).collect(Collectors.toSet());
    check(
        listed.equals(ids),
        "P11",
        () -> "after concurrent backups, list() holds " + listed + ", expected " + ids);
    check(
        ids.containsAll(seenWhileRunning),
        "P11",
        () -> "list() during backups showed ids that never completed: " + seenWhileRunning);
    Snapshot expected = Snapshot.of(source);
    int i = 0;
    for (String id : ids) { // ids as text: compared with BackupMetadata::backupId
      check(
          two.verify(BackupId.of(id)).ok(),
          "P11",
          () -> "backup " + id + " made concurrently does not verify");
      Path target = root.resolve("restored-" + i++);
      two.restore(BackupId.of(id), target);
      sameTree("P11", "a restore of a concurrently made backup", expected, target);
    }
  }

  void p11_deleteOfOneBackup_whileAnotherIsRestored_bothSucceed(Fs fs) throws Exception {
    Backed given = realisticBackup(fs);
    BackupMetadata doomed = setUp("a second backup", () -> given.repo.backup(given.source));
    Path target = given.root.resolve("restored");
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<BackupMetadata> restore =
          pool.submit(
              () -> {
                start.await();
                return given.repo.restore(given.backup.id(), target);
              });
      Future<Void> delete =
          pool.submit(
              () -> {
                start.await();
                given.repo.delete(doomed.id());
                return null;
              });
      start.countDown();
      try {
        restore.get(120, TimeUnit.SECONDS);
        delete.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw broken(
            "P11",
            "a restore concurrent with a delete of another backup failed: " + e.getCause(),
            e.getCause());
      }
    } finally {
      pool.shutdownNow();
    }
    sameTree("P11", "a restore concurrent with a delete", Snapshot.of(given.source), target);
    check(
        given.repo.list().equals(List.of(given.backup)),
        "P11",
        () -> "after the delete, list() is " + safeList(given.repo));
  }

  /** Waits for {@code latch} until {@code deadlineNanos} ({@link System#nanoTime}) at most. */
  private static void awaitUntil(CountDownLatch latch, long deadlineNanos) {
    try {
      latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String ids(BackupRepository repo) {
    try {
      return repo.list().stream().map(BackupMetadata::backupId).toList().toString();
    } catch (IOException e) {
      return "(list failed: " + e + ")";
    }
  }
}
