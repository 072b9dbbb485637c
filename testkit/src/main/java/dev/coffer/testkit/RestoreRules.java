package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import dev.coffer.testkit.Corruptions.Corruption;
import dev.coffer.testkit.Corruptions.CorruptionKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Rules P16 to P18 of the provider contract: restore targets that are refused, restores that fail
 * (corrupt bytes, a listener, any file-system operation, a full disk) leaving the target as it was,
 * and REPLACE.
 */
final class RestoreRules extends ConformanceEnvironment {

  RestoreRules(ConformanceEnvironment env) {
    super(env);
  }

  void p17_restoreFailingAtEveryFileSystemOperation_leavesTargetAsItWas(Fs fs) throws Exception {
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
      where(fs + ", restore failing at file-system operation " + n + " of " + k);
      Path target = parent.resolve("t" + n);
      if (n % 2 == 0) {
        Files.createDirectory(target);
      }
      Snapshot before = Snapshot.of(parent);
      f.fs.failAt(n);
      restoreThroughFault(
          f, repo, b, target, expected, "a restore failing at file-system operation " + n, before);
    }
  }

  void p17_restoreOnFullDisk_leavesTargetAsItWas(Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    BackupRepository repo = open(f.root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path parent = Files.createDirectories(f.root.resolve("restores"));
    for (long limit : new long[] {0, 1, 100, 1000, 3000, 6000}) {
      where(fs + ", disk full after " + limit + " bytes of a restore");
      Path target = parent.resolve("t" + limit);
      Snapshot before = Snapshot.of(parent);
      f.fs.diskFullAfter(limit);
      restoreThroughFault(
          f,
          repo,
          b,
          target,
          Snapshot.of(source),
          "a restore that hit a full disk after " + limit + " bytes",
          before);
    }
  }

  /**
   * Another process that can write the target's parent renames the restore's staging directory away
   * and puts a link to its own directory in its place, just before each file-system operation of a
   * restore in turn (issue #16): nothing may land in that directory, and the restore either
   * succeeds with the whole backup in the target or fails with the target as it was; the target is
   * never published as the link.
   */
  void p21_stagingDirectorySwappedForALinkAtAnyOperation_neverMakesRestoreWriteThere(Fs fs)
      throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    Snapshot expected = Snapshot.of(source);
    BackupRepository repo = open(f.root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Path parent = Files.createDirectories(f.root.resolve("restores"));
    Path plainParent = f.fs.unwrap(parent);
    Path attacker = Files.createDirectories(f.fs.unwrap(f.root).resolve("attacker"));
    f.fs.resetCount();
    repo.restore(b.id(), parent.resolve("probe"));
    long k = f.fs.operations();
    FileTrees.deleteRecursively(parent.resolve("probe"));
    Set<String> names = names(plainParent);
    for (long n : sample(k)) {
      boolean replace = n % 2 == 0;
      String what =
          (replace ? "a REPLACE restore" : "a restore")
              + " whose staging directory was swapped for a link before file-system operation "
              + n;
      where(fs + ", " + what + " of " + k);
      Path target = parent.resolve("t" + n);
      Snapshot before = null;
      if (replace) {
        Files.writeString(Files.createDirectory(target).resolve("old"), "old content");
        before = Snapshot.of(target);
      }
      Set<String> keep = replace ? names(plainParent) : names;
      String targetName = target.getFileName().toString();
      f.fs.beforeOperation(n, () -> swap(plainParent, keep, targetName, attacker));
      boolean ok;
      try {
        repo.restore(
            RestoreRequest.of(b.id(), target)
                .withMode(replace ? RestoreMode.REPLACE : RestoreMode.CREATE));
        ok = true;
      } catch (IOException | RuntimeException failed) {
        ok = false;
      } finally {
        f.fs.clearFaults();
      }
      check(
          names(attacker).isEmpty(),
          "P21",
          () -> what + " wrote " + names(attacker) + " into the directory swapped in");
      check(!Files.isSymbolicLink(target), "P21", () -> what + " published the link as its target");
      if (ok) {
        sameTree("P21", what + " (it succeeded)", expected, target);
      } else if (replace) {
        unchanged("P21", what + " (it failed)", before, target);
      } else {
        check(
            !Files.exists(target, LinkOption.NOFOLLOW_LINKS),
            "P21",
            () -> what + " failed but left the target behind");
      }
      for (String name : names(plainParent)) {
        if (!names.contains(name)) {
          FileTrees.deleteRecursively(plainParent.resolve(name)); // the swap's leftovers too
        }
      }
    }
  }

  /**
   * The other process of the rule above: renames the first new directory in {@code parent} (the
   * staging directory, or nothing yet) away and puts a link to {@code attacker} in its place.
   */
  private static void swap(Path parent, Set<String> before, String target, Path attacker) {
    try {
      for (String name : names(parent)) {
        Path p = parent.resolve(name);
        if (!before.contains(name)
            && !name.equals(target)
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.move(p, parent.resolve("moved-away-by-another-process"));
          Files.createSymbolicLink(p, attacker);
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> names(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Restores {@code b} into {@code target} with the fault planned on {@code f}, then clears it: a
   * restore that succeeds anyway must have restored {@code expected} (it is removed again); one
   * that fails must have left the target's parent as {@code before}.
   */
  private void restoreThroughFault(
      Faulty f,
      BackupRepository repo,
      BackupMetadata b,
      Path target,
      Snapshot expected,
      String what,
      Snapshot before)
      throws IOException {
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
      sameTree("P17", what + " (it succeeded)", expected, target);
      FileTrees.deleteRecursively(target);
    } else {
      unchanged("P17", what, before, target.getParent());
    }
  }

  void p17_restoreOfCorruptedBackup_throwsAndLeavesTargetUnchanged(Fs fs) throws Exception {
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
          // P17 is about the bytes a restore writes: a restore that ignores a stray stored file may
          // succeed,
          // as long as it restores exactly the backup (verify still has to report the stray: P14).
          sameTree("P17", "a restore after " + m, c.source, target);
          continue;
        } catch (CorruptBackupException expected) {
          // the contract's answer
        } catch (NoSuchBackupException e) {
          check(
              c.repo.find(c.backup.id()).isEmpty(),
              "P17",
              () ->
                  "restore after "
                      + m
                      + " threw NoSuchBackupException although the backup is still listed");
        } catch (IOException e) {
          throw broken(
              "P17",
              "restore after " + m + " threw " + e + " instead of CorruptBackupException",
              e);
        }
        unchanged(
            "P17",
            "a failed restore (after " + m + ") must leave the target and its parent as they were",
            before,
            parent);
      } finally {
        m.undo();
      }
    }
    check(
        c.repo.verify(c.backup.id()).ok(),
        "P15",
        () -> "after undoing every corruption the backup no longer verifies");
  }

  void p17_restoreAbortedAtAnyProgressCall_leavesTargetAsItWas(Fs fs) throws Exception {
    Backed given = smallBackup(fs);
    Path parent = Files.createDirectories(given.root.resolve("restores"));
    AtomicInteger calls = new AtomicInteger();
    given.repo.restore(
        RestoreRequest.of(given.backup.id(), parent.resolve("probe"))
            .withProgress(p -> calls.incrementAndGet()));
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
        given.repo.restore(
            RestoreRequest.of(given.backup.id(), target)
                .withProgress(
                    p -> {
                      if (n.incrementAndGet() == abortAt) {
                        throw new IllegalStateException(
                            "coffer-tck: cancelled at progress call " + abortAt);
                      }
                    }));
        throw broken("P17", "a restore whose listener threw at call " + k + " completed");
      } catch (IOException | RuntimeException expected) {
        // the listener's exception, as is or wrapped
      }
      unchanged("P17", "a restore cancelled at progress call " + k, before, parent);
    }
  }

  void p16_restoreIntoNonEmptyTarget_failsAndLeavesTargetUnchanged(Fs fs) throws Exception {
    Backed given = smallBackup(fs);
    Path parent = Files.createDirectories(given.root.resolve("restores"));
    Path target = Files.createDirectories(parent.resolve("full"));
    Files.writeString(target.resolve("precious.txt"), "keep me");
    Snapshot before = Snapshot.of(parent);
    expect(
        DirectoryNotEmptyException.class,
        "P16",
        "restore into a non-empty target",
        () -> given.repo.restore(given.backup.id(), target));
    unchanged("P16", "a refused restore into a non-empty target", before, parent);
    Path empty = Files.createDirectories(parent.resolve("empty"));
    given.repo.restore(given.backup.id(), empty);
    sameTree("P16", "a restore into an empty target", Snapshot.of(given.source), empty);
    Path orphan = parent.resolve("no-such-parent").resolve("target");
    Snapshot before2 = Snapshot.of(parent);
    expect(
        IOException.class,
        "P16",
        "restore into a target whose parent does not exist",
        () -> given.repo.restore(given.backup.id(), orphan));
    unchanged("P16", "a refused restore into a target without parent", before2, parent);
  }

  void p16_targetThatIsARegularFile_isRefusedAndLeftAsItWas(Fs fs) throws Exception {
    Backed given = smallBackup(fs);
    Path parent = Files.createDirectories(given.root.resolve("restores"));
    Path file = Files.createFile(parent.resolve("target-file"));
    for (RestoreMode mode : RestoreMode.values()) {
      expect(
          IOException.class,
          "P16",
          "a " + mode + " restore onto an existing regular file",
          () -> given.repo.restore(RestoreRequest.of(given.backup.id(), file).withMode(mode)));
      check(
          Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == 0,
          "P16",
          () -> "a refused " + mode + " restore changed the regular file at its target");
      Set<String> names = listNames(parent);
      check(
          names.equals(Set.of("target-file")),
          "P16",
          () -> "a refused " + mode + " restore left " + names);
    }
  }

  void p18_replaceMode_swapsContentOnlyWhenCompleteAndVerified(Fs fs) throws Exception {
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

  void p18_replaceMode_onAnotherFileSystem_andWithAMissingParent(Fs fs) throws Exception {
    Fs repoFs = repositoryFs(Fs.UNIX);
    Backed given = smallBackup(repoFs);
    Path elsewhere = root(fs);
    Path target = Files.createDirectories(elsewhere.resolve("target"));
    Files.writeString(target.resolve("old.txt"), "old content");
    Files.createDirectories(target.resolve("a").resolve("old-dir"));
    where("repository on " + repoFs + ", REPLACE target on " + fs);
    given.repo.restore(RestoreRequest.of(given.backup.id(), target).withMode(RestoreMode.REPLACE));
    sameTree(
        "P18", "a REPLACE restore onto another file system", Snapshot.of(given.source), target);
    Snapshot before = Snapshot.of(elsewhere);
    Path orphan = elsewhere.resolve("no-such-parent").resolve("target");
    expect(
        IOException.class,
        "P18",
        "a REPLACE restore into a target whose parent does not exist",
        () ->
            given.repo.restore(
                RestoreRequest.of(given.backup.id(), orphan).withMode(RestoreMode.REPLACE)));
    unchanged("P18", "a refused REPLACE restore into a target without parent", before, elsewhere);
  }
}
