package dev.coffer.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Coffer as a host database runs it: one long-lived JVM that takes timed backup and restore steps
 * through the public API, one request per line on standard input, for {@code
 * benchmarks/incremental.sh}'s {@code archive-warm} tools (issue 18's in-process figures, beside
 * the whole-process ones of the CLI). Each step opens the repository, runs, and closes it; its
 * time, the process's CPU time and the heap's peak are measured around that.
 *
 * <pre>
 * backup  TAB url TAB key-file TAB source TAB base-id or -   ->  ok TAB seconds TAB cpu TAB heap-MiB TAB id
 * restore TAB url TAB key-file TAB backup-id TAB target      ->  ok TAB seconds TAB cpu TAB heap-MiB TAB id
 * anything that fails                                        ->  error TAB message
 * </pre>
 *
 * The heap figure is the step's peak of heap in use: the largest heap occupancy any collection
 * during the step found before it ran (as the CLI runs read it from their {@code -Xlog:gc} logs),
 * or the occupancy at the step's start or end if larger.
 */
public final class WarmCoffer {

  private WarmCoffer() {}

  /**
   * Serves requests until standard input ends.
   *
   * @param args none
   * @throws IOException if standard input cannot be read
   */
  public static void main(String[] args) throws IOException {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(WarmCoffer::collected, null, null);
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      try {
        out.println(step(line.split("\t", -1)));
      } catch (IOException | RuntimeException e) {
        out.println("error\t" + String.valueOf(e).replace('\t', ' ').replace('\n', ' '));
      }
    }
  }

  /**
   * The step's peak heap in use, in bytes (collections raise it from their notification thread).
   */
  private static final AtomicLong PEAK_HEAP = new AtomicLong();

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** A collection: the heap pools' occupancy before it ran is a candidate for the peak. */
  private static void collected(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GcInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
    long before = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = info.getMemoryUsageBeforeGc().get(pool.getName());
      if (pool.getType() == MemoryType.HEAP && u != null) {
        before += u.getUsed();
      }
    }
    PEAK_HEAP.accumulateAndGet(before, Math::max);
  }

  private static String step(String[] r) throws IOException {
    if (r.length != 5 || !(r[0].equals("backup") || r[0].equals("restore"))) {
      throw new IllegalArgumentException("not a request: " + String.join(" ", r));
    }
    PEAK_HEAP.set(heapUsed());
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    String id;
    try (BackupRepository repo = BackupProviders.open(r[1], Map.of("key-file", r[2]))) {
      if (r[0].equals("backup")) {
        Path source = Path.of(r[3]);
        BackupRequest request =
            r[4].equals("-")
                ? BackupRequest.full(source)
                : BackupRequest.incremental(source, BackupId.of(r[4]));
        BackupMetadata m = repo.backup(request);
        id = m.id().value();
      } else {
        repo.restore(RestoreRequest.of(BackupId.of(r[3]), Path.of(r[4])));
        id = r[3];
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    long peak = PEAK_HEAP.accumulateAndGet(heapUsed(), Math::max);
    return String.format(Locale.ROOT, "ok\t%.3f\t%.2f\t%d\t%s", seconds, cpu, peak >> 20, id);
  }
}
