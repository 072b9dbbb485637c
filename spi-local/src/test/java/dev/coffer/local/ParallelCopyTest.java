package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The multi-threaded copy: same bytes and sums as one sequential pass, whatever the threads and
 * sizes.
 */
class ParallelCopyTest {

  private static final int RANGE = ParallelCopy.RANGE_BYTES;

  /** One batch, on buffers of its own. */
  private static void run(
      List<ParallelCopy.Job> jobs,
      int threads,
      boolean fsync,
      ParallelCopy.InFile inFile,
      ParallelCopy.FileDone done)
      throws IOException {
    new ParallelCopy(new BufferPool(), threads, fsync).run(jobs, inFile, done);
  }

  private FileSystem fs;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    root = Files.createDirectories(fs.getPath("/work"));
  }

  @AfterEach
  void tearDown() throws IOException {
    fs.close();
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static long crc32c(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return c.getValue();
  }

  private static long crc32(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  private static List<Thread> copyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("coffer-local-copy-") && t.isAlive())
        .toList();
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 3, 8})
  void copiesEveryFileWholeWithTheSumsOfASequentialPass_inBatchOrder(int threads)
      throws IOException {
    int[] sizes = {0, 1, 4096, RANGE - 1, RANGE, RANGE + 1, 2 * RANGE + 12_345, 3, 5 * RANGE / 2};
    List<ParallelCopy.Job> jobs = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      byte[] b = random(sizes[i], i);
      contents.add(b);
      Path in = Files.write(root.resolve("in" + i), b);
      jobs.add(new ParallelCopy.Job(in, root.resolve("out" + i), b.length, i % 2 == 0));
    }
    List<Integer> order = new ArrayList<>();
    run(
        jobs,
        threads,
        true,
        (k, n) -> {},
        (k, sums) -> {
          order.add(k);
          byte[] b = contents.get(k);
          assertEquals(b.length, sums.size(), "size of " + k);
          assertEquals(crc32c(b), sums.crc32c(), "crc32c of " + k);
          assertEquals(k % 2 == 0 ? crc32(b) : -1, sums.crc32(), "crc32 of " + k);
          assertArrayEquals(b, Files.readAllBytes(jobs.get(k).target()), "copy of " + k);
        });
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), order);
    assertTrue(copyThreads().isEmpty(), "no copy thread outlives the call");
  }

  @Test
  void readsOnlyWhenThereIsNoTarget() throws IOException {
    byte[] b = random(3 * RANGE + 7, 1);
    Path in = Files.write(root.resolve("in"), b);
    long[] got = new long[3];
    run(
        List.of(new ParallelCopy.Job(in, null, b.length, true)),
        2,
        false,
        (k, n) -> {},
        (k, sums) -> got[0] = sums.crc32c() ^ (sums.crc32() << 32) ^ sums.size());
    assertEquals(crc32c(b) ^ (crc32(b) << 32) ^ b.length, got[0]);
    try (var list = Files.list(root)) {
      assertEquals(1, list.count(), "nothing written");
    }
  }

  @Test
  void aFileShorterThanItsHint_isCopiedAsItIsNow() throws IOException {
    // a live source that shrank between the scan and the copy
    byte[] b = random(RANGE + RANGE / 2, 2);
    Path in = Files.write(root.resolve("in"), b);
    Path out = root.resolve("out");
    Checksums.Sums[] got = new Checksums.Sums[1];
    run(
        List.of(new ParallelCopy.Job(in, out, 4L * RANGE, true)),
        3,
        false,
        (k, n) -> {},
        (k, sums) -> got[0] = sums);
    assertEquals(new Checksums.Sums(b.length, crc32c(b), crc32(b)), got[0]);
    assertArrayEquals(b, Files.readAllBytes(out));
  }

  @Test
  void aFileShorterThanItsHint_readInRanges_isReadAgainWhole() throws IOException {
    // ranges past its end read nothing and the range that meets the end early marks it: read again
    byte[] b = random(2 * RANGE + RANGE / 2, 4);
    Path in = Files.write(root.resolve("in"), b);
    for (int threads : new int[] {1, 3}) {
      Checksums.Sums[] got = new Checksums.Sums[1];
      run(
          List.of(new ParallelCopy.Job(in, null, 5L * RANGE, true)),
          threads,
          false,
          (k, n) -> {},
          (k, sums) -> got[0] = sums);
      assertEquals(new Checksums.Sums(b.length, crc32c(b), crc32(b)), got[0], threads + " threads");
    }
  }

  @Test
  void aFileLongerThanItsHint_isCopiedToItsEnd() throws IOException {
    byte[] b = random(2 * RANGE + 99, 3);
    Path in = Files.write(root.resolve("in"), b);
    Path out = root.resolve("out");
    Checksums.Sums[] got = new Checksums.Sums[1];
    run(
        List.of(new ParallelCopy.Job(in, out, 10, false)),
        2,
        false,
        (k, n) -> {},
        (k, sums) -> got[0] = sums);
    assertEquals(new Checksums.Sums(b.length, crc32c(b), -1), got[0]);
    assertArrayEquals(b, Files.readAllBytes(out));
  }

  @Test
  void aWorkerFailure_isThrownAfterEveryWorkerStopped_andLaterFilesAreNeverReported()
      throws IOException {
    List<ParallelCopy.Job> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Path in = Files.write(root.resolve("in" + i), random(RANGE + 1, i));
      jobs.add(new ParallelCopy.Job(in, root.resolve("out" + i), RANGE + 1, true));
    }
    Files.write(root.resolve("out3"), new byte[] {1}); // CREATE_NEW of the fourth target fails
    List<Integer> reported = new ArrayList<>();
    FileAlreadyExistsException e =
        assertThrows(
            FileAlreadyExistsException.class,
            () -> run(jobs, 2, false, (k, n) -> {}, (k, sums) -> reported.add(k)));
    assertTrue(e.getMessage().contains("out3"), e.getMessage());
    assertFalse(reported.contains(3), "the failed file is never reported done: " + reported);
    assertTrue(copyThreads().isEmpty(), "no copy thread outlives the call");
    assertArrayEquals(
        new byte[] {1},
        Files.readAllBytes(root.resolve("out3")),
        "an existing file is never written");
  }

  @Test
  void aCallbackThatThrows_abortsTheBatch_withItsOwnException() throws IOException {
    List<ParallelCopy.Job> jobs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Path in = Files.write(root.resolve("in" + i), random(4096, i));
      jobs.add(new ParallelCopy.Job(in, root.resolve("out" + i), 4096, false));
    }
    IllegalStateException cancel = new IllegalStateException("cancelled");
    List<Integer> reported = new ArrayList<>();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                run(
                    jobs,
                    4,
                    false,
                    (k, n) -> {},
                    (k, sums) -> {
                      reported.add(k);
                      if (k == 5) {
                        throw cancel;
                      }
                    }));
    assertSame(cancel, e);
    assertEquals(List.of(0, 1, 2, 3, 4, 5), reported);
    assertTrue(copyThreads().isEmpty(), "no copy thread outlives the call");
  }

  @Test
  void progressWithinAFile_isReportedAtEveryStep_whateverTheTiming(@TempDir Path disk)
      throws IOException {
    long size = 2 * ParallelCopy.PROGRESS_STEP + 1;
    Path in = disk.resolve("big");
    try (var ch =
        java.nio.channels.FileChannel.open(
            in,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {42}), size - 1); // sparse: reads as zeros
    }
    for (int threads : new int[] {1, 2}) {
      List<Long> steps = new ArrayList<>();
      Path out = disk.resolve("out" + threads);
      run(
          List.of(new ParallelCopy.Job(in, out, size, false)),
          threads,
          false,
          (k, n) -> steps.add(n),
          (k, sums) -> assertEquals(size, sums.size()));
      assertEquals(
          List.of(ParallelCopy.PROGRESS_STEP, 2 * ParallelCopy.PROGRESS_STEP),
          steps,
          threads + " threads");
      assertEquals(size, Files.size(out));
    }
  }
}
