package dev.coffer.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates a database-like directory tree of about a given size, laid out like a PostgreSQL data
 * directory: relation files of heap pages in {@code base/<db>/} (85% of the bytes, 1 to 8 MiB
 * each), write-ahead log segments of random bytes in {@code pg_wal/} (10%), and small text files
 * (the rest). Deterministic for a given size; works on any {@link java.nio.file.FileSystem}.
 */
final class DatabaseTree {
  private static final int MIB = 1 << 20;

  private DatabaseTree() {}

  /** Writes the tree under {@code root} (created if absent); returns the regular files written. */
  static List<Path> generate(Path root, long totalBytes) throws IOException {
    List<Path> files = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(11);
    byte[] heap = DataKind.syntheticHeapPages(8 * MIB);
    byte[] wal = DataKind.RANDOM.generate(4 * MIB);
    byte[] text = DataKind.TEXT.generate(64 * 1024);
    Path base = Files.createDirectories(root.resolve("base").resolve("16384"));
    long relationBytes = totalBytes * 85 / 100;
    for (int n = 0; relationBytes > 0; n++) {
      int size = (int) Math.min(relationBytes, (1 + random.nextInt(8)) * (long) MIB);
      files.add(write(base.resolve(Integer.toString(16400 + n)), heap, size));
      relationBytes -= size;
    }
    Path walDir = Files.createDirectories(root.resolve("pg_wal"));
    long walBytes = totalBytes / 10;
    for (int n = 0; walBytes > 0; n++) {
      int size = (int) Math.min(walBytes, 4L * MIB);
      files.add(write(walDir.resolve(String.format("%024X", n + 1)), wal, size));
      walBytes -= size;
    }
    Path logDir = Files.createDirectories(root.resolve("log"));
    long textBytes = Math.max(0, totalBytes - totalBytes * 85 / 100 - totalBytes / 10);
    for (int n = 0; textBytes > 0; n++) {
      int size = (int) Math.min(textBytes, 1 + random.nextInt(text.length));
      files.add(write(logDir.resolve("postgresql-" + n + ".log"), text, size));
      textBytes -= size;
    }
    Files.writeString(root.resolve("PG_VERSION"), "15\n");
    files.add(root.resolve("PG_VERSION"));
    Files.createDirectories(root.resolve("pg_tblspc")); // an empty directory, as in a real one
    return files;
  }

  /**
   * Rewrites the first 8 KiB page of every {@code every}-th file (so about 1/every of the files
   * change) and moves its modification time forward, as a database checkpoint would.
   */
  static int touch(List<Path> files, int every, int generation) throws IOException {
    int changed = 0;
    for (int i = 0; i < files.size(); i += every) {
      Path file = files.get(i);
      byte[] bytes = Files.readAllBytes(file);
      for (int b = 0; b < Math.min(bytes.length, DataKind.PAGE_BYTES); b += 97) {
        bytes[b] ^= (byte) (generation + 1);
      }
      Files.write(file, bytes);
      Files.setLastModifiedTime(
          file,
          FileTime.fromMillis(
              Files.getLastModifiedTime(file).toMillis() + 2000L * (generation + 1)));
      changed++;
    }
    return changed;
  }

  private static Path write(Path file, byte[] pattern, int size) throws IOException {
    byte[] bytes =
        size <= pattern.length ? java.util.Arrays.copyOf(pattern, size) : repeat(pattern, size);
    return Files.write(file, bytes);
  }

  private static byte[] repeat(byte[] pattern, int size) {
    byte[] out = new byte[size];
    for (int off = 0; off < size; off += pattern.length) {
      System.arraycopy(pattern, 0, out, off, Math.min(pattern.length, size - off));
    }
    return out;
  }
}
