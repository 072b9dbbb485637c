package dev.coffer.archive;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pools one backup, restore or verify owns: daemon threads, shut down by the operation that
 * made them.
 */
final class Workers {

  private Workers() {}

  /** A fixed pool of {@code threads} daemon threads named {@code coffer-archive-N}. */
  static ExecutorService newPool(int threads) {
    return Executors.newFixedThreadPool(threads, daemonThreads());
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "coffer-archive-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
