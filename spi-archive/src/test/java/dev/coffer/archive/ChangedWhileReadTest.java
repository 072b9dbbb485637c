package dev.coffer.archive;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.BackupWarning;
import dev.coffer.Progress;
import dev.coffer.testkit.FaultyFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rule P34 in the archive provider: a source file that changes or vanishes between the scan and the
 * end of its read gives a warning (or fails the backup under {@code changed-files=fail}), and what
 * the archive records is consistent with the bytes it stored. The change is made deterministically
 * by the progress listener: after {@code a.txt} is stored, before {@code b.txt} is opened.
 */
class ChangedWhileReadTest {

  @TempDir Path disk;

  /** An action on the source between the scan and the read of {@code b.txt}. */
  private interface Change {
    void apply(Path file) throws IOException;
  }

  private Path root(String place) {
    return TestSupport.root(place, disk);
  }

  private static Path source(Path root) throws IOException {
    Path src = Files.createDirectories(root.resolve("src"));
    TestSupport.write(src.resolve("a.txt"), "first");
    TestSupport.write(src.resolve("b.txt"), "0123456789");
    TestSupport.write(src.resolve("c.txt"), "last");
    return src;
  }

  private static Map<String, String> options(String changedFiles) {
    Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
    if (changedFiles != null) {
      o.put("changed-files", changedFiles);
    }
    return o;
  }

