package dev.coffer.benchmarks;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The providers through the public API, in one long-lived JVM as a host database runs them, raced
 * against their peers ({@code cp -a}, {@code cat}, {@code tar | zstd | openssl}, restic) run as
 * processes, step by step in one interleaved loop, so a drift of the machine's speed hits every
 * tool alike.
 *
 * <p>Every repetition works on fresh output directories; before every timed step the page cache's
 * dirty data is written out ({@code sync}) and the machine is left to settle, so no step pays for
 * the previous one's write-back. The dataset is read once first (warm cache) and copied to a
 * private source, of which 1% of the files (at least one, chosen with a fixed seed) are changed
 * before the incremental steps. The order of the tools rotates by one each repetition, so each tool
 * runs first as often as the others.
 *
 * <p>Memory. On a virtual machine whose guest hands free memory back to its host (virtio free page
 * reporting, as on Firecracker, where this was measured), the first write to a page the host took
 * back costs a host page fault: a step that allocates 1.2 GB of page cache after a pause paid up to
 * a second for it, and how much depended on what the host had taken back meanwhile (the "drift" of
 * earlier runs; {@code cp -a} of one tree on tmpfs: 0.25 s right after memory was freed, 1.2-1.9 s
 * after a 5 s pause). So each writing step first deletes its own output of the previous repetition
 * (untimed, right before the clock starts), as a rotating backup job would: the step then writes
 * into memory that was freed a moment earlier, for every tool alike. Optionally ({@code
 * race.prefaultMiB}, default 0 = off) a scratch file of that many MiB is written to and deleted
 * from {@code /dev/shm} before each writing step instead; the host's reclaiming of it then competes
 * with the step, which made that protocol order-dependent. An incremental step writes only the
 * changed files: right before it, four times their size (at least 64 MiB, below the amount the host
 * reclaims at once) is written to and deleted from the work directory, on the file system the
 * backup writes to (a scratch in {@code /dev/shm} does not warm ext4 writes).
 *
 * <p>Before the timed repetitions, {@code race.warmups} (default 1) untimed rounds run Coffer's
 * steps only, so the timed ones measure compiled code, as in a host database that has been running
 * for a while. For the same reason {@code race.sh} starts this JVM with its heap touched ({@code
 * -XX:+AlwaysPreTouch}, as database JVMs are commonly run): on the VM of docs/benchmarks.md the
 * first touch of a fresh heap page is a host fault, and an early incremental that allocates a few
 * megabytes into never-used eden paid ~10 ms for it (35-40 ms against 22-28 ms with the heap
 * touched). The report names the heap options.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.coffer.benchmarks.PeerRace DATASET WORK [REPS]};
 * system properties {@code race.tools} (default {@code "cp cat local tarzstd restic archive"};
 * {@code cplink} adds {@code cp -al}, a hard-linked copy of the tree: what an incremental that
 * changed nothing must at least do), {@code race.settleMillis} (default 2000), {@code
 * race.prefaultMiB} (default 0), {@code race.warmups} (default 1), {@code race.results} (a CSV of
 * every timed step). Prints medians and the ratios the issues set targets for. {@code
 * benchmarks/race.sh} wraps it.
 */
public final class PeerRace {

  private final Path dataset;
  private final Path work;
  private final Path source;
  private final List<String> tools;
  private final long settleMillis;
  private final String prefault;

  /**
   * What each writing step's output is called in a repetition's directory: freed right before the
   * step.
   */
  private static final Map<String, List<String>> OUTPUTS =
      Map.of(
          "cp backup",
          List.of("cp"),
          "tarzstd backup",
          List.of("tar.zst.enc"),
          "tarzstd restore",
          List.of("tar-restored"),
          "restic backup",
          List.of("restic", "restic-cache"),
          "local backup",
          List.of("local"),
          "cp -al link tree",
          List.of("cplink"),
          "local restore",
          List.of("local-restored"),
          "archive backup",
          List.of("archive"),
          "archive restore",
          List.of("archive-restored"));

  private Path previousRep;

  /**
   * Steps that write little or nothing: no prefault before them. Right after a prefault the host
   * takes the freed memory back, and that work on the guest's CPUs slowed a 40 ms incremental by
   * ~25%.
   */
  private static final java.util.Set<String> SMALL_WRITES =
      java.util.Set.of(
          "cat read",
          "cp -al link tree",
          "local verify",
          "archive verify",
          "local incremental",
          "archive incremental");

