package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import dev.coffer.spi.Capability;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P5 to P9 of the provider contract: a repository that persists across instances and file
 * systems, full backups that restore byte for byte, refused sources, and symbolic links.
 */
final class BackupRules extends ConformanceEnvironment {

  BackupRules(ConformanceEnvironment env) {
    super(env);
  }

  void p05_reopenedRepository_fromFreshProviderInstance_seesSameBackups(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path location = root.resolve("repo");
    BackupRepository repo = openAt(provider, location, options());
    showRepository(location);
    List<BackupMetadata> made = new ArrayList<>();
    try {
      check(
          Files.exists(location, LinkOption.NOFOLLOW_LINKS),
          "P5",
          () -> "open on an absent location did not create a repository there");
      check(repo.list().isEmpty(), "P5", () -> "a new repository is not empty: " + safeList(repo));
      made.add(
          setUp(
              "a first backup",
              () -> repo.backup(BackupRequest.full(source).withLabel("lsn", "0/16B3748"))));
      made.add(setUp("a second backup", () -> repo.backup(BackupRequest.full(source))));
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
    try (BackupRepository again = openAt(provider(), location, options())) {
      List<BackupMetadata> listed = again.list();
      check(
          new HashSet<>(listed).equals(new HashSet<>(made)) && listed.size() == made.size(),
          "P5",
          () ->
              "a reopened repository lists "
                  + listed
                  + ", expected "
                  + made
                  + " (in any order: the order is P13's)");
      for (BackupMetadata m : made) {
        Optional<BackupMetadata> found = again.find(m.id());
        check(
            found.equals(Optional.of(m)),
            "P5",
            () -> "find(" + m.id() + ") after reopen gave " + found);
      }
      Path target = root.resolve("restored");
      again.restore(made.get(0).id(), target);
      sameTree("P5", "restore through a reopened repository", expected, target);
    }
  }

  void p06_sourceRepositoryAndTarget_onThreeDifferentFileSystems() throws Exception {
    Fs[][] combos = {
      {Fs.UNIX, Fs.WINDOWS, Fs.OSX}, {Fs.WINDOWS, Fs.DISK, Fs.UNIX}, {Fs.DISK, Fs.OSX, Fs.WINDOWS}
    };
    for (Fs[] c : combos) {
      Fs repoFs = repositoryFs(c[1]);
      where("source on " + c[0] + ", repository on " + repoFs + ", target on " + c[2]);
      Path source = root(c[0]).resolve("src");
      gen.databaseLayout(source, 8192);
      BackupRepository repo = openChecked(root(repoFs).resolve("repo"), provider, options());
      BackupMetadata b = repo.backup(source);
      Path target = root(c[2]).resolve("restored");
      repo.restore(b.id(), target);
      sameTree("P6", "a round trip across file systems", Snapshot.of(source), target);
      check(repo.verify(b.id()).ok(), "P6", () -> "verify of an intact backup is not ok");
    }
  }

  /**
   * Runs a backup, a restore and a verify on Jimfs, each paused in its progress listener, three
   * times over: a run is clean when no new entry appeared in the default file system's temporary or
   * working directory during and after it. One clean run proves nothing was written there (an entry
   * another process made meanwhile, or a library unpacking itself once, spoils one run, not three);
   * three unclean runs are a break.
   */
  void p06_onJimfs_nothingIsWrittenToTheDefaultFileSystemsTempOrWorkingDirectory()
      throws Exception {
    List<String> seen = List.of();
    for (int run = 0; run < 3; run++) {
      seen = defaultFileSystemWritesOfOneRun();
      if (seen.isEmpty()) {
        return;
      }
    }
    List<String> last = seen;
    throw broken(
        "P6",
        "with source, repository and target on Jimfs, new entries appeared on the default file"
            + " system in each of three runs (Files.createTempFile without a directory, or a"
            + " relative Path.of?): "
            + String.join("; ", last));
  }

  private List<String> defaultFileSystemWritesOfOneRun() throws Exception {
    Path root = root(Fs.UNIX);
    Path source = smallTree(root.resolve("src"));
    List<String> seen = new ArrayList<>();
    DefaultFileSystemWatch watch = new DefaultFileSystemWatch();
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b =
        repo.backup(BackupRequest.full(source).withProgress(during("backup", watch, seen)));
    repo.restore(
        RestoreRequest.of(b.id(), root.resolve("t")).withProgress(during("restore", watch, seen)));
    repo.verify(b.id(), during("verify", watch, seen));
    watch.appeared().forEach(p -> seen.add("after the operations: " + p));
    return seen;
  }

  /** A listener that, at its first report of a file done, notes what appeared meanwhile. */
  private static ProgressListener during(
      String operation, DefaultFileSystemWatch watch, List<String> seen) {
    boolean[] done = {false};
    return p -> {
      if (!done[0] && p.filesDone() > 0) {
        done[0] = true;
        try {
          watch.appeared().forEach(e -> seen.add("during a " + operation + ": " + e));
        } catch (IOException e) {
          seen.add("listing the default file system failed during a " + operation + ": " + e);
        }
      }
    };
  }

  void p07_fullBackup_restoresEveryFileAndDirectoryByteForByte(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = realisticTree(fs, root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    Instant before = Instant.now();
    BackupMetadata b =
        repo.backup(
            BackupRequest.full(source).withLabel("lsn", "0/16B3748").withLabel("host", " db1 "));
    Instant after = Instant.now();
    Snapshot expected = Snapshot.of(source);
    check(
        b.totalFiles() == expected.fileCount(),
        "P7",
        () -> "totalFiles is " + b.totalFiles() + ", the source has " + expected.fileCount());
    check(
        b.totalBytes() == expected.totalBytes(),
        "P7",
        () -> "totalBytes is " + b.totalBytes() + ", the source has " + expected.totalBytes());
    check(
        b.backupType() == BackupType.FULL && b.baseBackupId() == null,
        "P7",
        () -> "a full backup is recorded as " + b.backupType() + " with base " + b.baseBackupId());
    check(
        b.provider().equals(provider.name()),
        "P7",
        () -> "provider is recorded as '" + b.provider() + "'");
    check(
        b.labels().equals(Map.of("host", " db1 ", "lsn", "0/16B3748")), // spaces kept
        "P7",
        () -> "labels are recorded as " + b.labels());
    check(
        b.sourceDir().equals(source.toString())
            || b.sourceDir().equals(source.toAbsolutePath().toString()),
        "P7",
        () ->
            "sourceDir is recorded as '" + b.sourceDir() + "', the request named '" + source + "'");
    check(
        !b.createdAt().isBefore(before.minusSeconds(2))
            && !b.createdAt().isAfter(after.plusSeconds(2)),
        "P7",
        () ->
            "createdAt "
                + b.createdAt()
                + " is not the time of the backup ("
                + before
                + " to "
                + after
                + ")");
    Path target = root.resolve("restored");
    BackupMetadata restored = repo.restore(b.id(), target);
    check(
        restored.equals(b), "P7", () -> "restore returned " + restored + ", backup returned " + b);
    sameTree("P7", "a restored full backup", expected, target);
  }

  void p07_manySmallFiles_roundTrip(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = root.resolve("src");
    gen.manySmallFiles(source, TreeGenerator.heavy() ? 5000 : 300);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    Snapshot expected = Snapshot.of(source);
    check(
        b.totalFiles() == expected.fileCount(),
        "P7",
        () -> "totalFiles is " + b.totalFiles() + ", the source has " + expected.fileCount());
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    sameTree("P7", "a restored tree of many small files", expected, target);
  }

  void p07_emptySource_isBackedUpAndRestoredAsEmptyDirectory(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = Files.createDirectories(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    check(
        b.totalFiles() == 0 && b.totalBytes() == 0,
        "P7",
        () -> "an empty source gave totals " + b.totalFiles() + "/" + b.totalBytes());
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    sameTree("P7", "a restored empty backup", Snapshot.of(source), target);
  }

  void p08_missingSourceOrFileSource_failsAndLeavesRepositoryUnchanged(Fs fs) throws Exception {
    Backed given = smallBackup(fs);
    Snapshot before = Snapshot.of(given.root.resolve("repo"));
    List<BackupMetadata> listed = given.repo.list();
    expect(
        NoSuchFileException.class,
        "P8",
        "backup of a missing source",
        () -> given.repo.backup(given.root.resolve("missing")));
    Path file = Files.writeString(given.root.resolve("a-file"), "not a directory");
    expect(
        NotDirectoryException.class,
        "P8",
        "backup of a source that is a file",
        () -> given.repo.backup(file));
    unchanged("P8", "a refused backup", before, given.root.resolve("repo"));
    check(given.repo.list().equals(listed), "P8", () -> "a refused backup changed list()");
  }

  void p09_symlinksCapability_linksAreRestoredAsLinksAndNeverFollowed(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.SYMLINKS), "no SYMLINKS capability: see the twin test");
    Path root = root(fs);
    Path outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside content");
    Path source = smallTree(root.resolve("src"));
    Files.createSymbolicLink(source.resolve("link-to-outside-file"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(source.resolve("link-to-outside-dir"), outside);
    Files.createSymbolicLink(
        source.resolve("a").resolve("relative-link"),
        source.getFileSystem().getPath("..", "empty.txt"));
    Files.createSymbolicLink(
        source.resolve("dangling"), source.getFileSystem().getPath("no-such-file"));
    Snapshot outsideBefore = Snapshot.of(outside);
    Snapshot expected = Snapshot.of(source);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    check(
        b.totalFiles() == expected.fileCount(),
        "P9",
        () ->
            "totalFiles "
                + b.totalFiles()
                + " counts links or what they point to; expected "
                + expected.fileCount());
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    sameTree("P9", "a restored backup with links", expected, target);
    unchanged("P9", "the directory the links point to", outsideBefore, outside);
  }

  void p09_symlinksCapability_deepLinksKeepTheirTargetTextExactly(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.SYMLINKS), "no SYMLINKS capability: see the twin test");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path deep = Files.createDirectories(source.resolve("d1").resolve("d2").resolve("d3"));
    FileSystem sfs = source.getFileSystem();
    Map<String, String> links = new TreeMap<>();
    links.put("d1/d2/d3/dotted", "../../../a/./b/../one.txt");
    links.put("d1/d2/d3/to-dir", "../../../a");
    links.put("d1/d2/dangling", "./no/such/./target");
    links.put(
        "d1/absolute",
        sfs.getRootDirectories().iterator().next().resolve("coffer-tck-nowhere").toString());
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
      check(
          text.equals(l.getValue()),
          "P9",
          () ->
              "the link "
                  + l.getKey()
                  + " was restored pointing to '"
                  + text
                  + "'; the source's link text is '"
                  + l.getValue()
                  + "'");
    }
    check(
        !Files.exists(target.resolve("d1/d2/d3/to-dir/one.txt"), LinkOption.NOFOLLOW_LINKS)
            || Files.isSymbolicLink(target.resolve("d1/d2/d3/to-dir")),
        "P9",
        () -> "a link to a directory was descended");
  }

  void p09_noSymlinksCapability_backupWithLinkIsRefusedNamingIt(Fs fs) throws Exception {
    Assumptions.assumeFalse(
        capabilities.contains(Capability.SYMLINKS), "SYMLINKS declared: see the twin test");
    Path root = root(fs);
    Path outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside content");
    Path source = smallTree(root.resolve("src"));
    Files.createSymbolicLink(
        source.resolve("a").resolve("link-to-outside"), outside.resolve("secret.txt"));
    BackupRepository repo = open(root.resolve("repo"));
    repo.backup(smallTree(root.resolve("src2")));
    refusedNaming(
        "P9",
        "backup of a source holding a link without SYMLINKS",
        "link-to-outside",
        root.resolve("repo"),
        () -> repo.backup(source));
  }

  void p07_shortReadsEverywhere_roundTripByteForByte(Fs fs) throws Exception {
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
    check(
        r.ok(), "P14", () -> "with short reads, an intact backup does not verify: " + r.problems());
    sameTree("P7", "a round trip with one-byte reads", expected, target);
  }
}
