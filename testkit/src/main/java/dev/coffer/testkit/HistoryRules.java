package dev.coffer.testkit;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.NoSuchBackupException;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P12 and P13 of the provider contract: incremental backups that restore the full state, and
 * listings (list, find, latest, size) that agree with what backup returned.
 */
final class HistoryRules extends ConformanceEnvironment {

  HistoryRules(ConformanceEnvironment env) {
    super(env);
  }

  void p12_incrementalCapability_restoresFullStateIncludingDeletions(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.INCREMENTAL),
        "no INCREMENTAL capability: see the twin test");
    Backed given = realisticBackup(fs);
    Snapshot atBase = Snapshot.of(given.source);
    mutate(given.source);
    removeADirectoryWithContent(given.source);
    BackupMetadata inc =
        given.repo.backup(
            BackupRequest.incremental(given.source, given.backup.id()).withLabel("n", "1"));
    Snapshot atInc = Snapshot.of(given.source);
    check(
        inc.backupType() == BackupType.INCREMENTAL
            && given.backup.backupId().equals(inc.baseBackupId()),
        "P12",
        () ->
            "an incremental backup is recorded as "
                + inc.backupType()
                + " with base "
                + inc.baseBackupId());
    check(
        inc.totalFiles() == atInc.fileCount() && inc.totalBytes() == atInc.totalBytes(),
        "P12",
        () ->
            "an incremental's totals "
                + inc.totalFiles()
                + "/"
                + inc.totalBytes()
                + " are not the source's "
                + atInc.fileCount()
                + "/"
                + atInc.totalBytes());
    mutate(given.source);
    BackupMetadata inc2 = given.repo.backup(BackupRequest.incremental(given.source, inc.id()));
    Snapshot atInc2 = Snapshot.of(given.source);
    Path t1 = given.root.resolve("t1");
    given.repo.restore(inc.id(), t1);
    sameTree("P12", "a restored incremental backup", atInc, t1);
    Path t2 = given.root.resolve("t2");
    given.repo.restore(inc2.id(), t2);
    sameTree("P12", "a restored incremental of an incremental", atInc2, t2);
    Path t0 = given.root.resolve("t0");
    given.repo.restore(given.backup.id(), t0);
    sameTree("P12", "the base restored after incrementals were taken", atBase, t0);
    for (BackupMetadata m : List.of(given.backup, inc, inc2)) {
      check(
          given.repo.verify(m.id()).ok(),
          "P12",
          () -> "backup " + m.id() + " of a chain does not verify");
    }
    Snapshot before = Snapshot.of(given.root.resolve("repo"));
    BackupId absent = BackupIds.newId();
    expect(
        NoSuchBackupException.class,
        "P12",
        "an incremental with an unknown base",
        () -> given.repo.backup(BackupRequest.incremental(given.source, absent)));
    unchanged("P12", "an incremental with an unknown base", before, given.root.resolve("repo"));
  }

  /**
   * Deletes the first directory that holds a file, with everything below it: an incremental must
   * record the removal of a whole subtree, not only of empty directories ({@link #mutate}).
   */
  private static void removeADirectoryWithContent(Path source) throws IOException {
    Snapshot s = Snapshot.of(source);
    for (String d : s.directories()) {
      if (!d.isEmpty() && s.files().stream().anyMatch(f -> f.startsWith(d + "/"))) {
        FileTrees.deleteRecursively(source.resolve(d));
        return;
      }
    }
  }

  void p12_noIncrementalCapability_incrementalRequestIsRefused(Fs fs) throws Exception {
    Assumptions.assumeFalse(
        capabilities.contains(Capability.INCREMENTAL), "INCREMENTAL declared: see the twin test");
    Backed given = smallBackup(fs);
    Snapshot before = Snapshot.of(given.root.resolve("repo"));
    expect(
        UnsupportedOperationException.class,
        "P12",
        "an incremental request without INCREMENTAL",
        () -> given.repo.backup(BackupRequest.incremental(given.source, given.backup.id())));
    unchanged("P12", "a refused incremental request", before, given.root.resolve("repo"));
  }

  void p13_listFindLatestAndSize_agreeWithWhatBackupReturned(Fs fs) throws Exception {
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
      check(
          !later.createdAt().isBefore(earlier.createdAt()),
          "P13",
          () -> "a later backup has an earlier createdAt: " + made);
    }
    List<BackupMetadata> expected = new ArrayList<>(made);
    expected.sort(BackupMetadata.NEWEST_FIRST);
    List<BackupMetadata> listed = repo.list();
    check(
        listed.equals(expected),
        "P13",
        () -> "list() is " + listed + ", expected newest first " + expected);
    check(
        repo.latest().equals(Optional.of(expected.get(0))),
        "P13",
        () -> "latest() is not the newest backup");
    for (BackupMetadata m : made) {
      Optional<BackupMetadata> found = repo.find(m.id());
      check(
          found.equals(Optional.of(m)),
          "P13",
          () -> "find(" + m.id() + ") is " + found + ", backup returned " + m);
      long size = repo.storedBytes(m.id());
      check(size >= 0, "P13", () -> "size(" + m.id() + ") is negative: " + size);
    }
    long firstSize = repo.storedBytes(made.get(0).id());
    check(
        firstSize > 0,
        "P13",
        () -> "the first backup of a non-empty source added " + firstSize + " bytes");
  }

  void p13_longerHistory_listsNewestFirst_andFindFollowsAnotherInstancesDelete(Fs fs)
      throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    Path source = smallTree(root.resolve("src"));
    gen.file(source.resolve("random.bin"), 256 * 1024, false);
    BackupRepository repo = open(location);
    List<BackupMetadata> made = new ArrayList<>();
    boolean incremental = capabilities.contains(Capability.INCREMENTAL);
    for (int i = 0; i < 6; i++) {
      BackupRequest request =
          incremental && i % 2 == 1
              ? BackupRequest.incremental(source, made.get(i - 1).id())
              : BackupRequest.full(source);
      request =
          request
              .withLabel("n", Integer.toString(i))
              .withLabel("empty", "")
              .withLabel("λ key", "ünïcode value");
      BackupMetadata m = repo.backup(request);
      check(
          m.labels().equals(request.labels()),
          "P13",
          () ->
              "labels "
                  + m.labels()
                  + " were recorded for "
                  + "requested "
                  + "labels; expected them as given");
      made.add(m);
      Files.writeString(source.resolve("a").resolve("one.txt"), "change " + i);
    }
    long randomSize = repo.storedBytes(made.get(0).id());
    check(
        randomSize >= 256 * 1024,
        "P13",
        () -> "size() of the first backup, holding 256 KiB of random bytes, is " + randomSize);
    List<BackupMetadata> expected = new ArrayList<>(made);
    expected.sort(BackupMetadata.NEWEST_FIRST);
    check(
        repo.list().equals(expected),
        "P13",
        () -> "list() is " + safeList(repo) + ", expected " + ids(expected));
    check(
        repo.latest().equals(Optional.of(expected.get(0))),
        "P13",
        () -> "latest() is not the newest backup " + expected.get(0).id());
    BackupRepository other = open(location, provider());
    for (BackupMetadata m : made) {
      Optional<BackupMetadata> found = other.find(m.id());
      check(
          found.equals(Optional.of(m)),
          "P13",
          () -> "another instance finds " + found + " for " + m.id());
      Optional<BackupMetadata> own = repo.find(m.id());
      check(own.equals(Optional.of(m)), "P13", () -> "find() gives " + own + " for " + m.id());
    }
    BackupMetadata newest = expected.get(0);
    setUpStep("another instance's delete of the newest backup", () -> other.delete(newest.id()));
    Optional<BackupMetadata> gone = repo.find(newest.id());
    check(
        gone.isEmpty(),
        "P13",
        () -> "find() still returns a backup another instance deleted: " + gone);
    check(
        repo.list().equals(expected.subList(1, expected.size())),
        "P13",
        () -> "after another instance's delete, list() is " + safeList(repo));
    check(
        repo.latest().equals(Optional.of(expected.get(1))),
        "P13",
        () -> "after another instance deleted the newest backup, latest() is not the next newest");
  }
}
