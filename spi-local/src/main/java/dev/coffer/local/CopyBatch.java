package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;

import dev.coffer.local.ParallelCopy.FileDone;
import dev.coffer.local.ParallelCopy.InFile;
import dev.coffer.local.ParallelCopy.Job;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * One {@link ParallelCopy#run} call: the files cut into ranges, the workers that take the ranges in
 * order from one counter, and the calling thread's wait for each file in order. The first failure
 * stops every worker; {@link #run} returns only after they have stopped and every channel is
 * closed.
 */
final class CopyBatch {

  /** How often the calling thread looks at the progress of a file that takes long. */
  private static final long REPORT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** The result of a backup copy whose source was gone: nothing stored. */
  private static final Checksums.Sums GONE = new Checksums.Sums(0, 0, -1);

  /** One file's state; guarded by the batch lock except for the atomic counter. */
  private static final class FileState {
    final Job job;
    final int ranges;
    final long[] rangeCrc32c;
    final long[] rangeCrc32;
    final long[] rangeSize;
    final AtomicLong copied = new AtomicLong();
    FileChannel in;
    FileChannel out;
    boolean opened;
    boolean closed;
    boolean shrank;
    int finished;
    Checksums.Sums result;

    FileState(Job job) {
      this.job = job;
      long hint = Math.max(0, job.sizeHint());
      // a copy is one range (two threads writing one file contend: docs/benchmarks.md); reads share
      // big files
      int range = ParallelCopy.RANGE_BYTES;
      this.ranges = job.target() != null ? 1 : (int) Math.max(1, (hint + range - 1) / range);
      this.rangeCrc32c = new long[ranges];
      this.rangeCrc32 = new long[ranges];
      this.rangeSize = new long[ranges];
    }
  }

  private final boolean fsync;
  private final BufferPool buffers;
  private final ParallelCopy.Targets targets;
  private final FileState[] files;
  private final int[] rangeFile;
  private final int[] rangeIndex;
  private final AtomicInteger next = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final long largestHint;
  private volatile boolean stopped;
  private Throwable failure; // guarded by lock

  CopyBatch(List<Job> jobs, boolean fsync, BufferPool buffers, ParallelCopy.Targets targets) {
    this.fsync = fsync;
    this.buffers = buffers;
    this.targets = targets;
    this.files = new FileState[jobs.size()];
    int total = 0;
    long largest = 0;
    for (int i = 0; i < files.length; i++) {
      files[i] = new FileState(jobs.get(i));
      total += files[i].ranges;
      largest = Math.max(largest, files[i].job.sizeHint());
    }
    this.largestHint = largest;
    this.rangeFile = new int[total];
    this.rangeIndex = new int[total];
    int k = 0;
    for (int i = 0; i < files.length; i++) {
      for (int r = 0; r < files[i].ranges; r++) {
        rangeFile[k] = i;
        rangeIndex[k] = r;
        k++;
      }
    }
  }

  void run(int threads, InFile inFile, FileDone done) throws IOException {
    int workers = Math.max(1, Math.min(threads, rangeFile.length));
    List<Thread> started = new ArrayList<>(workers);
    try {
      for (int t = 0; t < workers; t++) {
        Thread worker = new Thread(this::work, "coffer-local-copy-" + t);
        worker.setDaemon(true);
        worker.start();
        started.add(worker);
      }
      for (int i = 0; i < files.length; i++) {
        Checksums.Sums sums = awaitFile(i, inFile);
        done.done(i, sums);
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      stopped = true;
      ParallelCopy.joinAll(started, () -> {});
      closeAll();
    }
    rethrow();
  }

  /**
   * Waits for file {@code i}, reporting it at every {@link ParallelCopy#PROGRESS_STEP} bytes below
   * its final size: the same calls for the same files whatever the threads' timing, as a sequential
   * copy makes them.
   */
  private Checksums.Sums awaitFile(int i, InFile inFile) throws IOException, InterruptedException {
    FileState f = files[i];
    long next = ParallelCopy.PROGRESS_STEP;
    Checksums.Sums result;
    while (true) {
      lock.lock();
      try {
        if (failure != null) {
          throw new Aborted();
        }
        result = f.result;
        if (result == null) {
          changed.awaitNanos(REPORT_NANOS);
        }
      } finally {
        lock.unlock();
      }
      if (result != null) {
        break;
      }
      for (long now = f.copied.get(); now >= next; next += ParallelCopy.PROGRESS_STEP) {
        inFile.bytes(i, next);
      }
    }
    for (; next < result.size(); next += ParallelCopy.PROGRESS_STEP) {
      inFile.bytes(i, next);
    }
    return result;
  }

  private void work() {
    ByteBuffer buffer = buffers.buffer(largestHint);
    try {
      int k;
      while (!stopped && (k = next.getAndIncrement()) < rangeFile.length) {
        copyRange(files[rangeFile[k]], rangeIndex[k], buffer);
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      buffers.release(buffer); // this thread's last use of it
    }
  }

  private void copyRange(FileState f, int r, ByteBuffer buffer) throws IOException {
    SourceRead read = f.job.read();
    if (read != null && !read.before(f.job.source())) {
      publish(f, GONE);
      return;
    }
    try {
      if (!open(f)) {
        return;
      }
    } catch (NoSuchFileException e) {
      if (read == null || f.in != null) {
        throw e;
      }
      read.vanished(); // the source, not the target, is gone
      publish(f, GONE);
      return;
    }
    long start = (long) r * ParallelCopy.RANGE_BYTES;
    boolean last = r == f.ranges - 1;
    long end =
        !last
            ? start + ParallelCopy.RANGE_BYTES
            : f.job.maxBytes() >= 0 ? Math.max(start, f.job.maxBytes() + 1) : Long.MAX_VALUE;
    CRC32C c32c = new CRC32C();
    CRC32 c32 = f.job.crc32() ? new CRC32() : null;
    long pos = start;
    boolean shrank = false;
    while (pos < end && !stopped) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), end - pos));
      int n = f.in.read(buffer, pos);
      if (n < 0) {
        shrank = !last;
        break;
      }
      buffer.flip();
      Checksums.update(c32c, c32, buffer);
      if (f.out != null) {
        long at = pos;
        while (buffer.hasRemaining()) {
          at += f.out.write(buffer, at);
        }
      }
      pos += n;
      f.copied.addAndGet(n);
    }
    if (stopped) {
      return;
    }
    boolean lastToFinish;
    lock.lock();
    try {
      f.rangeCrc32c[r] = c32c.getValue();
      f.rangeCrc32[r] = c32 == null ? -1 : c32.getValue();
      f.rangeSize[r] = pos - start;
      f.shrank |= shrank;
      f.finished++;
      lastToFinish = f.finished == f.ranges;
    } finally {
      lock.unlock();
    }
    if (lastToFinish) {
      finish(f, buffer);
    }
  }

  /** Opens a file's channels once; false when the batch failed before they could be. */
  private boolean open(FileState f) throws IOException {
    lock.lock();
    try {
      if (!f.opened) {
        f.opened = true;
        f.in = FileChannel.open(f.job.source(), READ, NOFOLLOW_LINKS);
        if (f.job.target() != null) {
          f.out = targets.create(f.job.target(), f.job.create());
        }
      }
      return f.in != null && (f.job.target() == null || f.out != null);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Run by the worker that finished a file's last range: redo if it shrank, force, close, publish.
   */
  private void finish(FileState f, ByteBuffer buffer) throws IOException {
    Checksums.Sums sums;
    if (f.shrank) {
      if (f.out != null) {
        f.out.truncate(0);
        f.out.position(0);
      }
      f.in.position(0);
      sums = Checksums.copy(f.in, f.out, buffer, n -> f.copied.set(n), f.job.crc32());
    } else {
      long size = f.rangeSize[0];
      long crc32c = f.rangeCrc32c[0];
      long crc32 = f.rangeCrc32[0];
      for (int r = 1; r < f.ranges; r++) {
        crc32c = Checksums.combineC(crc32c, f.rangeCrc32c[r], f.rangeSize[r]);
        if (f.job.crc32()) {
          crc32 = Checksums.combine(crc32, f.rangeCrc32[r], f.rangeSize[r]);
        }
        size += f.rangeSize[r];
      }
      sums = new Checksums.Sums(size, crc32c, f.job.crc32() ? crc32 : -1);
    }
    if (f.job.read() != null) {
      sums = checked(f, sums, buffer);
    }
    if (sums == GONE) {
      close(f);
      Files.deleteIfExists(f.job.target());
    } else {
      if (fsync && f.out != null) {
        f.out.force(true);
      }
      close(f);
    }
    publish(f, sums);
  }

  /**
   * Completes a backup copy's check (rule P34) and copies the source again from its start while the
   * policy asks to: returns the sums of the read that is kept, or {@link #GONE}.
   */
  private Checksums.Sums checked(FileState f, Checksums.Sums first, ByteBuffer buffer)
      throws IOException {
    SourceRead read = f.job.read();
    Checksums.Sums sums = first;
    while (read.readAgain(sums.size())) {
      f.in.close();
      if (!read.before(f.job.source())) {
        return GONE;
      }
      FileChannel in;
      try {
        in = FileChannel.open(f.job.source(), READ, NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        read.vanished();
        return GONE;
      }
      lock.lock();
      try {
        f.in = in;
      } finally {
        lock.unlock();
      }
      f.copied.set(0);
      f.out.truncate(0);
      f.out.position(0);
      sums = Checksums.copy(f.in, f.out, buffer, n -> f.copied.set(n), f.job.crc32());
    }
    return sums;
  }

  private void publish(FileState f, Checksums.Sums sums) {
    lock.lock();
    try {
      f.result = sums;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void fail(Throwable t) {
    stopped = true;
    lock.lock();
    try {
      if (t instanceof Aborted) {
        return;
      }
      if (failure == null) {
        failure = t;
      } else if (failure != t) {
        failure.addSuppressed(t);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void closeAll() {
    for (FileState f : files) {
      try {
        close(f);
      } catch (IOException e) {
        fail(e);
      }
    }
  }

  private void close(FileState f) throws IOException {
    FileChannel in;
    FileChannel out;
    lock.lock();
    try {
      if (f.closed || !f.opened) {
        return;
      }
      f.closed = true;
      in = f.in;
      out = f.out;
    } finally {
      lock.unlock();
    }
    try {
      if (out != null) {
        out.close();
      }
    } finally {
      if (in != null) {
        in.close();
      }
    }
  }

  private void rethrow() throws IOException {
    Throwable t;
    lock.lock();
    try {
      t = failure;
    } finally {
      lock.unlock();
    }
    if (t == null) {
      return;
    }
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof UncheckedIOException e) {
      throw e.getCause();
    }
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      InterruptedIOException e = new InterruptedIOException("interrupted while copying files");
      e.initCause(t);
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IOException(t);
  }

  /** Thrown inside the calling thread's wait when a worker has already failed; never escapes. */
  private static final class Aborted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Aborted() {
      super(null, null, false, false);
    }
  }
}
