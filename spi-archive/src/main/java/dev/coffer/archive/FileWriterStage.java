package dev.coffer.archive;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The write stage of a restore: one thread that creates the restored files, writes their blocks and
 * sets their times, while the calling thread authenticates, decompresses and hashes the next ones.
 * Creating a file and writing it are system calls that cost as much as decoding on a virtual disk,
 * so overlapping the two nearly halves a restore on two cores.
 *
 * <p>The calling thread hands over whole blocks (never reused afterwards) through a bounded queue,
 * so at most {@link #QUEUE_BLOCKS} blocks (1 MiB each at most) wait in memory. The first failure of
 * the write thread is thrown by the next call of the calling thread; {@link #close()} always stops
 * the thread and closes the open file, so the staging directory can be removed.
 */
final class FileWriterStage implements AutoCloseable {

  /** Blocks that may wait for the write thread. */
  static final int QUEUE_BLOCKS = 16;

  private sealed interface Op permits Open, Data, Finish, End {}

  private record Open(Path file, FileAttribute<?>[] attributes) implements Op {}

  private record Data(byte[] bytes) implements Op {}

  private record Finish(Path file, long mtimeMillis) implements Op {}

  private record End() implements Op {}

  private static final Set<OpenOption> CREATE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

  /** Where the stage creates files and sets their times. */
  interface Target {
    /** Creates {@code file} ({@code CREATE_NEW}, links not followed) with {@code attributes}. */
    SeekableByteChannel create(Path file, FileAttribute<?>[] attributes) throws IOException;

    /** Sets the last-modified time of {@code file}. */
    void setLastModifiedTime(Path file, FileTime time) throws IOException;
  }

  /** Files created and timed by their names. */
  static final Target BY_NAME =
      new Target() {
        @Override
        public SeekableByteChannel create(Path file, FileAttribute<?>[] attributes)
            throws IOException {
          return Files.newByteChannel(file, CREATE, attributes);
        }

        @Override
        public void setLastModifiedTime(Path file, FileTime time) throws IOException {
          Files.setLastModifiedTime(file, time);
        }
      };

  private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(QUEUE_BLOCKS);
  private final Target target;
  private final Thread thread;
  private volatile Throwable failure;
  private volatile boolean ended;
  private SeekableByteChannel current; // the write thread's only

  FileWriterStage() {
    this(BY_NAME);
  }

  /** A stage that creates files through {@code target} (a restore: its staging directory). */
  FileWriterStage(Target target) {
    this.target = target;
    thread = new Thread(this::loop, "coffer-restore-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Creates {@code file} ({@code CREATE_NEW}, links not followed) with {@code attributes}; its data
   * follows.
   */
  void open(Path file, FileAttribute<?>... attributes) throws IOException {
    put(new Open(file, attributes));
  }

  /** Appends a block to the open file; the array must not be changed afterwards. */
  void write(byte[] block) throws IOException {
    put(new Data(block));
  }

  /** Closes the open file and sets its last-modified time. */
  void finish(Path file, long mtimeMillis) throws IOException {
    put(new Finish(file, mtimeMillis));
  }

  /**
   * Waits until everything handed over is written, then rethrows the write thread's failure if any.
   */
  void await() throws IOException {
    put(new End());
    join();
    rethrow();
  }

  /** Stops the write thread (dropping what it has not written) and closes the open file. */
  @Override
  public void close() throws IOException {
    stop();
    join();
  }

  /** Tells the write thread to end at once: what waits in the queue is dropped. */
  private void stop() {
    ended = true;
    queue.clear();
    queue.offer(new End());
  }

  private void put(Op op) throws IOException {
    rethrow();
    try {
      while (!queue.offer(op, 100, TimeUnit.MILLISECONDS)) {
        rethrow();
        if (!thread.isAlive()) {
          throw new IOException("the restore's write thread stopped");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while restoring");
    }
  }

  private void join() {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        stop();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void rethrow() throws IOException {
    Throwable t = failure;
    if (t != null) {
      throw OrderedPoolTasks.rethrow(t);
    }
  }

  private void loop() {
    try {
      while (true) {
        Op op = queue.take();
        if (op instanceof End || ended) {
          break;
        }
        if (op instanceof Open o) {
          current = target.create(o.file(), o.attributes());
        } else if (op instanceof Data d) {
          ByteBuffer bb = ByteBuffer.wrap(d.bytes());
          while (bb.hasRemaining()) {
            current.write(bb);
          }
        } else if (op instanceof Finish f) {
          SeekableByteChannel c = current;
          current = null;
          c.close();
          target.setLastModifiedTime(f.file(), FileTime.fromMillis(f.mtimeMillis()));
        }
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      if (current != null) {
        try {
          current.close();
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          }
        }
        current = null;
      }
    }
  }
}