  /** A backup request that applies {@code change} to b.txt once a.txt is stored. */
  private static BackupRequest changing(BackupRequest request, Path src, Change change) {
    boolean[] done = {false};
    return request.withProgress(
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

  private static String read(Path p) throws IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }

  /** Backs up with {@code change}, checks the warning and that the backup verifies and restores. */
  private static BackupMetadata backupWithChange(
      Path root, String changedFiles, Change change, BackupWarning.Kind expected)
      throws IOException {
    Path src = source(root);
    try (ArchiveRepository repo = TestSupport.open(root.resolve("repo"), options(changedFiles))) {
      BackupMetadata md = repo.backup(changing(BackupRequest.full(src), src, change));
      assertEquals(1, md.warnings().size(), md.warnings().toString());
      BackupWarning w = md.warnings().get(0);
      assertEquals("b.txt", w.path());
      assertEquals(expected, w.kind());
      assertEquals(md.warnings(), repo.list().get(0).warnings(), "the manifest keeps them");
      assertTrue(repo.verify(md.id()).ok(), "the recorded sizes and hashes match the archive");
      repo.restore(md.id(), root.resolve("out"));
      assertEquals("first", read(root.resolve("out/a.txt")));
      assertEquals("last", read(root.resolve("out/c.txt")));
      return md;
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aFileThatGrowsAfterTheScan_isStoredAsRead_withAChangedWarning(String place)
      throws IOException {
    Path root = root(place);
    BackupMetadata md =
        backupWithChange(
            root,
            null,
            f -> TestSupport.write(f, "0123456789-and-more"),
            BackupWarning.Kind.CHANGED_WHILE_READ);
    assertEquals("0123456789-and-more", read(root.resolve("out/b.txt")));
    assertEquals(3, md.totalFiles());
    assertEquals(5 + 19 + 4, md.totalBytes(), "the size stored, not the scan's");
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aFileThatShrinksAfterTheScan_isStoredAsRead_withAChangedWarning(String place)
      throws IOException {
    Path root = root(place);
    BackupMetadata md =
        backupWithChange(
            root, "warn", f -> TestSupport.write(f, "012"), BackupWarning.Kind.CHANGED_WHILE_READ);
    assertEquals("012", read(root.resolve("out/b.txt")));
    assertEquals(5 + 3 + 4, md.totalBytes());
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aFileDeletedBetweenScanAndRead_isLeftOut_withAVanishedWarning(String place)
      throws IOException {
    Path root = root(place);
    BackupMetadata md =
        backupWithChange(root, null, Files::delete, BackupWarning.Kind.VANISHED_WHILE_READ);
    assertFalse(Files.exists(root.resolve("out/b.txt")));
    assertEquals(2, md.totalFiles(), "a vanished file is not counted");
    assertEquals(5 + 4, md.totalBytes());
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aFileReplacedByADirectoryAfterTheScan_isNotRead_andLeftOutWithAChangedWarning(String place)
      throws IOException {
    Path root = root(place);
    BackupMetadata md =
        backupWithChange(
            root,
            null,
            f -> {
              Files.delete(f);
              Files.createDirectory(f);
            },
            BackupWarning.Kind.CHANGED_WHILE_READ);
    assertTrue(md.warnings().get(0).detail().contains("not a regular file"));
    assertFalse(Files.exists(root.resolve("out/b.txt")));
    assertEquals(2, md.totalFiles());
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void retry_readsAFileThatChangedOnceAgain_andStoresTheSecondReadWithoutAWarning(String place)
      throws IOException {
    Path root = root(place);
    Path src = source(root);
    Map<String, String> o = options("retry");
    try (ArchiveRepository repo = TestSupport.open(root.resolve("repo"), o)) {
      List<String> seen = new ArrayList<>();
      BackupRequest request =
          changing(BackupRequest.full(src), src, f -> TestSupport.write(f, "changed"));
      BackupMetadata md =
          repo.backup(
              request.withProgress(
                  p -> {
                    seen.add(p.currentPath());
                    request.progress().onProgress(p);
                  }));
      assertEquals(List.of(), md.warnings(), "the second read was stable: no warning");
      assertEquals(
          2, seen.stream().filter("a.txt"::equals).count(), "a second archive, every file again");
      assertEquals(5 + 7 + 4, md.totalBytes());
      assertTrue(repo.verify(md.id()).ok());
      assertEquals(List.of(md), repo.list());
      repo.restore(md.id(), root.resolve("out"));
      assertEquals("changed", read(root.resolve("out/b.txt")));
      assertEquals("first", read(root.resolve("out/a.txt")));
      assertTrue(
          TestSupport.names(root.resolve("repo")).stream()
              .noneMatch(n -> n.startsWith(Format.TEMP_PREFIX) || n.startsWith(".lock-")),
          "the first archive is gone");
    }
  }

  /**
   * {@code b.txt} is rewritten (same size, a new time) right after every read call of it, through
   * the fault-injecting file system: each archive finds it changed, and after {@code
   * changed-retries} archives written again the last read is kept with a warning.
   */
  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void retry_ofAFileThatChangesOnEveryRead_keepsTheLastOfRetriesPlusOneReadsWithAWarning(
      String place) throws IOException {
    Path plain = root(place);
    FaultyFileSystem faulty = FaultyFileSystem.wrap(plain.getFileSystem());
    Path root = faulty.wrap(plain);
    Path src = source(root);
    Path b = src.resolve("b.txt");
    int[] rewrites = {0};
    Consumer<Path> rewrite =
        new Consumer<>() {
          @Override
          public void accept(Path p) {
            try {
              rewrites[0]++;
              Files.write(p, String.format("rewrite-%02d", rewrites[0] % 100).getBytes(UTF_8));
              Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000L * rewrites[0]));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            faulty.afterReads(b, 1, this); // again at the next read
          }
        };
    faulty.afterReads(b, 1, rewrite);
    Map<String, String> o = options("retry");
    o.put("changed-retries", "2");
    try (ArchiveRepository repo = TestSupport.open(root.resolve("repo"), o)) {
      List<String> seen = new ArrayList<>();
      BackupMetadata md =
          repo.backup(BackupRequest.full(src).withProgress(p -> seen.add(p.currentPath())));
      faulty.clearFaults();
      assertEquals(3, seen.stream().filter("a.txt"::equals).count(), "1 + changed-retries reads");
      assertEquals(List.of("b.txt"), md.warnings().stream().map(BackupWarning::path).toList());
      assertEquals(BackupWarning.Kind.CHANGED_WHILE_READ, md.warnings().get(0).kind());
      assertTrue(repo.verify(md.id()).ok());
      repo.restore(md.id(), root.resolve("out"));
      assertEquals(10, Files.size(root.resolve("out/b.txt")));
      assertTrue(
          read(root.resolve("out/b.txt")).startsWith("rewrite-"), "a read of the third archive");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aFileChangedAfterTheScan_isRecordedAndRestoredWithTheTimeOfItsRead_notTheScans(String place)
      throws IOException {
    Path root = root(place);
    Path src = source(root);
    FileTime later = FileTime.from(Instant.parse("2030-01-02T03:04:05Z"));
    try (ArchiveRepository repo = TestSupport.open(root.resolve("repo"), options(null))) {
      BackupMetadata md =
          repo.backup(
              changing(
                  BackupRequest.full(src),
                  src,
                  f -> {
                    TestSupport.write(f, "0123456789-and-more");
                    Files.setLastModifiedTime(f, later);
                  }));
      assertEquals(1, md.warnings().size());
      repo.restore(md.id(), root.resolve("out"));
      assertEquals(later, Files.getLastModifiedTime(root.resolve("out/b.txt")));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void progress_ofAGrownOrVanishedFile_neverPassesItsTotal_andEndsAtTheBackupsTotals(String place)
      throws IOException {
    Path root = root(place);
    Change[] changes = {f -> TestSupport.write(f, "0123456789-and-more"), Files::delete};
    for (int i = 0; i < changes.length; i++) {
      Path src = source(root.resolve("run" + i));
      try (ArchiveRepository repo =
          TestSupport.open(root.resolve("run" + i).resolve("repo"), options(null))) {
        TestSupport.backUpCheckingProgress(
            repo, changing(BackupRequest.full(src), src, changes[i]), "b.txt");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void underFail_aChangedOrVanishedFile_failsTheBackup_andNothingIsListed(String place)
      throws IOException {
    Path root = root(place);
    Path src = source(root);
    Path repoDir = root.resolve("repo");
    try (ArchiveRepository repo = TestSupport.open(repoDir, options("fail"))) {
      List<String> before = TestSupport.names(repoDir);
      BackupException grew =
          assertThrows(
              BackupException.class,
              () ->
                  repo.backup(
                      changing(
                          BackupRequest.full(src),
                          src,
                          f -> TestSupport.write(f, "0123456789-and-more"))));
      assertTrue(grew.getMessage().contains("b.txt"), grew.getMessage());
      assertThrows(
          BackupException.class,
          () -> repo.backup(changing(BackupRequest.full(src), src, Files::delete)));
      assertEquals(List.of(), repo.list());
      assertEquals(before, TestSupport.names(repoDir), "no temporary archive is left");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aCleanBackup_hasNoWarning(String place) throws IOException {
    Path root = root(place);
    Path src = source(root);
    try (ArchiveRepository repo = TestSupport.open(root.resolve("repo"), options("fail"))) {
      BackupMetadata md = repo.backup(src);
      assertEquals(List.of(), md.warnings());
      assertEquals(3, md.totalFiles());
      assertTrue(repo.verify(md.id()).ok());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void anIncrementalWhoseUnchangedFileVanishes_warns_andRecordsItDeleted(String place)
      throws IOException {
    Path root = root(place);
    Path src = source(root);
    try (ArchiveRepository repo = TestSupport.open(root.resolve("repo"), options(null))) {
      BackupMetadata full = repo.backup(src);
      BackupMetadata inc =
          repo.backup(changing(BackupRequest.incremental(src, full.id()), src, Files::delete));
      assertEquals(
          List.of(BackupWarning.Kind.VANISHED_WHILE_READ),
          inc.warnings().stream().map(BackupWarning::kind).toList());
      assertEquals("b.txt", inc.warnings().get(0).path());
      assertEquals(2, inc.totalFiles());
      assertTrue(repo.verify(inc.id()).ok());
      repo.restore(inc.id(), root.resolve("out"));
      assertFalse(Files.exists(root.resolve("out/b.txt")));
      assertEquals("last", read(root.resolve("out/c.txt")));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aBadChangedFilesValue_failsAtOpen(String place) {
    Path root = root(place);
    assertThrows(
        IllegalArgumentException.class,
        () -> TestSupport.open(root.resolve("repo"), options("sometimes")));
  }
}
