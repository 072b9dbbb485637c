package dev.coffer.archive;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * N workers, results in order: tasks run on a pool and their results are taken in submission order.
 * When the caller must wait for the oldest result, it runs the tasks no pool thread has started yet
 * itself (caller runs), so on a small machine no core idles behind the ordered output; a {@link
 * FutureTask} runs once, so a pool thread that takes it later finds it done. The one such stage of
 * the archive writer (blocks, in {@link ArchiveWriter}) and of its frame stage (chunks, in {@link
 * ChunkedOutput}); why caller-runs: docs/benchmarks.md, "Ordered output with caller-runs". Used by
 * one thread; instances own nothing but their queue: the pool belongs to the operation and is
 * shared by both stages and the reader's read-ahead. Not in {@code dev.coffer.spi.support}: the
 * local provider's copy cannot use such a stage (see its {@code ParallelCopy}), so it has one user.
 *
 * @param <T> the result type
 */
final class OrderedPoolTasks<T> {

  private final ExecutorService pool;
  private final ArrayDeque<Future<T>> queue = new ArrayDeque<>();

  OrderedPoolTasks(ExecutorService pool) {
    this.pool = pool;
  }

  /** Queues {@code task} on the pool; its result comes out after every result queued before it. */
  void submit(Callable<T> task) {
    FutureTask<T> f = new FutureTask<>(task);
    pool.execute(f);
    queue.add(f);
  }

  /** Queues a result already at hand, in order with the tasks. */
  void add(T done) {
    queue.add(CompletableFuture.completedFuture(done));
  }

  int size() {
    return queue.size();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /**
   * The oldest result: until it is done, runs pending tasks (oldest first) on this thread instead
   * of waiting.
   *
   * @throws IOException the task's own {@code IOException}, or an {@link InterruptedIOException}
   */
  T next() throws IOException {
    Future<T> head = queue.peek();
    for (Future<T> f : queue) {
      if (head.isDone()) {
        break;
      }
      if (f instanceof FutureTask<T> t && !t.isDone()) {
        t.run();
      }
    }
    return await(queue.poll());
  }

  /** Waits for a pool task, turning its failure into the caller's exception. */
  static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing an archive");
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /**
   * Throws a worker's failure as the caller's own: an {@code IOException}, {@code RuntimeException}
   * or {@code Error} as itself, anything else wrapped in an {@code IOException}.
   */
  static IOException rethrow(Throwable failure) throws IOException {
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    throw new IOException(failure);
  }
}
