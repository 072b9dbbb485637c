package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import dev.coffer.SpecialFiles;
import dev.coffer.testkit.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An incremental backup links the base's files while it scans the source, then undoes what the
 * source does not want: whatever changed between base and source, the new backup holds exactly the
 * source.
 */
class PrelinkTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void filesBecomingDirectories_directoriesBecomingFiles_changesAndDeletions_endAsTheSource(
      Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = root.resolve("source");
    Trees.write(source, "x", "a file that becomes a directory");
    Trees.write(source, "y/w/deep.txt", "a directory that becomes a file");
    Trees.write(source, "y/top.txt", "under y");
    Trees.write(source, "gone/a.txt", "deleted with its directory");
    Trees.write(source, "keep/same.txt", "unchanged");
    Trees.write(source, "keep/changed.txt", "before");
    Files.createDirectories(source.resolve("empty/inner"));
    Path repoDir = root.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata base = repo.backup(source);
      Files.delete(source.resolve("x"));
      Trees.write(source, "x/inside.txt", "x is a directory now");
      Files.delete(source.resolve("y/w/deep.txt"));
      Files.delete(source.resolve("y/w"));
      Files.delete(source.resolve("y/top.txt"));
      Files.delete(source.resolve("y"));
      Trees.write(source, "y", "y is a file now");
      Files.delete(source.resolve("gone/a.txt"));
      Files.delete(source.resolve("gone"));
      Trees.write(source, "keep/changed.txt", "after, longer");
      Files.delete(source.resolve("empty/inner"));
      Snapshot expected = Snapshot.withTimes(source);

      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()));
      assertTrue(repo.verify(inc.id()).ok(), "no stray link or directory in the new backup");
      Path restored = root.resolve("restored");
      repo.restore(RestoreRequest.of(inc.id(), restored));
      assertEquals(expected, Snapshot.withTimes(restored));
      Path baseData = repoDir.resolve(base.backupId()).resolve("data");
      Path incData = repoDir.resolve(inc.backupId()).resolve("data");
      assertTrue(
          Files.isSameFile(
              baseData.resolve("keep").resolve("same.txt"),
              incData.resolve("keep").resolve("same.txt")));
      assertFalse(
          Files.isSameFile(
              baseData.resolve("keep").resolve("changed.txt"),
              incData.resolve("keep").resolve("changed.txt")));
      assertEquals(4, inc.totalFiles());
    }
  }

  @Test
  void aDamagedOrReplacedBaseCopyIsNotLinked_theSourceIsCopiedInstead() throws Exception {
    Path source = tmp.resolve("source");
    Trees.write(source, "truncated.txt", "0123456789");
    Trees.write(source, "symlinked.txt", "abcdefghij");
    Trees.write(source, "missing.txt", "ABCDEFGHIJ");
    Trees.write(source, "fine.txt", "fine");
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata base = repo.backup(source);
      Path baseData = repoDir.resolve(base.backupId()).resolve("data");
      // damage the base's copies in place, keeping their times (the source did not change)
      FileTime t = Files.getLastModifiedTime(baseData.resolve("truncated.txt"));
      Files.writeString(baseData.resolve("truncated.txt"), "01234");
      Files.setLastModifiedTime(baseData.resolve("truncated.txt"), t);
      Files.delete(baseData.resolve("symlinked.txt"));
      Files.createSymbolicLink(baseData.resolve("symlinked.txt"), source.resolve("symlinked.txt"));
      Files.delete(baseData.resolve("missing.txt"));

      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()));
      Path incData = repoDir.resolve(inc.backupId()).resolve("data");
      assertTrue(repo.verify(inc.id()).ok(), "the new backup is whole although its base is not");
      for (String name : List.of("truncated.txt", "symlinked.txt", "missing.txt")) {
        assertFalse(Files.isSymbolicLink(incData.resolve(name)), name);
        assertEquals(
            Files.readString(source.resolve(name)), Files.readString(incData.resolve(name)), name);
      }
      assertTrue(Files.isSameFile(baseData.resolve("fine.txt"), incData.resolve("fine.txt")));
      assertFalse(repo.verify(base.id()).ok(), "the base's own damage is still reported");
    }
  }

  @Test
  void aFailingScanLeavesNoStagingAndNoLinkingThread() throws Exception {
    Path source = tmp.resolve("source");
    for (int i = 0; i < 300; i++) {
      Trees.write(source, "d" + (i % 7) + "/f" + i, "content " + i);
    }
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata base = repo.backup(source);
      Path fifo = source.resolve("d3").resolve("zz-fifo");
      Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
      assertEquals(0, mkfifo.waitFor(), "mkfifo");
      BackupException e =
          assertThrows(
              BackupException.class,
              () ->
                  repo.backup(
                      BackupRequest.incremental(source, base.id())
                          .withSpecialFiles(SpecialFiles.FAIL)));
      assertTrue(e.getMessage().contains("zz-fifo"), e.getMessage());
      try (Stream<Path> left = Files.list(repoDir)) {
        assertEquals(
            List.of(repoDir.resolve(base.backupId())), left.toList(), "only the base is left");
      }
      assertTrue(
          Thread.getAllStackTraces().keySet().stream()
              .noneMatch(t -> t.getName().equals("coffer-local-prelink") && t.isAlive()));
      assertEquals(1, repo.list().size());
    }
  }

  @Test
  void incrementalsOfIncrementals_linkToTheSameCopy() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      String id = repo.backup(source).backupId();
      String first = id;
      for (int i = 0; i < 3; i++) {
        Trees.write(source, "file2.dat", "round " + i);
        Files.setLastModifiedTime(
            source.resolve("file2.dat"),
            FileTime.from(Instant.parse("2031-01-0" + (i + 1) + "T00:00:00Z")));
        id = repo.backup(BackupRequest.incremental(source, BackupId.of(id))).backupId();
        assertTrue(repo.verify(BackupId.of(id)).ok());
      }
      assertTrue(
          Files.isSameFile(
              repoDir.resolve(first).resolve("data").resolve("file1.dat"),
              repoDir.resolve(id).resolve("data").resolve("file1.dat")));
      Path restored = tmp.resolve("restored");
      repo.restore(RestoreRequest.of(BackupId.of(id), restored));
      assertEquals(Snapshot.withTimes(source), Snapshot.withTimes(restored));
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void callerAndThreadShareTheLinking_eachFileLinkedOnce_andEveryLinkReported(Trees.Fs fs)
      throws Exception {
    Path root = fs.root(tmp);
    Path source = root.resolve("source");
    for (int i = 0;
        i < 2_000;
        i++) { // many chunks, so the caller, joining at once, takes some of them
      Trees.write(
          source, "d" + (i / 4) + "/f" + i, "content " + i); // a new directory every few files
    }
    Path repoDir = root.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      String id = repo.backup(source).backupId();
      Path baseDir = repoDir.resolve(id);
      Manifest base = Manifest.parse(Files.readAllBytes(baseDir.resolve(Layout.METADATA)), id);
      Path data = Files.createDirectories(root.resolve("staging").resolve("data"));
      Prelink.Made made;
      try (Prelink prelink = Prelink.start(base, baseDir.resolve("data"), data)) {
        made = prelink.finish();
      }
      assertEquals(base.directories(), made.directories());
      assertEquals(
          base.files().stream()
              .map(Manifest.FileEntry::path)
              .collect(java.util.stream.Collectors.toSet()),
          made.files(),
          "every file linked and reported");
      for (Manifest.FileEntry f : base.files()) {
        assertTrue(
            Files.isSameFile(
                Layout.under(baseDir.resolve("data"), f.path()), Layout.under(data, f.path())),
            f.path());
      }
    }
  }
}
