package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file much larger than a block streams through backup and restore: memory is bounded by threads
 * x block size, never by the file. Size from {@code -Dcoffer.test.bigFileBytes} (default 64 MiB);
 * run with a small heap ({@code -DargLine=-Xmx256m}) and a large size (4 GiB) to check the bound.
 */
class BigFileTest {

  @Test
  void bigFile_streamsThroughBackupAndRestore(@TempDir Path tmp) throws IOException {
    long size = Long.getLong("coffer.test.bigFileBytes", 64L * 1024 * 1024);
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Path big = src.resolve("big.dat");
    byte[] block = new byte[1 << 20];
    long written = 0;
    int round = 0;
    try (OutputStream out = Files.newOutputStream(big)) {
      while (written < size) {
        // half compressible, half not: exercises both codecs
        for (int i = 0; i < block.length; i++) {
          block[i] = (byte) ((i & 1) == 0 ? round : (i * 2654435761L + round) >>> 13);
        }
        int n = (int) Math.min(block.length, size - written);
        out.write(block, 0, n);
        written += n;
        round++;
      }
    }
    String sha = FileHasher.sha256Hex(big);
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      long t0 = System.nanoTime();
      BackupMetadata md = repo.backup(src);
      long t1 = System.nanoTime();
      assertEquals(size, md.totalBytes());
      assertTrue(repo.storedBytes(md.id()) < size);
      Files.delete(big); // keep disk use at two copies
      long t2 = System.nanoTime();
      repo.restore(md.id(), tmp.resolve("out"));
      long t3 = System.nanoTime();
      System.out.printf(
          "big file %d MiB: backup %.0f MiB/s, restore %.0f MiB/s, stored %d bytes, max heap %d MiB%n",
          size >> 20,
          (size / 1048576.0) / ((t1 - t0) / 1e9),
          (size / 1048576.0) / ((t3 - t2) / 1e9),
          repo.storedBytes(md.id()),
          Runtime.getRuntime().maxMemory() >> 20);
    }
    assertEquals(size, Files.size(tmp.resolve("out/big.dat")));
    assertEquals(sha, FileHasher.sha256Hex(tmp.resolve("out/big.dat")));
  }
}
