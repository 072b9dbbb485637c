package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrderedTasksTest {

  @Test
  void results_comeInSubmissionOrder_evenWhenALaterStepFinishesFirst() throws Exception {
    CountDownLatch secondDone = new CountDownLatch(1);
    try (OrderedTasks<String> tasks = new OrderedTasks<>("test", 2, 4)) {
      tasks.submit(
          () -> {
            await(secondDone); // the first step cannot finish before the second
            return "first";
          });
      tasks.submit(
          () -> {
            secondDone.countDown();
            return "second";
          });
      assertEquals(List.of("first", "second"), List.of(tasks.next(), tasks.next()));
      assertEquals(0, tasks.pending());
    }
  }

  @Test
  void aFullQueue_makesTheSubmitterRunTheStepItself() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread caller = Thread.currentThread();
    List<Thread> ranOn = new ArrayList<>();
    try (OrderedTasks<Thread> tasks = new OrderedTasks<>("test", 1, 1)) {
      tasks.submit(
          () -> {
            await(release); // occupies the only worker
            return Thread.currentThread();
          });
      tasks.submit(Thread::currentThread); // waits in the queue of one
      tasks.submit(Thread::currentThread); // no room: runs here, now
      assertTrue(tasks.pending() == 3);
      release.countDown();
      for (int i = 0; i < 3; i++) {
        ranOn.add(tasks.next());
      }
    }
    assertTrue(ranOn.get(0) != caller, "the first step ran on a worker");
    assertSame(
        caller, ranOn.get(2), "the step that found the queue full ran on the submitting thread");
  }

  @Test
  void aStepsIOException_isRethrownAsItself() {
    IOException failure = new IOException("disk full");
    try (OrderedTasks<String> tasks = new OrderedTasks<>("test", 2, 2)) {
      tasks.submit(() -> "fine");
      tasks.submit(
          () -> {
            throw failure;
          });
      assertEquals("fine", assertDoesNotThrowIo(tasks));
      assertSame(failure, assertThrows(IOException.class, tasks::next));
    }
  }

  @Test
  void aStepsRuntimeException_isRethrownAsItself_alsoWithoutWorkers() {
    IllegalStateException failure = new IllegalStateException("bad state");
    try (OrderedTasks<String> tasks = new OrderedTasks<>("test", 0, 1)) {
      tasks.submit(
          () -> {
            throw failure;
          });
      assertTrue(tasks.hasDone(), "without workers a step runs at submission");
      assertSame(failure, assertThrows(IllegalStateException.class, tasks::next));
    }
  }

  @Test
  void aStepsOwnUncheckedIOException_staysUnchecked() {
    java.io.UncheckedIOException failure =
        new java.io.UncheckedIOException(new IOException("inner"));
    try (OrderedTasks<String> tasks = new OrderedTasks<>("test", 1, 1)) {
      tasks.submit(
          () -> {
            throw failure;
          });
      assertSame(failure, assertThrows(java.io.UncheckedIOException.class, tasks::next));
    }
  }

  @Test
  void submitAfterClose_isRefused() {
    OrderedTasks<String> tasks = new OrderedTasks<>("test", 1, 1);
    tasks.close();
    assertThrows(IllegalStateException.class, () -> tasks.submit(() -> "late"));
  }

  @Test
  void badSizes_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new OrderedTasks<String>("test", -1, 1));
    assertThrows(IllegalArgumentException.class, () -> new OrderedTasks<String>("test", 1, 0));
  }

  private static String assertDoesNotThrowIo(OrderedTasks<String> tasks) {
    try {
      return tasks.next();
    } catch (IOException e) {
      throw new AssertionError("the first step did not fail", e);
    }
  }

  private static void await(CountDownLatch latch) throws IOException {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IOException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
