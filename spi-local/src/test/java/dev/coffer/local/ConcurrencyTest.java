package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Concurrent backups through one instance and through two instances on one location. */
class ConcurrencyTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(
      value = Trees.Fs.class,
      names = {"DEFAULT", "JIMFS_UNIX"})
  void concurrentBackups_throughOneAndTwoInstances_allSucceedWithDistinctIds(Trees.Fs fs)
      throws Exception {
    Path root = fs.root(tmp);
    Path source = Trees.populate(root.resolve("source"));
    Trees.write(source, "more/data.bin", new byte[100_000]);
    Path repoDir = root.resolve("repo");
    int threads = 8;
    try (BackupRepository a = Trees.open(repoDir);
        BackupRepository b = Trees.open(repoDir)) {
      BackupMetadata base = a.backup(source);
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService ex = Executors.newFixedThreadPool(threads);
      try {
        List<Future<BackupMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          BackupRepository r = i % 2 == 0 ? a : b;
          boolean incremental = i % 3 == 0;
          futures.add(
              ex.submit(
                  () -> {
                    start.await();
                    return incremental
                        ? r.backup(dev.coffer.BackupRequest.incremental(source, base.id()))
                        : r.backup(source);
                  }));
        }
        // a third instance opening meanwhile must not disturb the running backups
        futures.add(
            ex.submit(
                () -> {
                  start.await();
                  Trees.open(repoDir).close();
                  return base;
                }));
        start.countDown();
        Set<String> ids = new HashSet<>();
        for (Future<BackupMetadata> f : futures.subList(0, threads)) {
          ids.add(f.get().backupId());
        }
        futures.get(threads).get();
        assertEquals(threads, ids.size());
        assertEquals(threads + 1, a.list().size());
        assertEquals(a.list(), b.list());
        for (String id : ids) {
          assertTrue(b.verify(BackupId.of(id)).ok(), id);
        }
        assertEquals(threads + 1, AmatersPortTest.listNames(repoDir, "").size(), "no leftovers");
      } finally {
        ex.shutdownNow();
      }
    }
  }
}
