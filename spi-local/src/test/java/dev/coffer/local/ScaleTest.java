package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.testkit.Snapshot;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Size: a large file through a bounded heap, and 10,000 small files. The large file's size is the
 * system property {@code coffer.test.bigFileBytes} (default 128 MiB; the 3 GiB with {@code
 * -Dcoffer.test.bigFileBytes=3221225472}).
 */
class ScaleTest {

  @TempDir Path tmp;

  @Test
  void aLargeFile_backsUpVerifiesAndRestoresWithoutHoldingItInTheHeap() throws Exception {
    long size = Long.getLong("coffer.test.bigFileBytes", 128L << 20);
    Path source = Files.createDirectories(tmp.resolve("source"));
    Path big = source.resolve("big.bin");
    long expectedCrc = generate(big, size);
    Runtime rt = Runtime.getRuntime();
    try (BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      long before = rt.totalMemory() - rt.freeMemory();
      long[] peak = {before};
      BackupMetadata m =
          repo.backup(
              dev.coffer.BackupRequest.full(source)
                  .withProgress(
                      p -> peak[0] = Math.max(peak[0], rt.totalMemory() - rt.freeMemory())));
      assertEquals(size, m.totalBytes());
      assertTrue(repo.verify(m.id()).ok());
      repo.restore(m.id(), tmp.resolve("target"));
      assertEquals(expectedCrc, crc(tmp.resolve("target").resolve("big.bin")));
      assertTrue(
          peak[0] - before < Math.min(size / 2, 64L << 20) + (32L << 20),
          "heap grew by " + (peak[0] - before) + " bytes while copying " + size);
    }
  }

  /**
   * Writes {@code size} bytes of a cheap pattern that still varies per block, returning its CRC32C.
   */
  private static long generate(Path file, long size) throws Exception {
    ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
    CRC32C crc = new CRC32C();
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long written = 0;
      long n = 0;
      while (written < size) {
        block.clear();
        block.putLong(0, n++);
        block.limit((int) Math.min(block.capacity(), size - written));
        crc.update(block.duplicate());
        while (block.hasRemaining()) {
          written += ch.write(block);
        }
      }
    }
    return crc.getValue();
  }

  private static long crc(Path file) throws Exception {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel ch = FileChannel.open(file)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
    }
    return crc.getValue();
  }

  @Test
  void tenThousandSmallFiles_roundTripOnJimfs() throws Exception {
    Path root = Trees.Fs.JIMFS_UNIX.root(tmp);
    Path source = root.resolve("source");
    for (int d = 0; d < 100; d++) {
      Path dir = Files.createDirectories(source.resolve("d" + d));
      for (int f = 0; f < 100; f++) {
        Files.writeString(dir.resolve("f" + f), "file " + d + "/" + f);
      }
    }
    try (BackupRepository repo = Trees.open(root.resolve("repo"))) {
      BackupMetadata m = repo.backup(source);
      assertEquals(10_000, m.totalFiles());
      BackupMetadata inc = repo.backup(dev.coffer.BackupRequest.incremental(source, m.id()));
      assertTrue(repo.verify(inc.id()).ok());
      repo.restore(inc.id(), root.resolve("target"));
      assertEquals(Snapshot.withTimes(source), Snapshot.withTimes(root.resolve("target")));
    }
  }
}
