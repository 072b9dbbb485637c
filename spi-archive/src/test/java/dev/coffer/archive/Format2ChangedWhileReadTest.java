package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupWarning;
import dev.coffer.Progress;
import dev.coffer.testkit.FaultyFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rule P34 on format 2, where {@code changed-files=retry} really reads a file again: its first
 * read's blocks stay unreferenced in the data object and the file is stored as read the last time.
 * The change is made by the progress listener once {@code a.txt} is read, before {@code b.txt} is
 * opened.
 */
class Format2ChangedWhileReadTest {

  @TempDir Path disk;

  private Path root(String place) {
    return TestSupport.root(place, disk);
  }

  private static BackupRepository open(Path root, String changedFiles) throws IOException {
    Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
    o.put("format", "2");
    o.put("changed-files", changedFiles);
    return new ArchiveBackupProvider().open(root.resolve("repo"), o);
  }

  /** A full backup request whose progress listener rewrites b.txt once a.txt is read. */
  private static BackupRequest changingB(Path root) throws IOException {
    return changingB(root, b -> TestSupport.write(b, "changed, and longer"));
  }

  /** A change made to b.txt. */
  interface Change {
    void apply(Path b) throws IOException;
  }

  /** A full backup request whose progress listener changes b.txt once a.txt is read. */
  private static BackupRequest changingB(Path root, Change change) throws IOException {
    Path src = Files.createDirectories(root.resolve("src"));
    TestSupport.write(src.resolve("a.txt"), "first");
    TestSupport.write(src.resolve("b.txt"), "0123456789");
    TestSupport.write(src.resolve("c.txt"), "last");
    boolean[] done = {false};
    return BackupRequest.full(src)
        .withProgress(
            (Progress p) -> {
              if (!done[0] && p.currentPath().equals("a.txt")) {
                done[0] = true;
                try {
                  change.apply(src.resolve("b.txt"));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            });
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void retry_readsTheChangedFileAgain_andKeepsTheCleanReadWithoutAWarning(String place)
      throws IOException {
    Path root = root(place);
    try (BackupRepository repo = open(root, "retry")) {
      BackupMetadata md = repo.backup(changingB(root));
      assertEquals(List.of(), md.warnings(), "the second read was clean");
      assertEquals("changed, and longer".length() + 5 + 4, md.totalBytes());
      assertTrue(repo.verify(md.id()).ok(), repo.verify(md.id()).problems().toString());
      repo.restore(md.id(), root.resolve("out"));
      assertEquals("changed, and longer", Files.readString(root.resolve("out/b.txt")));
      assertEquals("last", Files.readString(root.resolve("out/c.txt")));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void warn_keepsTheFirstRead_withAChangedWarningThatTheListingKeeps(String place)
      throws IOException {
    Path root = root(place);
    try (BackupRepository repo = open(root, "warn")) {
      BackupMetadata md = repo.backup(changingB(root));
      assertEquals(1, md.warnings().size(), md.warnings().toString());
      assertEquals("b.txt", md.warnings().get(0).path());
      assertEquals(BackupWarning.Kind.CHANGED_WHILE_READ, md.warnings().get(0).kind());
      assertEquals(md.warnings(), repo.list().get(0).warnings(), "the metadata object keeps it");
      assertTrue(repo.verify(md.id()).ok());
      repo.restore(md.id(), root.resolve("out"));
      assertEquals("changed, and longer", Files.readString(root.resolve("out/b.txt")));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void fail_failsTheBackup_listsNothing_andLeavesNoObject(String place) throws IOException {
    Path root = root(place);
    try (BackupRepository repo = open(root, "fail")) {
      BackupRequest request = changingB(root);
      assertThrows(BackupException.class, () -> repo.backup(request));
      assertEquals(List.of(), repo.list());
      for (String dir : List.of("data", "manifests", "meta", "commits")) {
        Path d = root.resolve("repo").resolve(dir);
        if (Files.isDirectory(d)) {
          try (Stream<Path> s = Files.list(d)) {
            assertEquals(List.of(), s.toList(), dir);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aFileChangedAfterTheScan_isRestoredWithTheTimeOfItsRead_notTheScans(String place)
      throws IOException {
    Path root = root(place);
    FileTime later = FileTime.from(Instant.parse("2030-01-02T03:04:05Z"));
    try (BackupRepository repo = open(root, "warn")) {
      BackupMetadata md =
          repo.backup(
              changingB(
                  root,
                  b -> {
                    TestSupport.write(b, "changed, and longer");
                    Files.setLastModifiedTime(b, later);
                  }));
      assertEquals(1, md.warnings().size(), md.warnings().toString());
      repo.restore(md.id(), root.resolve("out"));
      assertEquals("changed, and longer", Files.readString(root.resolve("out/b.txt")));
      assertEquals(later, Files.getLastModifiedTime(root.resolve("out/b.txt")));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void progress_ofAGrownOrVanishedFile_neverPassesItsTotal_andEndsAtTheBackupsTotals(String place)
      throws IOException {
    Path root = root(place);
    List<Change> changes = List.of(b -> TestSupport.write(b, "changed, and longer"), Files::delete);
    for (int i = 0; i < changes.size(); i++) {
      Path run = Files.createDirectories(root.resolve("run" + i));
      try (BackupRepository repo = open(run, "warn")) {
        BackupMetadata md =
            TestSupport.backUpCheckingProgress(repo, changingB(run, changes.get(i)), "b.txt");
        assertEquals(i == 0 ? 3 : 2, md.totalFiles());
      }
    }
  }

  /**
   * The time recorded is the one read after the read (ReadCheck.lastModified), which must still
   * equal the file's own stats: an incremental then takes an unchanged file from its base unread.
   */
  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void anUnchangedFile_isNotReadByTheNextIncremental_andKeepsItsTime(String place)
      throws IOException {
    Path plain = root(place);
    FaultyFileSystem faulty = FaultyFileSystem.wrap(plain.getFileSystem());
    Path root = faulty.wrap(plain);
    Path src = Files.createDirectories(root.resolve("src"));
    FileTime old = FileTime.from(Instant.parse("2020-01-02T03:04:05.123456Z"));
    TestSupport.write(src.resolve("old.txt"), "unchanged");
    Files.setLastModifiedTime(src.resolve("old.txt"), old);
    TestSupport.write(src.resolve("new.txt"), "v1");
    try (BackupRepository repo = open(root, "warn")) {
      BackupMetadata full = repo.backup(src);
      int[] opened = {0, 0};
      faulty.beforeOpenForReading(src.resolve("old.txt"), p -> opened[0]++);
      faulty.beforeOpenForReading(src.resolve("new.txt"), p -> opened[1]++);
      BackupMetadata inc = repo.backup(BackupRequest.incremental(src, full.id()));
      assertEquals(List.of(0, 1), List.of(opened[0], opened[1]), "reads of old.txt, new.txt");
      repo.restore(inc.id(), root.resolve("out"));
      assertEquals("unchanged", Files.readString(root.resolve("out/old.txt")));
      assertEquals(old, Files.getLastModifiedTime(root.resolve("out/old.txt")));
    }
  }
}
