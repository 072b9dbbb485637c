package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(
            whole,
            Checksums.combine(crc32(b, 0, split), crc32(b, split, len), len),
            split + "+" + len);
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
        assertEquals(
            whole.getValue(),
            Checksums.combineC(first.getValue(), second.getValue(), len),
            split + "+" + len);
      }
    }
  }

  @Test
  void appendFile_reproducesTheSeedsPathThenContentChecksum() {
    CRC32 direct = new CRC32();
    long combined = 0;
    String[][] files = {
      {"B.txt", "upper"}, {"a/b.txt", "nested"}, {"empty.txt", ""}, {"café.txt", "ü"}
    };
    for (String[] f : files) {
      byte[] content = f[1].getBytes(StandardCharsets.UTF_8);
      direct.update(f[0].getBytes(StandardCharsets.UTF_8));
      direct.update(content);
      combined =
          Checksums.appendFile(combined, f[0], crc32(content, 0, content.length), content.length);
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
        FileChannel dst =
            FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      sums =
          Checksums.copy(
              src, dst, ByteBuffer.allocateDirect(1000), Checksums.ByteCounter.NONE, true);
    }
    CRC32C c = new CRC32C();
    c.update(data);
    assertEquals(data.length, sums.size());
    assertEquals(c.getValue(), sums.crc32c());
    assertEquals(crc32(data, 0, data.length), sums.crc32());
    assertEquals(
        java.util.Arrays.toString(data), java.util.Arrays.toString(Files.readAllBytes(out)));
  }
}
