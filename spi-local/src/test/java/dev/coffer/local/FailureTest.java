package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failures injected at every step: a progress listener that throws at its Nth call (the documented
 * way to cancel), and a full disk at every size a backup or restore passes through (Jimfs with a
 * small {@code maxSize}, so the Nth block write fails, leaving a partial file as real disks do).
 */
class FailureTest {

  @TempDir Path tmp;

  /** Thrown by the listener to abort. */
  static final class Abort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abort(int n) {
      super("abort at progress call " + n);
    }
  }

  static ProgressListener failingAt(int n, AtomicInteger calls) {
    return p -> {
      if (calls.getAndIncrement() == n) {
        throw new Abort(n);
      }
    };
  }

  private static Path source(Path root) throws IOException {
    Path source = Trees.populate(root.resolve("source"));
    Trees.write(source, "big.bin", new byte[3 * 1024 + 7]);
    Files.createDirectories(source.resolve("empty"));
    return source;
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void backupAbortedAtEveryProgressCall_isNeverListedAndLeavesNothing(Trees.Fs fs)
      throws Exception {
    Path root = fs.root(tmp);
    Path source = source(root);
    Path repoDir = root.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata kept = repo.backup(source);
      AtomicInteger counter = new AtomicInteger();
      repo.backup(
          BackupRequest.incremental(source, kept.id())
              .withProgress(p -> counter.incrementAndGet()));
      int calls = counter.get();
      repo.delete(repo.latest().orElseThrow().id());
      assertTrue(calls >= 5, "calls " + calls);
      for (int n = 0; n < calls; n++) {
        AtomicInteger c = new AtomicInteger();
        BackupRequest full = BackupRequest.full(source).withProgress(failingAt(n, c));
        assertThrows(Abort.class, () -> repo.backup(full));
        BackupRequest inc =
            BackupRequest.incremental(source, kept.id())
                .withProgress(failingAt(n, new AtomicInteger()));
        assertThrows(Abort.class, () -> repo.backup(inc));
        assertEquals(List.of(kept), repo.list(), "after abort at " + n);
        assertEquals(
            List.of(kept.backupId()),
            AmatersPortTest.listNames(repoDir, ""),
            "leftovers after abort at " + n);
      }
      assertTrue(repo.verify(kept.id()).ok());
      assertTrue(repo.verify(repo.backup(source).id()).ok());
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void restoreAbortedAtEveryProgressCall_leavesTargetAsItWas(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = source(root);
    try (BackupRepository repo = Trees.open(root.resolve("repo"))) {
      BackupMetadata m = repo.backup(source);
      AtomicInteger counter = new AtomicInteger();
      repo.restore(
          RestoreRequest.of(m.id(), root.resolve("probe"))
              .withProgress(p -> counter.incrementAndGet()));
      Path old = root.resolve("old");
      Trees.write(old, "keep.txt", "precious");
      Snapshot before = Snapshot.withTimes(old);
      for (int n = 0; n < counter.get(); n++) {
        Path absent = root.resolve("absent");
        RestoreRequest create =
            RestoreRequest.of(m.id(), absent).withProgress(failingAt(n, new AtomicInteger()));
        assertThrows(Abort.class, () -> repo.restore(create));
        RestoreRequest replace =
            RestoreRequest.of(m.id(), old)
                .withMode(RestoreMode.REPLACE)
                .withProgress(failingAt(n, new AtomicInteger()));
        assertThrows(Abort.class, () -> repo.restore(replace));
        assertEquals(before, Snapshot.withTimes(old));
        assertEquals(
            List.of("old", "probe", "repo", "source"), AmatersPortTest.listNames(root, ""));
      }
    }
  }

  private static FileSystem smallDisk(long maxBytes) {
    return Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setBlockSize(512).setMaxSize(maxBytes).build());
  }

  @Test
  void backupOntoAFullDisk_atEverySize_failsCleanlyAndTheRepositoryKeepsWorking() throws Exception {
    Path source = source(Trees.Fs.JIMFS_UNIX.root(tmp));
    boolean succeeded = false;
    int failures = 0;
    for (long max = 512; !succeeded; max += 512) {
      Path repoDir = smallDisk(max).getPath("/repo");
      try (BackupRepository repo = Trees.open(repoDir)) {
        try {
          BackupMetadata m = repo.backup(source);
          succeeded = true;
          assertTrue(repo.verify(m.id()).ok());
        } catch (IOException full) {
          failures++;
          assertEquals(List.of(), repo.list());
          assertEquals(
              List.of(), AmatersPortTest.listNames(repoDir, ""), "leftovers at maxSize " + max);
        }
      }
    }
    assertTrue(failures >= 10, "a full disk was hit at " + failures + " sizes");
  }

  @Test
  void restoreOntoAFullDisk_atEverySize_leavesTheTargetAsItWas() throws Exception {
    Path source = source(Trees.Fs.JIMFS_UNIX.root(tmp));
    try (BackupRepository repo = Trees.open(source.getParent().resolve("repo"))) {
      BackupMetadata m = repo.backup(source);
      boolean succeeded = false;
      int failures = 0;
      for (long max = 1024; !succeeded; max += 512) {
        FileSystem disk = smallDisk(max);
        Path old = Files.createDirectories(disk.getPath("/t/old"));
        Files.writeString(old.resolve("keep.txt"), "precious");
        Snapshot before = Snapshot.withTimes(disk.getPath("/t"));
        try {
          repo.restore(RestoreRequest.of(m.id(), disk.getPath("/t/new")));
          repo.restore(RestoreRequest.of(m.id(), old).withMode(RestoreMode.REPLACE));
          succeeded = true;
        } catch (IOException full) {
          failures++;
          Snapshot after = Snapshot.withTimes(disk.getPath("/t")).without("new");
          assertEquals(before, after, "target damaged at maxSize " + max);
          assertTrue(
              AmatersPortTest.listNames(disk.getPath("/t"), "").stream()
                  .noneMatch(n -> n.startsWith(".")),
              "staging left at maxSize " + max);
        }
      }
      assertTrue(failures >= 5, "a full disk was hit at " + failures + " sizes");
    }
  }
}
