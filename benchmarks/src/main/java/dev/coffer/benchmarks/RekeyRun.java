package dev.coffer.benchmarks;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RekeyReport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Issue 19's rekey target, measured: a format-2 {@code archive} repository on disk with {@code N}
 * backups (default 1,000), one of them a backup of a file of {@code G} GiB (default 3) of random
 * bytes, so its data object has that size too; then one {@code rekey} to a new key, timed, with the
 * bytes it wrote in total, per backup, and the most any one backup cost (the large one included).
 * The large backup's data object is checked unchanged (size and time). Everything is deleted
 * afterwards. Run by {@code benchmarks/rekey.sh}; prints one line per figure.
 *
 * <pre>
 * java -cp ... dev.coffer.benchmarks.RekeyRun WORK_DIR [N] [G]
 * </pre>
 */
public final class RekeyRun {

  private RekeyRun() {}

  /**
   * Runs the measurement.
   *
   * @param args the work directory (created, then deleted), the number of backups, the large file's
   *     size in GiB
   * @throws IOException if the repository cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path work = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int gib = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Files.createDirectories(work);
    try {
      run(work, n, gib);
    } finally {
      deleteTree(work);
    }
  }

  private static void run(Path work, int n, int gib) throws IOException {
    String url = "coffer:archive:" + work.resolve("repo") + "?format=2";
    Map<String, String> oldKey = Map.of("key", "11".repeat(32));
    Map<String, String> newKey = Map.of("key", "22".repeat(32));
    Path large = Files.createDirectories(work.resolve("large"));
    long t = System.nanoTime();
    randomFile(large.resolve("table.dat"), (long) gib << 30);
    say("large source written", (System.nanoTime() - t) / 1e9 + " s");
    Path small = Files.createDirectories(work.resolve("small"));
    BackupMetadata big;
    try (BackupRepository repo = BackupProviders.open(url, oldKey)) {
      t = System.nanoTime();
      big = repo.backup(BackupRequest.full(large));
      say("large backup", (System.nanoTime() - t) / 1e9 + " s");
      Files.delete(large.resolve("table.dat")); // the source is not needed any more
      t = System.nanoTime();
      for (int i = 1; i < n; i++) {
        Files.writeString(small.resolve("page"), "page " + i + "\n".repeat(100));
        repo.backup(BackupRequest.full(small));
      }
      say("small backups", (n - 1) + " in " + (System.nanoTime() - t) / 1e9 + " s");
    }
    Path bigData = work.resolve("repo/data/" + big.backupId());
    long bigSize = Files.size(bigData);
    FileTime bigTime = Files.getLastModifiedTime(bigData);
    say("large backup's data object", bigSize + " bytes");
    Map<String, FileTime> before = times(work.resolve("repo"));
    RekeyReport done;
    long elapsed;
    try (BackupRepository repo = BackupProviders.open(url, oldKey)) {
      t = System.nanoTime();
      done = repo.rekey(newKey, r -> {});
      elapsed = System.nanoTime() - t;
    }
    // every commit and metadata object a rekey rewrites is replaced whole: its size is what it cost
    Map<String, Long> perBackup = new TreeMap<>();
    for (Map.Entry<String, FileTime> e : times(work.resolve("repo")).entrySet()) {
      if (!e.getValue().equals(before.get(e.getKey()))) {
        String id = e.getKey().substring(e.getKey().indexOf('/') + 1);
        perBackup.merge(id, Files.size(work.resolve("repo").resolve(e.getKey())), Long::sum);
      }
    }
    long most = perBackup.values().stream().mapToLong(Long::longValue).max().orElse(0);
    say("rekey", done + " in " + String.format(Locale.ROOT, "%.2f", elapsed / 1e9) + " s");
    say("bytes written per backup (mean)", String.valueOf(done.bytesWritten() / done.backups()));
    say("backups whose commit or metadata changed", String.valueOf(perBackup.size()));
    say("bytes of the rewritten objects of one backup (most)", String.valueOf(most));
    say(
        "bytes of the rewritten objects of the large backup",
        String.valueOf(perBackup.get(big.backupId())));
    boolean unchanged =
        Files.size(bigData) == bigSize && Files.getLastModifiedTime(bigData).equals(bigTime);
    say("large data object unchanged", String.valueOf(unchanged));
    try (BackupRepository repo = BackupProviders.open(url, newKey)) {
      say("listed with the new key", String.valueOf(repo.list().size()));
    }
    if (!unchanged || done.rekeyed() != n || most > 4096) {
      throw new IllegalStateException("target missed: see the figures above");
    }
  }

  /** The modification times of the commit and metadata objects, by their key. */
  private static Map<String, FileTime> times(Path repo) throws IOException {
    Map<String, FileTime> out = new TreeMap<>();
    for (String dir : List.of("commits", "meta")) {
      try (Stream<Path> s = Files.list(repo.resolve(dir))) {
        for (Path p : (Iterable<Path>) s::iterator) {
          out.put(dir + "/" + p.getFileName(), Files.getLastModifiedTime(p));
        }
      }
    }
    return out;
  }

  private static void randomFile(Path file, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(19);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long done = 0; done < size; done += buf.length) {
        for (int i = 0; i < buf.length; i += 8) {
          long v = random.nextLong();
          for (int b = 0; b < 8; b++) {
            buf[i + b] = (byte) (v >>> (8 * b));
          }
        }
        out.write(buf);
      }
    }
  }

  private static void say(String what, String value) {
    System.out.println(what + ": " + value);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
