package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The writer's one "N workers, results in order" stage: order, caller runs, failures. */
class OrderedPoolTasksTest {

  @Test
  void results_comeOutInSubmissionOrder_evenWhenLaterTasksFinishFirst() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      OrderedPoolTasks<Integer> tasks = new OrderedPoolTasks<>(pool);
      CountDownLatch lastDone = new CountDownLatch(1);
      tasks.submit(
          () -> {
            lastDone.await(); // the first task finishes only after the last one has
            return 0;
          });
      tasks.add(1);
      tasks.submit(() -> 2);
      tasks.submit(
          () -> {
            lastDone.countDown();
            return 3;
          });
      List<Integer> out = new ArrayList<>();
      while (!tasks.isEmpty()) {
        out.add(tasks.next());
      }
      assertEquals(List.of(0, 1, 2, 3), out);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void next_runsPendingTasksOnTheCallingThread_whenThePoolIsBusy() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try {
      CountDownLatch blocked = new CountDownLatch(1);
      pool.execute(
          () -> {
            blocked.countDown();
            try {
              release.await(); // the pool's only thread is busy until the test ends
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      blocked.await();
      OrderedPoolTasks<Thread> tasks = new OrderedPoolTasks<>(pool);
      tasks.submit(Thread::currentThread);
      tasks.submit(Thread::currentThread);
      assertSame(Thread.currentThread(), tasks.next());
      assertSame(Thread.currentThread(), tasks.next());
      assertTrue(tasks.isEmpty());
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aTasksIOException_isThrownByNext_asItself() {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      OrderedPoolTasks<String> tasks = new OrderedPoolTasks<>(pool);
      IOException failure = new IOException("disk full");
      tasks.submit(
          () -> {
            throw failure;
          });
      assertSame(failure, assertThrows(IOException.class, tasks::next));
    } finally {
      pool.shutdownNow();
    }
  }
}
