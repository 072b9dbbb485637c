package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.NoSuchBackupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A format-2 incremental scans its source on a thread of its own while it opens the base: the
 * errors stay what they were when the scan came first (a source that cannot be scanned is the error
 * reported, also when the base is missing too), and a failed incremental leaves the repository's
 * objects as they were (its lock and lease are removed).
 */
class Format2IncrementalScanTest {

  @TempDir Path disk;

  private Path root(String place) {
    return TestSupport.root(place, disk);
  }

  private static BackupRepository open(Path root) throws IOException {
    Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
    o.put("format", "2");
    return new ArchiveBackupProvider().open(root.resolve("repo"), o);
  }

  /** Every object of the repository, by path relative to it (a lock or lease left over shows). */
  private static List<String> objects(Path repo) throws IOException {
    try (Stream<Path> s = Files.walk(repo)) {
      return s.filter(Files::isRegularFile)
          .map(p -> repo.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void anIncrementalOfAMissingSource_failsAsAFullBackupDoes_andLeavesNoObject(String place)
      throws IOException {
    Path root = root(place);
    Path missing = root.resolve("gone");
    try (BackupRepository repo = open(root)) {
      BackupMetadata full =
          repo.backup(BackupRequest.full(TestSupport.sampleSource(root.resolve("src"))));
      List<String> before = objects(root.resolve("repo"));
      IOException asFull =
          assertThrows(IOException.class, () -> repo.backup(BackupRequest.full(missing)));
      IOException asIncremental =
          assertThrows(
              IOException.class, () -> repo.backup(BackupRequest.incremental(missing, full.id())));
      assertEquals(asFull.getClass(), asIncremental.getClass());
      assertEquals(asFull.getMessage(), asIncremental.getMessage());
      // the source's error wins over a base that does not exist either, as when the scan came first
      IOException bothGone =
          assertThrows(
              IOException.class,
              () ->
                  repo.backup(
                      BackupRequest.incremental(
                          missing, BackupId.of("01a24b8a-0f16-7acc-b70e-5a3a7acdc660"))));
      assertEquals(asFull.getClass(), bothGone.getClass());
      assertEquals(1, bothGone.getSuppressed().length, "the missing base, as a suppressed cause");
      assertEquals(NoSuchBackupException.class, bothGone.getSuppressed()[0].getClass());
      assertEquals(before, objects(root.resolve("repo")));
      assertEquals(1, repo.list().size());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void aMissingBase_withAGoodSource_isNoSuchBackup_andLeavesNoObject(String place)
      throws IOException {
    Path root = root(place);
    Path src = TestSupport.sampleSource(root.resolve("src"));
    try (BackupRepository repo = open(root)) {
      BackupMetadata full = repo.backup(BackupRequest.full(src));
      List<String> before = objects(root.resolve("repo"));
      NoSuchBackupException e =
          assertThrows(
              NoSuchBackupException.class,
              () ->
                  repo.backup(
                      BackupRequest.incremental(
                          src, BackupId.of("01a24b8a-0f16-7acc-b70e-5a3a7acdc660"))));
      assertEquals("01a24b8a-0f16-7acc-b70e-5a3a7acdc660", e.backupId());
      assertEquals(before, objects(root.resolve("repo")));
      // the repository still takes an incremental on the real base
      BackupMetadata incr = repo.backup(BackupRequest.incremental(src, full.id()));
      assertEquals(full.backupId(), incr.baseBackupId());
    }
  }
}