  private final int warmups = Integer.getInteger("race.warmups", 1);
  private long prefaultBytes;
  private final java.nio.ByteBuffer prefaultBlock = java.nio.ByteBuffer.allocateDirect(8 << 20);
  private final Map<String, List<Double>> seconds = new LinkedHashMap<>();
  private final Map<String, Long> sizes = new LinkedHashMap<>();
  private final List<String> csv = new ArrayList<>(List.of("step,rep,seconds,output_bytes"));
  private final Random random = new Random(20261122);
  private final String archiveKey;
  private long changedBytes;
  private int changedFiles;
  private int totalFiles;

  private PeerRace(
      Path dataset, Path work, List<String> tools, long settleMillis, String prefault) {
    this.dataset = dataset;
    this.work = work;
    this.source = work.resolve("source");
    this.tools = tools;
    this.settleMillis = settleMillis;
    this.prefault = prefault;
    byte[] key = new byte[32];
    new Random(1).nextBytes(key); // a benchmark key; nothing secret is stored
    this.archiveKey = HexFormat.of().formatHex(key);
  }

  /**
   * Runs the race.
   *
   * @param args dataset directory, work directory (on the disk under test), repetitions (default 5)
   * @throws Exception if a step fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: PeerRace DATASET WORK [REPS]");
      System.exit(2);
    }
    List<String> tools =
        List.of(
            System.getProperty("race.tools", "cp cat local tarzstd restic archive")
                .trim()
                .split("\\s+"));
    PeerRace race =
        new PeerRace(
            Path.of(args[0]).toAbsolutePath(),
            Path.of(args[1]).toAbsolutePath(),
            tools,
            Long.getLong("race.settleMillis", 2000),
            System.getProperty("race.prefaultMiB", "0"));
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    race.run(reps);
    race.report(reps);
    String results = System.getProperty("race.results");
    if (results != null) {
      Files.write(Path.of(results), race.csv, StandardCharsets.UTF_8);
    }
  }

  private void run(int reps) throws Exception {
    for (String t : tools) {
      String program =
          switch (t) {
            case "tarzstd" -> "zstd";
            case "restic" -> "restic";
            default -> null;
          };
      if (program != null && shell("command -v " + program + " > /dev/null") != 0) {
        throw new IllegalStateException(
            program + " is not installed (benchmarks/compare.sh installs the peers)");
      }
    }
    sh("rm", "-rf", work.toString());
    Files.createDirectories(work);
    sh("cp", "-a", dataset.toString(), source.toString());
    try (Stream<Path> s = Files.walk(source)) {
      totalFiles = (int) s.filter(Files::isRegularFile).count();
    }
    Path shm = Path.of("/dev/shm");
    if (prefault.equals("auto")) {
      prefaultBytes = Files.isDirectory(shm) ? du(source) * 3 : 0;
    } else {
      prefaultBytes = Long.parseLong(prefault) << 20;
    }
    System.err.printf(Locale.ROOT, "prefault before each step: %d MiB%n", prefaultBytes >> 20);
    Files.writeString(work.resolve("passphrase"), archiveKey);
    for (int rep = -warmups; rep < reps; rep++) {
      Path out = work.resolve("rep" + (rep + warmups));
      previousRep = rep > -warmups ? work.resolve("rep" + (rep + warmups - 1)) : null;
      if (rep
          > -warmups + 1) { // what the steps left two repetitions ago (each step frees its own last
        // output)
        sh("rm", "-rf", work.resolve("rep" + (rep + warmups - 2)).toString());
      }
      Files.createDirectories(out);
      shell("find " + quote(source) + " -type f -exec cat {} + > /dev/null"); // warm cache
      String localFull = null;
      String archiveFull = null;
      try (BackupRepository local =
              BackupProviders.open("local", out.resolve("local"), Map.of("fsync", "false"));
          BackupRepository archive =
              BackupProviders.open("archive", out.resolve("archive"), Map.of("key", archiveKey))) {
        for (int k = 0; k < tools.size(); k++) {
          String tool =
              tools.get(Math.floorMod(k + rep, tools.size())); // rotated: no tool always runs first
          if (rep < 0 && !tool.equals("local") && !tool.equals("archive")) {
            continue; // a warm-up round compiles Coffer's code; the peers are separate processes
          }
          switch (tool) {
            case "cp" ->
                time(
                    "cp backup",
                    rep,
                    out.resolve("cp"),
                    () -> sh("cp", "-a", source.toString(), out.resolve("cp").toString()));
            case "cplink" ->
                time(
                    "cp -al link tree",
                    rep,
                    null,
                    () -> sh("cp", "-al", source.toString(), out.resolve("cplink").toString()));
            case "cat" ->
                time(
                    "cat read",
                    rep,
                    null,
                    () -> bash("find " + quote(source) + " -type f -exec cat {} + > /dev/null"));
            case "tarzstd" -> {
              Path enc = out.resolve("tar.zst.enc");
              String pass = "-pbkdf2 -pass file:" + quote(work.resolve("passphrase"));
              time(
                  "tarzstd backup",
                  rep,
                  enc,
                  () ->
                      bash(
                          "tar -C "
                              + quote(source)
                              + " -cf - . | zstd -3 -T2 -q"
                              + " | openssl enc -aes-256-ctr "
                              + pass
                              + " -out "
                              + quote(enc)));
              Path restored = Files.createDirectories(out.resolve("tar-restored"));
              time(
                  "tarzstd restore",
                  rep,
                  null,
                  () ->
                      bash(
                          "openssl enc -d -aes-256-ctr "
                              + pass
                              + " -in "
                              + quote(enc)
                              + " | zstd -d -q | tar -C "
                              + quote(restored)
                              + " -xf -"));
            }
            case "restic" -> {
              Path repo = out.resolve("restic");
              String env =
                  "RESTIC_PASSWORD_FILE="
                      + quote(work.resolve("passphrase"))
                      + " RESTIC_REPOSITORY="
                      + quote(repo)
                      + " RESTIC_CACHE_DIR="
                      + quote(out.resolve("restic-cache"))
                      + " ";
              bash(env + "restic init -q > /dev/null");
              time(
                  "restic backup",
                  rep,
                  repo,
                  () -> bash(env + "restic backup -q " + quote(source)));
            }
            case "local" -> {
              BackupMetadata m =
                  time(
                      "local backup",
                      rep,
                      out.resolve("local"),
                      () -> local.backup(BackupRequest.full(source)));
              localFull = m.backupId();
              String id = localFull;
              VerifyReport v = time("local verify", rep, null, () -> local.verify(BackupId.of(id)));
              check(v);
              time(
                  "local restore",
                  rep,
                  null,
                  () ->
                      local.restore(
                          RestoreRequest.of(BackupId.of(id), out.resolve("local-restored"))));
            }
            case "archive" -> {
              BackupMetadata m =
                  time(
                      "archive backup",
                      rep,
                      out.resolve("archive"),
                      () -> archive.backup(BackupRequest.full(source)));
              archiveFull = m.backupId();
              String id = archiveFull;
              VerifyReport v =
                  time("archive verify", rep, null, () -> archive.verify(BackupId.of(id)));
              check(v);
              time(
                  "archive restore",
                  rep,
                  null,
                  () ->
                      archive.restore(
                          RestoreRequest.of(BackupId.of(id), out.resolve("archive-restored"))));
            }
            default -> throw new IllegalArgumentException("unknown tool " + tool);
          }
        }
        changeOnePercent();
        if (localFull != null) {
          String base = localFull;
          time(
              "local incremental",
              rep,
              null,
              () -> local.backup(BackupRequest.incremental(source, BackupId.of(base))));
        }
        if (archiveFull != null) {
          String base = archiveFull;
          time(
              "archive incremental",
              rep,
              null,
              () -> archive.backup(BackupRequest.incremental(source, BackupId.of(base))));
        }
      }
    }
  }

  /**
   * Overwrites 8 KiB at a random page of 1% of the files (at least one), as a database's writes
   * would.
   */
  private void changeOnePercent() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(source)) {
      files = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
    }
    int n = Math.max(1, files.size() / 100);
    changedFiles = n;
    changedBytes = 0;
    for (int i = 0; i < n; i++) {
      Path f = files.remove(random.nextInt(files.size()));
      long size = Files.size(f);
      byte[] page = new byte[8192];
      random.nextBytes(page);
      long at =
          size < page.length
              ? 0
              : (random.nextLong() & Long.MAX_VALUE) % (size / page.length) * page.length;
      try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(page), at);
      }
      changedBytes += Math.max(size, at + page.length);
    }
    System.err.printf(Locale.ROOT, "  changed %d files holding %,d bytes%n", n, changedBytes);
  }

  private static void check(VerifyReport v) {
    if (!v.problems().isEmpty()) {
      throw new IllegalStateException("verify found problems: " + v.problems());
    }
  }

  @FunctionalInterface
  private interface Step<T> {
    T run() throws Exception;
  }

  private <T> T time(String step, int rep, Path output, Step<T> body) throws Exception {
    if (rep < 0) {
      return body.run();
    }
    sh("sync");
    Thread.sleep(settleMillis);
    if (step.endsWith("incremental")) {
      // room for the changed files' copies, freed a moment ago on the file system they go to: a
      // scratch
      // in /dev/shm does not do it (a 16 MiB copy after the settle: 31-35 ms after one, 6-8 ms
      // after a
      // scratch in the work directory, as after a step that freed its own output on that file
      // system)
      warm(work, Math.max(64L << 20, 4 * changedBytes));
    } else if (!SMALL_WRITES.contains(step)) {
      warm(Path.of("/dev/shm"), prefaultBytes);
    }
    if (previousRep != null) {
      for (String name : OUTPUTS.getOrDefault(step, List.of())) {
        sh(
            "rm",
            "-rf",
            previousRep.resolve(name).toString()); // the same step's last output, untimed
      }
    }
    long t0 = System.nanoTime();
    T result = body.run();
    double s = (System.nanoTime() - t0) / 1e9;
    long bytes = output == null ? 0 : du(output);
    seconds.computeIfAbsent(step, k -> new ArrayList<>()).add(s);
    if (output != null) {
      sizes.put(step, bytes);
    }
    csv.add(step + "," + rep + "," + String.format(Locale.ROOT, "%.3f", s) + "," + bytes);
    System.err.printf(Locale.ROOT, "  rep %d %-20s %7.3f s%n", rep, step, s);
    return result;
  }

  /**
   * Writes and deletes {@code bytes} in {@code dir}, so the step after it finds warm free memory.
   */
  private void warm(Path dir, long bytes) throws IOException {
    if (bytes == 0 || !Files.isDirectory(dir)) {
      return;
    }
    Path scratch = dir.resolve("coffer-race-prefault");
    java.nio.ByteBuffer block = prefaultBlock;
    try (var ch =
        java.nio.channels.FileChannel.open(
            scratch,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long done = 0; done < bytes; done += block.capacity()) {
        block.clear();
        while (block.hasRemaining()) {
          ch.write(block);
        }
      }
    } finally {
      Files.deleteIfExists(scratch);
    }
  }

  private static long du(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return Files.size(p);
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private void report(int reps) throws IOException {
    long datasetBytes = du(dataset);
    List<String> heap =
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-Xm") || a.contains("PreTouch"))
            .toList();
    System.out.printf(
        Locale.ROOT,
        "%nDataset %s: %,d bytes in %,d files; %d repetitions; in-process Coffer on %s %s"
            + " (%s); incremental after changing %d files (%,d bytes in them)%n%n",
        dataset,
        datasetBytes,
        totalFiles,
        reps,
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        String.join(" ", heap),
        changedFiles,
        changedBytes);
    System.out.println("| step | median s | first s | MB/s | output MB |");
    System.out.println("| --- | ---: | ---: | ---: | ---: |");
    for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
      double m = median(e.getValue());
      Long size = sizes.get(e.getKey());
      System.out.printf(
          Locale.ROOT,
          "| %s | %.3f | %.3f | %.0f | %s |%n",
          e.getKey(),
          m,
          e.getValue().get(0),
          datasetBytes / m / 1e6,
          size == null ? "" : String.format(Locale.ROOT, "%.1f", size / 1e6));
    }
    System.out.println();
    System.out.println("| ratio (medians) | measured | target |");
    System.out.println("| --- | ---: | ---: |");
    ratio("local backup", "cp backup", "1.15");
    ratio("local restore", "cp backup", "1.25");
    ratio("local verify", "cat read", "1.15");
    ratio("local incremental", "local backup", "0.10");
    ratio("cp -al link tree", "local backup", "(floor)");
    ratio("local incremental", "cp -al link tree", "");
    ratio("archive backup", "tarzstd backup", "1.00");
    ratio("archive backup", "restic backup", "< 1.00");
    ratio("archive restore", "tarzstd restore", "1.00");
    if (sizes.containsKey("archive backup") && sizes.containsKey("tarzstd backup")) {
      System.out.printf(
          Locale.ROOT,
          "| archive size / tar.zst.enc size | %.3fx | 1.05 |%n",
          (double) sizes.get("archive backup") / sizes.get("tarzstd backup"));
    }
  }

  private void ratio(String a, String b, String target) {
    if (seconds.containsKey(a) && seconds.containsKey(b)) {
      System.out.printf(
          Locale.ROOT,
          "| %s / %s | %.2fx | %s |%n",
          a,
          b,
          median(seconds.get(a)) / median(seconds.get(b)),
          target);
    }
  }

  private static String quote(Path p) {
    return "'" + p.toString().replace("'", "'\\''") + "'";
  }

  private static int shell(String command) throws IOException, InterruptedException {
    return new ProcessBuilder("bash", "-o", "pipefail", "-c", command)
        .inheritIO()
        .start()
        .waitFor();
  }

  private static Object bash(String command) throws IOException, InterruptedException {
    int rc = shell(command);
    if (rc != 0) {
      throw new IOException("`" + command + "` exited with " + rc);
    }
    return null;
  }

  private static Object sh(String... command) throws IOException, InterruptedException {
    int rc = new ProcessBuilder(command).inheritIO().start().waitFor();
    if (rc != 0) {
      throw new IOException(String.join(" ", command) + " exited with " + rc);
    }
    return null;
  }
}
