package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ArchiveBehaviourTest {

  private final FileSystem fs = TestSupport.jimfs("unix");
  private final Path root = TestSupport.root(fs);

  /** A source with a 300 KB random file (several chunks of its own) between two small files. */
  private Path source() throws IOException {
    Path src = root.resolve("src");
    Files.createDirectories(src);
    TestSupport.write(src.resolve("a-first.txt"), "first");
    byte[] big = new byte[300_000];
    new Random(11).nextBytes(big);
    Files.write(src.resolve("b-big.bin"), big);
    TestSupport.write(src.resolve("c-last.txt"), "last");
    return src;
  }

  /** Flips a byte of the archive inside the chunk holding container offset {@code offset}. */
  private static void damageChunkAt(Path archive, long offset) throws IOException {
    byte[] b = Files.readAllBytes(archive);
    int header =
        ArchiveHeader.FIXED_PREFIX + 36 + ArchiveHeader.COMMITMENT_LENGTH; // UUID ids have 36 chars
    long chunk = offset / Format.DEFAULT_CHUNK_SIZE;
    int at = (int) (header + chunk * (Format.DEFAULT_CHUNK_SIZE + 16) + 100);
    b[at] ^= 0x40;
    Files.write(archive, b);
  }

  @Test
  void partialRestore_readsOnlyTheChunksItNeeds() throws IOException {
    Path src = source();
    try (ArchiveRepository repo =
        TestSupport.open(root.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      // the middle of b-big.bin: a chunk no other file shares
      damageChunkAt(root.resolve("repo").resolve(md.backupId() + ".coffer"), 150_000);
      repo.restore(
          RestoreRequest.of(md.id(), root.resolve("part"))
              .withPaths(Set.of("c-last.txt", "a-first.txt")));
      assertEquals(
          Set.of("a-first.txt", "c-last.txt"),
          Snapshot.of(root.resolve("part")).entries().keySet());
      assertThrows(CorruptBackupException.class, () -> repo.restore(md.id(), root.resolve("full")));
      assertFalse(Files.exists(root.resolve("full")));
    }
  }

  @Test
  void verify_namesTheDamagedFile_andReportsTheOthersIntact() throws IOException {
    Path src = source();
    try (ArchiveRepository repo =
        TestSupport.open(root.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      Path archive = root.resolve("repo").resolve(md.backupId() + ".coffer");
      byte[] before = Files.readAllBytes(archive);
      damageChunkAt(archive, 150_000);
      byte[] damaged = Files.readAllBytes(archive);
      VerifyReport report = repo.verify(md.id());
      assertFalse(report.ok());
      assertTrue(
          report.problems().stream()
              .anyMatch(p -> p.path().equals("b-big.bin") && p.kind() == VerifyReport.Kind.CORRUPT),
          report.toString());
      assertTrue(
          report.problems().stream().noneMatch(p -> p.path().equals("c-last.txt")),
          report.toString());
      assertArrayEquals(damaged, Files.readAllBytes(archive), "verify is read-only");
      assertFalse(java.util.Arrays.equals(before, damaged));
    }
  }

  @Test
  void concurrentBackupsThroughOneAndTwoInstances_allSucceedWithDistinctIds() throws Exception {
    Path src = source();
    Path repoDir = root.resolve("repo");
    try (ArchiveRepository one =
            TestSupport.open(repoDir, TestSupport.keyOptions(TestSupport.KEY_HEX));
        ArchiveRepository two =
            TestSupport.open(repoDir, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<BackupMetadata>> futures = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ArchiveRepository r = i % 2 == 0 ? one : two;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return r.backup(src);
                }));
      }
      start.countDown();
      Set<String> ids = new HashSet<>();
      for (Future<BackupMetadata> f : futures) {
        ids.add(f.get().backupId());
      }
      pool.shutdown();
      assertEquals(4, ids.size());
      assertEquals(4, one.list().size());
      assertEquals(ids, new HashSet<>(two.list().stream().map(BackupMetadata::backupId).toList()));
    }
  }

  @Test
  void open_removesStaleTemporaries_butNotFreshOnes() throws IOException {
    Path repoDir = root.resolve("repo");
    TestSupport.open(repoDir, TestSupport.keyOptions(TestSupport.KEY_HEX)).close();
    Path stale = repoDir.resolve(Format.TEMP_PREFIX + "old");
    Path other = repoDir.resolve(Format.TEMP_PREFIX + "not an id");
    Path otherStale = repoDir.resolve(Format.TEMP_PREFIX + "not an id either");
    TestSupport.write(stale, "partial");
    TestSupport.write(other, "written by someone else");
    TestSupport.write(otherStale, "written by someone else long ago");
    Files.setLastModifiedTime(stale, FileTime.from(java.time.Instant.now().minusSeconds(7200)));
    Files.setLastModifiedTime(
        otherStale, FileTime.from(java.time.Instant.now().minusSeconds(7200)));
    try (TemporaryArchive running = TemporaryArchive.begin(repoDir, "new")) {
      TestSupport.write(running.file(), "in progress");
      TestSupport.open(repoDir, TestSupport.keyOptions(TestSupport.KEY_HEX)).close();
      assertFalse(Files.exists(stale));
      assertTrue(Files.exists(running.file()));
      assertTrue(Files.exists(other), "a temporary file not named by a backup id waits an hour");
      assertFalse(Files.exists(otherStale));
    }
    assertEquals(
        List.of(other.getFileName().toString(), KeyCheck.FILE, RepositoryLayout.MARKER),
        TestSupport.names(repoDir),
        "the running backup's temporary and lock files go when it ends");
  }

  @Test
  void secrets_neverAppearInToStringOrMessages() throws IOException {
    Path repoDir = root.resolve("repo");
    try (ArchiveRepository repo =
        TestSupport.open(repoDir, TestSupport.passphraseOptions("hunter2-secret"))) {
      assertFalse(repo.toString().contains("hunter2"));
    }
    try (ArchiveRepository repo =
        TestSupport.open(root.resolve("repo2"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertFalse(repo.toString().contains(TestSupport.KEY_HEX));
      assertFalse(repo.toString().contains("0a0b0c"));
    }
    Files.write(
        root.resolve("bad.key"),
        "not-a-key-but-secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ArchiveBackupProvider()
                    .open(
                        root.resolve("repo3"),
                        java.util.Map.of("key-file", root.resolve("bad.key").toString())));
    assertFalse(e.getMessage().contains("not-a-key"));
  }
}
