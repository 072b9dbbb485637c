package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * Rule P5 across processes: a repository on the default file system opened by a real second JVM
 * ({@link OtherJvm}) while this JVM is writing a backup into it. Jimfs lives in one JVM, so this
 * runs on the real disk only.
 */
final class ProcessRules extends ConformanceEnvironment {

  private static final long SECONDS = 60;

  ProcessRules(ConformanceEnvironment env) {
    super(env);
  }

  void p05_anotherJvm_seesTheSameBackups_andBacksUp_whileThisOneIsWriting(Fs fs) throws Exception {
    Assumptions.assumeTrue(fs == Fs.DISK, "only the real disk can be shared with another JVM");
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

  private static String ids(BackupRepository repo) {
    try {
      return repo.list().stream().map(BackupMetadata::backupId).toList().toString();
    } catch (IOException e) {
      return "(list failed: " + e + ")";
    }
  }
}
