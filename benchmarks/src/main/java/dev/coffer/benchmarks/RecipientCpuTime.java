package dev.coffer.benchmarks;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The companion of {@link RecipientBenchmark} for a machine shared with other work: full format-2
 * backups of one Jimfs tree, symmetric and recipient mode interleaved backup by backup in one JVM,
 * timed by the process's CPU time as well as the wall clock, since CPU time is little moved by
 * other processes competing for the cores. Prints medians and minima per mode; the first three
 * rounds warm the JIT and are not counted.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.coffer.benchmarks.RecipientCpuTime
 * <tree MiB> <rounds>}
 */
public final class RecipientCpuTime {

  private static final int WARM_ROUNDS = 3;

  private RecipientCpuTime() {}

  /**
   * Runs the comparison.
   *
   * @param args the tree size in MiB and the number of rounds (each one backup per mode)
   * @throws IOException if a backup fails
   */
  public static void main(String[] args) throws IOException {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    int megabytes = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path work = Files.createDirectories(fs.getPath("/bench"));
      Path tree = work.resolve("source");
      DatabaseTree.generate(tree, megabytes * (1L << 20));
      Path recipients = RecipientBenchmark.twoRecipients(work);
      Map<RecipientBenchmark.KeyMode, Map<String, String>> options =
          Map.of(
              RecipientBenchmark.KeyMode.SYMMETRIC,
              Map.of("format", "2", "key", HexFormat.of().formatHex(AeadKind.KEY)),
              RecipientBenchmark.KeyMode.RECIPIENTS,
              Map.of("format", "2", "recipients-file", recipients.toString()));
      Map<RecipientBenchmark.KeyMode, List<double[]>> times = new TreeMap<>();
      for (int i = 0; i < rounds; i++) {
        for (RecipientBenchmark.KeyMode mode : RecipientBenchmark.KeyMode.values()) {
          Path repo = work.resolve("repo-" + i + "-" + mode);
          try (BackupRepository r = BackupProviders.open("archive", repo, options.get(mode))) {
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            r.backup(tree);
            double[] t = {(os.getProcessCpuTime() - cpu) / 1e6, (System.nanoTime() - wall) / 1e6};
            if (i >= WARM_ROUNDS) {
              times.computeIfAbsent(mode, k -> new ArrayList<>()).add(t);
            }
          }
          FileTrees.deleteRecursively(repo);
        }
      }
      for (Map.Entry<RecipientBenchmark.KeyMode, List<double[]>> e : times.entrySet()) {
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        e.getValue().forEach(t -> cpu.add(t[0]));
        e.getValue().forEach(t -> wall.add(t[1]));
        Collections.sort(cpu);
        Collections.sort(wall);
        System.out.printf(
            "%-10s n=%d  CPU median %.0f ms (min %.0f)  wall median %.0f ms (min %.0f)%n",
            e.getKey(),
            cpu.size(),
            cpu.get(cpu.size() / 2),
            cpu.get(0),
            wall.get(wall.size() / 2),
            wall.get(0));
      }
    }
  }
}
