package dev.coffer.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** File-tree helpers for the demo: a database-like sample, its changes, copies and comparisons. */
final class DemoTree {
  private static final int KIB = 1024;

  private DemoTree() {}

  /**
   * Writes a small database-like directory: WAL segments, SST files, small text files, empty dirs.
   */
  static void generate(Path dir, long seed) throws IOException {
    Random random = new Random(seed);
    Files.createDirectories(dir.resolve("wal/archive_status"));
    Files.createDirectories(dir.resolve("sst"));
    Files.createDirectories(dir.resolve("snapshots"));
    for (int i = 1; i <= 3; i++) {
      writeWal(dir.resolve(String.format(Locale.ROOT, "wal/%024X", i)), 256 * KIB, i, random);
    }
    for (int i = 7; i <= 12; i++) {
      writeSst(
          dir.resolve(String.format(Locale.ROOT, "sst/%06d.sst", i)),
          (300 + 80 * (i - 7)) * KIB,
          random);
    }
    Files.writeString(dir.resolve("CURRENT"), "MANIFEST-000005\n", StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("MANIFEST-000005"),
        "sst/000007.sst\nsst/000008.sst\nsst/000009.sst\nsst/000010.sst\nsst/000011.sst\nsst/000012.sst\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("OPTIONS-000009"),
        "[DBOptions]\n  max_open_files=-1\n  wal_dir=wal\n",
        StandardCharsets.UTF_8);
    Files.write(dir.resolve("LOCK"), new byte[0]);
  }

  /** Changes the sample as a running database would: new WAL, a compaction, a rewritten file. */
  static void mutate(Path dir, long seed) throws IOException {
    Random random = new Random(seed);
    try (OutputStream out =
        Files.newOutputStream(
            dir.resolve(String.format(Locale.ROOT, "wal/%024X", 3)),
            java.nio.file.StandardOpenOption.APPEND)) {
      out.write(walRecords(64 * KIB, 3, random));
    }
    writeWal(dir.resolve(String.format(Locale.ROOT, "wal/%024X", 4)), 256 * KIB, 4, random);
    Files.delete(dir.resolve("sst/000007.sst"));
    Files.delete(dir.resolve("sst/000008.sst"));
    writeSst(dir.resolve("sst/000013.sst"), 500 * KIB, random);
    Files.writeString(
        dir.resolve("MANIFEST-000005"),
        "sst/000009.sst\nsst/000010.sst\nsst/000011.sst\nsst/000012.sst\nsst/000013.sst\n",
        StandardCharsets.UTF_8);
    Files.delete(dir.resolve("snapshots"));
    Files.createDirectories(dir.resolve("tmp/compaction"));
  }

  private static void writeWal(Path file, int size, int segment, Random random) throws IOException {
    Files.write(file, walRecords(size, segment, random));
  }

  private static byte[] walRecords(int size, int segment, Random random) {
    StringBuilder sb = new StringBuilder(size + 128);
    long lsn = segment * 1_000_000L;
    while (sb.length() < size) {
      sb.append(
          String.format(
              Locale.ROOT,
              "lsn=%012d txid=%08d op=%s key=user:%06d value=%016x%n",
              lsn++,
              random.nextInt(99_999_999),
              random.nextBoolean() ? "put" : "del",
              random.nextInt(1_000_000),
              random.nextLong()));
    }
    byte[] all = sb.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[size];
    System.arraycopy(all, 0, out, 0, size);
    return out;
  }

  private static void writeSst(Path file, int size, Random random) throws IOException {
    byte[] data = new byte[size];
    random.nextBytes(data); // compressed blocks
    byte[] keys = walRecords(size / 3, 0, random); // an index of sorted-looking keys
    System.arraycopy(keys, 0, data, 0, keys.length);
    Files.write(file, data);
  }

  /** Copies a tree (regular files and directories) to a new directory. */
  static void copy(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.copy(
                file,
                to.resolve(from.relativize(file).toString()),
                StandardCopyOption.COPY_ATTRIBUTES);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Deletes a tree, never following links. */
  static void delete(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            makeWritable(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Regular files and directories, as sorted relative paths (directories end in {@code /}). */
  static Set<String> entries(Path root) throws IOException {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.equals(root)) {
          continue;
        }
        String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        out.add(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? rel + "/" : rel);
      }
    }
    return out;
  }

  /**
   * Every difference between two trees: entries present on one side only, and files whose bytes
   * differ.
   */
  static List<String> differences(Path expected, Path actual) throws IOException {
    Set<String> a = entries(expected);
    Set<String> b = entries(actual);
    List<String> diffs = new ArrayList<>();
    for (String e : a) {
      if (!b.contains(e)) {
        diffs.add("missing " + e);
      }
    }
    for (String e : b) {
      if (!a.contains(e)) {
        diffs.add("unexpected " + e);
      }
    }
    for (String e : a) {
      if (!e.endsWith("/") && b.contains(e)) {
        long at = Files.mismatch(expected.resolve(e), actual.resolve(e));
        if (at >= 0) {
          diffs.add("content differs at byte " + at + " of " + e);
        }
      }
    }
    return diffs;
  }

  /** Counts regular files and their bytes. */
  static long[] filesAndBytes(Path root) throws IOException {
    long[] fb = new long[2];
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          fb[0]++;
          fb[1] += Files.size(p);
        }
      }
    }
    return fb;
  }

  /** The largest regular file below {@code root}, or null if there is none. */
  static Path largestFile(Path root) throws IOException {
    Path best = null;
    long bestSize = -1;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) > bestSize) {
          best = p;
          bestSize = Files.size(p);
        }
      }
    }
    return best;
  }

  /** Inverts every bit of the byte in the middle of {@code file}. */
  static long flipMiddleByte(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int at = b.length / 2;
    b[at] ^= (byte) 0xFF;
    makeWritable(file);
    Files.write(file, b);
    return at;
  }

  /**
   * Adds the owner's write permission where POSIX permissions exist (providers may store files
   * read-only).
   */
  static void makeWritable(Path p) throws IOException {
    if (!Files.isWritable(p) && p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      perms.add(PosixFilePermission.OWNER_WRITE);
      perms.add(PosixFilePermission.OWNER_READ);
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        perms.add(PosixFilePermission.OWNER_EXECUTE);
      }
      Files.setPosixFilePermissions(p, perms);
    }
  }
}
