package dev.coffer.spi.support;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent steps on a few worker threads while their results are consumed in the order the
 * steps were submitted: the shape of a pipeline that compresses or checks chunks in parallel and
 * writes them in sequence. When every worker is busy and {@code queued} steps wait, the submitting
 * thread runs the next step itself, so a fast producer is slowed to the workers' pace instead of
 * filling memory. A failed step's exception is rethrown by {@link #next()} as it was thrown ({@link
 * IOException}, {@link RuntimeException} or {@link Error}), not wrapped in an {@link
 * ExecutionException}.
 *
 * <pre>{@code
 * try (OrderedTasks<byte[]> tasks = new OrderedTasks<>("compress", 2, 4)) {
 *   for (byte[] chunk : chunks) {
 *     tasks.submit(() -> compress(chunk));
 *     while (tasks.hasDone()) out.write(tasks.next());
 *   }
 *   while (tasks.pending() > 0) out.write(tasks.next());
 * }
 * }</pre>
 *
 * <p>One thread submits and consumes; the workers are daemon threads owned by this instance and
 * stopped by {@link #close()}. Not safe for several submitting threads.
 *
 * @param <T> what a step returns
 */
public final class OrderedTasks<T> implements AutoCloseable {

  /**
   * One step.
   *
   * @param <T> what it returns
   */
  @FunctionalInterface
  public interface Step<T> {
    /**
     * Runs the step.
     *
     * @return its result
     * @throws IOException if it fails
     */
    T run() throws IOException;
  }

  /** Carries a step's IOException through the FutureTask, which only passes unchecked ones. */
  private static final class StepFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient IOException io;

    StepFailure(IOException io) {
      super(io);
      this.io = io;
    }
  }

  private final ThreadPoolExecutor pool;
  private final Deque<Future<T>> pending = new ArrayDeque<>();

  /**
   * Starts the workers.
   *
   * @param name the workers' thread name prefix, for thread dumps
   * @param workers how many worker threads; 0 runs every step on the submitting thread
   * @param queued how many submitted steps may wait for a worker before the submitter runs one
   *     itself; at least 1
   * @throws IllegalArgumentException if {@code workers} is negative or {@code queued} is below 1
   */
  public OrderedTasks(String name, int workers, int queued) {
    if (workers < 0 || queued < 1) {
      throw new IllegalArgumentException(
          "workers must be 0 or more and queued 1 or more: " + workers + ", " + queued);
    }
    AtomicInteger counter = new AtomicInteger();
    this.pool =
        workers == 0
            ? null
            : new ThreadPoolExecutor(
                workers,
                workers,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queued),
                r -> {
                  Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
  }

  /**
   * Submits a step; it runs on a worker, or on this thread when the workers and their queue are
   * full.
   *
   * @param step the step
   * @throws IllegalStateException if this instance is closed
   */
  public void submit(Step<T> step) {
    FutureTask<T> task =
        new FutureTask<>(
            () -> {
              try {
                return step.run();
              } catch (IOException e) {
                throw new StepFailure(
                    e); // unwrapped in next(); a step's own UncheckedIOException stays as it is
              }
            });
    if (pool == null) {
      task.run();
    } else if (pool.isShutdown()) {
      throw new IllegalStateException("ordered tasks are closed");
    } else {
      pool.execute(task);
    }
    pending.addLast(task);
  }

  /**
   * How many submitted steps have not been consumed by {@link #next()}.
   *
   * @return the count
   */
  public int pending() {
    return pending.size();
  }

  /**
   * Whether the oldest unconsumed step has finished, so {@link #next()} returns without waiting.
   *
   * @return true when a result is ready
   */
  public boolean hasDone() {
    return !pending.isEmpty() && pending.peekFirst().isDone();
  }

  /**
   * Waits for the oldest unconsumed step and returns its result.
   *
   * @return the result
   * @throws java.util.NoSuchElementException if nothing is pending
   * @throws IOException the step's own {@link IOException}; an {@link InterruptedIOException} if
   *     this thread is interrupted while waiting
   * @throws RuntimeException the step's own runtime exception
   */
  public T next() throws IOException {
    Future<T> first = pending.removeFirst();
    try {
      return first.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      first.cancel(true);
      throw new InterruptedIOException("interrupted while waiting for an ordered task");
    } catch (CancellationException e) {
      throw new InterruptedIOException("an ordered task was cancelled");
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  private static IOException unwrap(Throwable cause) {
    if (cause instanceof StepFailure f) {
      return f.io;
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new IOException(cause);
  }

  /** Cancels the steps not yet consumed, interrupting running ones, and stops the workers. */
  @Override
  public void close() {
    for (Future<T> f : pending) {
      f.cancel(true);
    }
    pending.clear();
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
