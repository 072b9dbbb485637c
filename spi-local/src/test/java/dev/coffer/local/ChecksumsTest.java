package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void releasedFullSizeBuffersAreHandedOutAgain_cleared_atMostKeptOfThem() {
    java.util.List<ByteBuffer> mine = new java.util.ArrayList<>();
    for (int i = 0; i < Checksums.KEPT; i++) {
      mine.add(Checksums.buffer(Checksums.BUFFER_BYTES)); // drains whatever earlier tests left
    }
    ByteBuffer extra = Checksums.buffer(Checksums.BUFFER_BYTES);
    for (ByteBuffer b : mine) {
      b.position(5).limit(17);
      Checksums.release(b);
    }
    Checksums.release(extra); // one more than are kept
    java.util.Set<ByteBuffer> again = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int i = 0; i < Checksums.KEPT; i++) {
      ByteBuffer b = Checksums.buffer(1); // a kept one is full size whatever was asked
      assertEquals(0, b.position());
      assertEquals(b.capacity(), b.limit());
      again.add(b);
    }
    java.util.Set<ByteBuffer> expected = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    expected.addAll(mine);
    assertEquals(expected, again);
    org.junit.jupiter.api.Assertions.assertNotSame(extra, Checksums.buffer(Checksums.BUFFER_BYTES));
    again.forEach(Checksums::release);
  }

  @Test
  void aBufferReleasedTwiceIsKeptOnce_soTwoThreadsNeverShareIt() {
    java.util.List<ByteBuffer> drained = new java.util.ArrayList<>();
    for (int i = 0; i < Checksums.KEPT; i++) {
      drained.add(Checksums.buffer(Checksums.BUFFER_BYTES));
    }
    ByteBuffer b = drained.remove(0);
    Checksums.release(b);
    Checksums.release(b);
    assertSame(b, Checksums.buffer(Checksums.BUFFER_BYTES));
    org.junit.jupiter.api.Assertions.assertNotSame(b, Checksums.buffer(Checksums.BUFFER_BYTES));
    ByteBuffer small = Checksums.buffer(100);
    assertEquals(8192, small.capacity(), "nothing kept: sized to the need");
    Checksums.release(small);
    org.junit.jupiter.api.Assertions.assertNotSame(small, Checksums.buffer(100), "small buffers are not kept");
    drained.forEach(Checksums::release);
    Checksums.release(b);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"false", "true"})
  void backupsRestoresAndVerifiesGiveBackEveryKeptBufferTheyTook(String compareCrc) throws Exception {
    java.util.Set<ByteBuffer> mine = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int i = 0; i < Checksums.KEPT; i++) {
      mine.add(Checksums.buffer(Checksums.BUFFER_BYTES));
    }
    mine.forEach(Checksums::release);
    Path source = Trees.populate(tmp.resolve("source"));
    Trees.write(source, "big.dat", new byte[3 << 20]);
    try (dev.coffer.BackupRepository repo = new LocalBackupProvider().open(tmp.resolve("repo"),
        java.util.Map.of("fsync", "false", "compare-crc", compareCrc, "threads", String.valueOf(Checksums.KEPT)))) {
      String full = repo.backup(source).backupId();
      Trees.write(source, "file1.dat", "changed");
      String inc = repo.backup(dev.coffer.BackupRequest.incremental(source, full)).backupId();
      assertTrue(repo.verify(inc).ok());
      repo.restore(dev.coffer.RestoreRequest.of(inc, tmp.resolve("restored")));
    }
    java.util.Set<ByteBuffer> after = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int i = 0; i < Checksums.KEPT; i++) {
      after.add(Checksums.buffer(Checksums.BUFFER_BYTES));
    }
    assertEquals(mine, after, "the same kept buffers, none dropped for a fresh one");
    after.forEach(Checksums::release);
  }
}
