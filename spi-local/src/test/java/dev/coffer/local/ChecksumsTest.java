package dev.coffer.local;

import dev.coffer.BackupId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The copy loop's checksums and the CRC32 combination against direct computation. */
class ChecksumsTest {

  @TempDir Path tmp;

  private static long crc32(byte[] b, int off, int len) {
    CRC32 c = new CRC32();
    c.update(b, off, len);
    return c.getValue();
  }

  @Test
  void combine_equalsTheCrcOfTheConcatenation_forEveryLength() {
    Random r = new Random(42);
    byte[] b = new byte[5000];
    r.nextBytes(b);
    for (int split : new int[] {0, 1, 2, 3, 7, 8, 100, 2500, 4999, 5000}) {
      for (int len : new int[] {0, 1, 5, 64, 1000, 5000 - split}) {
        if (split + len > b.length) {
          continue;
        }
        long whole = crc32(b, 0, split + len);
        assertEquals(whole, Checksums.combine(crc32(b, 0, split), crc32(b, split, len), len), split + "+" + len);
      }
    }
  }

  @Test
  void combineC_equalsTheCrc32cOfTheConcatenation_forEveryLength() {
    Random r = new Random(7);
    byte[] b = new byte[20_000];
    r.nextBytes(b);
    for (int split : new int[] {0, 1, 3, 8, 4096, 12_345, 20_000}) {
      for (int len : new int[] {0, 1, 2, 31, 4096, 20_000 - split}) {
        if (split + len > b.length) {
          continue;
        }
        CRC32C whole = new CRC32C();
        whole.update(b, 0, split + len);
        CRC32C first = new CRC32C();
        first.update(b, 0, split);
        CRC32C second = new CRC32C();
        second.update(b, split, len);
        assertEquals(whole.getValue(), Checksums.combineC(first.getValue(), second.getValue(), len), split + "+" + len);
      }
    }
  }

  @Test
  void appendFile_reproducesTheSeedsPathThenContentChecksum() {
    CRC32 direct = new CRC32();
    long combined = 0;
    String[][] files = {{"B.txt", "upper"}, {"a/b.txt", "nested"}, {"empty.txt", ""}, {"café.txt", "ü"}};
    for (String[] f : files) {
      byte[] content = f[1].getBytes(StandardCharsets.UTF_8);
      direct.update(f[0].getBytes(StandardCharsets.UTF_8));
      direct.update(content);
      combined = Checksums.appendFile(combined, f[0], crc32(content, 0, content.length), content.length);
    }
    assertEquals(direct.getValue(), combined);
  }

  @Test
  void copy_writesEveryByteAndChecksumsWhatItWrote_evenWithATinyBuffer() throws Exception {
    byte[] data = new byte[100_003];
    new Random(7).nextBytes(data);
    Path in = Files.write(tmp.resolve("in"), data);
    Path out = tmp.resolve("out");
    Checksums.Sums sums;
    try (FileChannel src = FileChannel.open(in);
        FileChannel dst = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      sums = Checksums.copy(src, dst, ByteBuffer.allocateDirect(1000), Checksums.ByteCounter.NONE, true);
    }
    CRC32C c = new CRC32C();
    c.update(data);
    assertEquals(data.length, sums.size());
    assertEquals(c.getValue(), sums.crc32c());
    assertEquals(crc32(data, 0, data.length), sums.crc32());
    assertEquals(java.util.Arrays.toString(data), java.util.Arrays.toString(Files.readAllBytes(out)));
  }

  /** Takes as many buffers as are kept (so none is left kept), by identity. */
  private static Set<ByteBuffer> takeKept(long largestFileBytes) {
    Set<ByteBuffer> taken = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < Checksums.KEPT; i++) {
      taken.add(Checksums.buffer(largestFileBytes));
    }
    return taken;
  }

  @Test
  void releasedFullSizeBuffersAreHandedOutAgain_cleared_atMostKeptOfThem() {
    Set<ByteBuffer> mine = takeKept(Checksums.BUFFER_BYTES); // drains whatever earlier tests left
    ByteBuffer extra = Checksums.buffer(Checksums.BUFFER_BYTES);
    for (ByteBuffer b : mine) {
      b.position(5).limit(17);
      Checksums.release(b);
    }
    Checksums.release(extra); // one more than are kept
    Set<ByteBuffer> again = takeKept(1); // a kept one is full size whatever was asked
    for (ByteBuffer b : again) {
      assertEquals(0, b.position());
      assertEquals(b.capacity(), b.limit());
    }
    assertEquals(mine, again);
    assertNotSame(extra, Checksums.buffer(Checksums.BUFFER_BYTES));
    again.forEach(Checksums::release);
  }

  @Test
  void aBufferReleasedTwiceIsKeptOnce_soTwoThreadsNeverShareIt() {
    Set<ByteBuffer> drained = takeKept(Checksums.BUFFER_BYTES);
    ByteBuffer b = drained.iterator().next();
    drained.remove(b);
    Checksums.release(b);
    Checksums.release(b);
    assertSame(b, Checksums.buffer(Checksums.BUFFER_BYTES));
    assertNotSame(b, Checksums.buffer(Checksums.BUFFER_BYTES));
    ByteBuffer small = Checksums.buffer(100);
    assertEquals(8192, small.capacity(), "nothing kept: sized to the need");
    Checksums.release(small);
    assertNotSame(small, Checksums.buffer(100), "small buffers are not kept");
    drained.forEach(Checksums::release);
    Checksums.release(b);
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "true"})
  void backupsRestoresAndVerifiesGiveBackEveryKeptBufferTheyTook(String compareCrc) throws Exception {
    Set<ByteBuffer> mine = takeKept(Checksums.BUFFER_BYTES);
    mine.forEach(Checksums::release);
    Path source = Trees.populate(tmp.resolve("source"));
    Trees.write(source, "big.dat", new byte[3 << 20]);
    try (BackupRepository repo = new LocalBackupProvider().open(tmp.resolve("repo"),
        Map.of("fsync", "false", "compare-crc", compareCrc, "threads", String.valueOf(Checksums.KEPT)))) {
      String full = repo.backup(source).backupId();
      Trees.write(source, "file1.dat", "changed");
      String inc = repo.backup(BackupRequest.incremental(source, BackupId.of(full))).backupId();
      assertTrue(repo.verify(BackupId.of(inc)).ok());
      repo.restore(RestoreRequest.of(BackupId.of(inc), tmp.resolve("restored")));
    }
    Set<ByteBuffer> after = takeKept(Checksums.BUFFER_BYTES);
    assertEquals(mine, after, "the same kept buffers, none dropped for a fresh one");
    after.forEach(Checksums::release);
  }
}
