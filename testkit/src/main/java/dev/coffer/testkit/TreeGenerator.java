package dev.coffer.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes realistic, reproducible source trees for backup tests: the same seed always gives the same
 * names, sizes and bytes, so a failure reported with its seed can be replayed.
 *
 * <pre>{@code
 * TreeGenerator gen = new TreeGenerator(seed);
 * gen.databaseLayout(source);               // wal/, sst/L0/, an empty file, empty and deep directories
 * gen.sizes(source.resolve("sizes"), 1 << 20); // 0 B and every power of two up to 1 MiB, and neighbours
 * }</pre>
 *
 * <p>Sizes are bounded by default; {@link #heavy()} is true when the system property {@code
 * coffer.tck.heavy} is {@code true}, and callers then generate tens of MiB and thousands of files.
 * Not thread-safe.
 */
public final class TreeGenerator {

  private final long seed;
  private final Random random;

  /**
   * Creates a generator.
   *
   * @param seed the seed; print it with any failure
   */
  public TreeGenerator(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /**
   * Returns the seed this generator was created with.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Whether heavy trees were asked for with {@code -Dcoffer.tck.heavy=true}.
   *
   * @return true for heavy trees
   */
  public static boolean heavy() {
    return Boolean.getBoolean("coffer.tck.heavy");
  }

  /**
   * Writes a database-like layout below {@code root} (created if absent): write-ahead-log segments
   * ({@code wal/000001.log}...), sorted-table files ({@code sst/L0/*.sst}), an empty {@code LOCK}
   * file, a small {@code CURRENT} file, an empty directory ({@code sst/L1}), a deep chain of
   * directories, and names with non-ASCII characters.
   *
   * @param root the directory to fill
   * @param maxFileBytes the largest file to write
   * @throws IOException if writing fails
   */
  public void databaseLayout(Path root, int maxFileBytes) throws IOException {
    requireNonNull(root, "root");
    Files.createDirectories(root);
    Path wal = Files.createDirectories(root.resolve("wal"));
    for (int i = 1; i <= 3; i++) {
      file(
          wal.resolve(String.format("%06d.log", i)),
          Math.min(maxFileBytes, 1 + random.nextInt(64 * 1024)),
          false);
    }
    Path l0 = Files.createDirectories(root.resolve("sst").resolve("L0"));
    for (int i = 0; i < 3; i++) {
      file(
          l0.resolve(String.format("%06d.sst", 10 + i)),
          Math.min(maxFileBytes, random.nextInt(32 * 1024)),
          true);
    }
    Files.createDirectories(root.resolve("sst").resolve("L1"));
    Files.createDirectories(root.resolve("empty"));
    Files.write(root.resolve("LOCK"), new byte[0]);
    Files.writeString(root.resolve("CURRENT"), "MANIFEST-000042\n", StandardCharsets.UTF_8);
    Path deep = root;
    for (int i = 0; i < 12; i++) {
      deep = deep.resolve("d" + i);
    }
    Files.createDirectories(deep);
    file(deep.resolve("leaf.dat"), Math.min(maxFileBytes, 777), false);
    Path unicode = Files.createDirectories(root.resolve("donn\u00e9es"));
    file(
        unicode.resolve("\u00e9t\u00e9-\u65e5\u672c\u8a9e.bin"),
        Math.min(maxFileBytes, 100),
        false);
    file(
        unicode.resolve("\u0394\u03b5\u03bb\u03c4\u03b1 \u00fcber.txt"),
        Math.min(maxFileBytes, 3),
        true);
  }

  /**
   * Writes one file of 0 bytes and, for every power of two up to {@code maxFileBytes}, a file of
   * that size and (from 1 KiB on) of one byte less and one byte more, into {@code dir} (created if
   * absent).
   *
   * @param dir the directory to fill
   * @param maxFileBytes the largest size
   * @throws IOException if writing fails
   */
  public void sizes(Path dir, int maxFileBytes) throws IOException {
    Files.createDirectories(dir);
    file(dir.resolve("size-0.bin"), 0, false);
    for (int size = 1; size > 0 && size <= maxFileBytes; size <<= 1) {
      file(dir.resolve("size-" + size + ".bin"), size, random.nextBoolean());
      if (size >= 1024) {
        file(dir.resolve("size-" + (size - 1) + ".bin"), size - 1, false);
        if (size < maxFileBytes) {
          file(dir.resolve("size-" + (size + 1) + ".bin"), size + 1, false);
        }
      }
    }
  }

  /**
   * Writes two files whose names differ only in case ({@code Readme} and {@code README}) into
   * {@code dir}. Only call this on a case-sensitive file system.
   *
   * @param dir the directory to fill
   * @throws IOException if writing fails
   */
  public void caseCollidingNames(Path dir) throws IOException {
    Files.createDirectories(dir);
    file(dir.resolve("Readme"), 10 + random.nextInt(10), true);
    file(dir.resolve("README"), 30 + random.nextInt(10), true);
  }

  /**
   * Writes {@code count} small files spread over directories of at most 100 files each.
   *
   * @param dir the directory to fill
   * @param count how many files
   * @throws IOException if writing fails
   */
  public void manySmallFiles(Path dir, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      Path sub = Files.createDirectories(dir.resolve(String.format("part-%03d", i / 100)));
      file(sub.resolve(String.format("f%05d", i)), random.nextInt(200), random.nextBoolean());
    }
  }

  /**
   * Writes a file of {@code size} pseudo-random bytes (or, when {@code compressible}, repetitive
   * text).
   *
   * @param file the file to write (its parent must exist)
   * @param size its size in bytes
   * @param compressible whether to write compressible text instead of random bytes
   * @throws IOException if writing fails
   */
  public void file(Path file, int size, boolean compressible) throws IOException {
    byte[] chunk = new byte[Math.min(size, 64 * 1024)];
    try (OutputStream out = Files.newOutputStream(file)) {
      int left = size;
      while (left > 0) {
        int n = Math.min(left, chunk.length);
        if (compressible) {
          byte[] text =
              ("row " + random.nextInt(1000) + " of table t; ").getBytes(StandardCharsets.US_ASCII);
          for (int i = 0; i < n; i++) {
            chunk[i] = text[i % text.length];
          }
        } else {
          random.nextBytes(chunk);
        }
        out.write(chunk, 0, n);
        left -= n;
      }
    }
  }

  /**
   * Returns the next pseudo-random number of this generator, for callers that need reproducible
   * choices.
   *
   * @param bound the exclusive upper bound, positive
   * @return a number from 0 to {@code bound - 1}
   */
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }
}
