package dev.coffer.store;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A write held part-way through its source while {@link StoreChecks} looks at the store (rules S3
 * and S4), and the bounded wait for a store operation on another thread. Its waits end after {@link
 * #WAIT_SECONDS}: a store that hangs fails its check instead of hanging the suite.
 */
final class HeldWrite {

  /** The longest wait for a store operation on another thread. */
  static final long WAIT_SECONDS = 120;

  private HeldWrite() {}

  /** A check run while a write is held part-way. */
  @FunctionalInterface
  interface Check {
    void run() throws IOException;
  }

  /**
   * Starts a write that stops part-way through its source, runs {@code during}, then lets it
   * finish.
   */
  static void run(ObjectStore store, String key, byte[] data, WriteMode mode, Check during)
      throws IOException, InterruptedException {
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<Long> write =
          writer.submit(
              () ->
                  store.write(
                      key,
                      new StoreSources.GatedStream(data, data.length * 3 / 4, reached, release),
                      mode));
      if (!reached.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        write.cancel(true);
        throw new IOException(
            "the writer of " + key + " did not read its source within " + WAIT_SECONDS + " s");
      }
      try {
        during.run();
      } finally {
        release.countDown();
      }
      await(write);
    } finally {
      writer.shutdownNow();
    }
  }

  static <T> T await(Future<T> f) throws IOException, InterruptedException {
    try {
      return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AssertionError a) {
        throw a;
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(cause);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new IOException("a store operation did not finish within " + WAIT_SECONDS + " s", e);
    }
  }
}
