package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The data object stream: ordered, bounded read-ahead, failures surface as the store's write
 * failure.
 */
class BlockStreamTest {

  private static final int BLOCK = 4096;

  @Test
  void readAhead_staysWithinAFewBlocksPerWorker_andOffsetsFollowTheStream() throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path a = fs.getPath("/a");
      Path b = fs.getPath("/b");
      Files.write(a, V2Fixtures.noise(100 * BLOCK + 7, 1));
      Files.write(b, V2Fixtures.noise(3 * BLOCK, 2));
      AtomicLong sourceBytes = new AtomicLong();
      BlockStream.FileOpener counting =
          f ->
              new FilterInputStream(Files.newInputStream(f)) {
                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                  int n = super.read(buf, off, len);
                  sourceBytes.addAndGet(Math.max(0, n));
                  return n;
                }
              };
      int workers = 3;
      List<BlockStream.Job> jobs =
          List.of(new BlockStream.Job(a, List.of()), new BlockStream.Job(b, List.of()));
      ExecutorService pool = Executors.newFixedThreadPool(workers);
      List<BlockSealer> sealers = new ArrayList<>();
      long consumed = 0;
      try (BlockStream s =
          new BlockStream(
              jobs,
              counting,
              pool,
              ThreadLocal.withInitial(
                  () -> {
                    BlockSealer x = new BlockSealer(V2Fixtures.keys(), BLOCK, 3);
                    synchronized (sealers) {
                      sealers.add(x);
                    }
                    return x;
                  }),
              BLOCK,
              workers)) {
        byte[] buf = new byte[1000];
        for (int n; (n = s.read(buf)) > 0; ) {
          consumed += n;
          long ahead = sourceBytes.get() - consumed;
          assertTrue(
              ahead <= (2L * workers + 1) * BLOCK,
              "read " + ahead + " bytes ahead of the consumer");
        }
        assertEquals(2, s.filesRead());
      } finally {
        pool.shutdownNow();
        sealers.forEach(BlockSealer::close);
      }
      assertEquals(101, jobs.get(0).refs.size());
      assertEquals(100L * BLOCK + 7, jobs.get(0).size());
      long offset = 0;
      long number = 0;
      for (BlockStream.Job j : jobs) {
        for (BlockRef r : j.refs) {
          assertEquals(offset, r.offset());
          assertEquals(number++, r.blockNumber());
          offset += r.storedLength();
        }
      }
      assertEquals(consumed, offset);
    }
  }

  @Test
  void aLargeRead_takesSeveralSealedBlocksAtOnce_andTheBytesDoNotDependOnTheReadSize()
      throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path pages = fs.getPath("/pages");
      Files.write(pages, new byte[40 * BLOCK + 100]); // zeros: each block seals to a few bytes
      byte[] large = readAll(pages, 1 << 20);
      byte[] small = readAll(pages, 7);
      assertTrue(large.length < 40 * 100, "sealed " + large.length + " bytes");
      assertArrayEquals(small, large);
      // one read of a large buffer holds every sealed block: one store write, not one per block
      assertEquals(large.length, firstRead(pages, 1 << 20));
      assertEquals(7, firstRead(pages, 7));
    }
  }

  private static byte[] readAll(Path file, int bufferBytes) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (BlockSealer sealer = new BlockSealer(V2Fixtures.keys(), BLOCK, 3);
        BlockStream s = stream(file, sealer)) {
      byte[] buf = new byte[bufferBytes];
      for (int n; (n = s.read(buf)) >= 0; ) {
        assertTrue(n > 0, "a read of a non-empty buffer returned 0");
        out.write(buf, 0, n);
      }
      assertEquals(0, s.read(buf, 0, 0));
    }
    return out.toByteArray();
  }

  private static int firstRead(Path file, int bufferBytes) throws IOException {
    try (BlockSealer sealer = new BlockSealer(V2Fixtures.keys(), BLOCK, 3);
        BlockStream s = stream(file, sealer)) {
      return s.read(new byte[bufferBytes]);
    }
  }

  /** A stream of one file sealed on the calling thread (its pool runs each task at once). */
  private static BlockStream stream(Path file, BlockSealer sealer) {
    ExecutorService direct =
        new java.util.concurrent.AbstractExecutorService() {
          @Override
          public void execute(Runnable r) {
            r.run();
          }

          @Override
          public void shutdown() {}

          @Override
          public List<Runnable> shutdownNow() {
            return List.of();
          }

          @Override
          public boolean isShutdown() {
            return false;
          }

          @Override
          public boolean isTerminated() {
            return false;
          }

          @Override
          public boolean awaitTermination(long t, java.util.concurrent.TimeUnit u) {
            return true;
          }
        };
    return new BlockStream(
        List.of(new BlockStream.Job(file, List.of())),
        Files::newInputStream,
        direct,
        ThreadLocal.withInitial(() -> sealer),
        BLOCK,
        2);
  }

  @Test
  void aSourceThatFailsMidFile_failsTheStream() throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path a = fs.getPath("/a");
      Files.write(a, V2Fixtures.noise(20 * BLOCK, 1));
      BlockStream.FileOpener failing =
          f ->
              new FilterInputStream(Files.newInputStream(f)) {
                private long left = 5 * BLOCK;

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                  if (left <= 0) {
                    throw new IOException("disk went away");
                  }
                  int n = super.read(buf, off, (int) Math.min(len, left));
                  left -= Math.max(0, n);
                  return n;
                }
              };
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (BlockSealer sealer = new BlockSealer(V2Fixtures.keys(), BLOCK, 3);
          BlockStream s =
              new BlockStream(
                  List.of(new BlockStream.Job(a, List.of())),
                  failing,
                  pool,
                  ThreadLocal.withInitial(() -> sealer),
                  BLOCK,
                  1)) {
        InputStream in = s;
        assertThrows(IOException.class, in::readAllBytes);
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
