package dev.coffer.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.List;
import java.util.Set;

/**
 * Copies (or only reads) a batch of files on several threads, checksumming every byte as it passes.
 *
 * <p>{@link CopyBatch} does the work of one call. Worker threads take files in batch order and move
 * each through their own direct buffer with positional reads and writes, updating CRC32C (and CRC32
 * when a job asks for it) on the same buffer they write, so every byte is read once. A file that is
 * only read (verify) is cut into ranges of {@link #RANGE_BYTES} that several workers read at once;
 * a file that is copied is one range, because two threads writing one file contend in the file
 * system (docs/benchmarks.md, "Performance seams of the local provider"). A file's checksums are
 * combined from its ranges' in order ({@link Checksums#combine}, {@link Checksums#combineC}), so
 * the result equals a sequential pass.
 *
 * <p>A file read in ranges that is shorter than its size hint (it shrank since it was listed) is
 * read again from its start, sequentially; its last range reads to the end of the file, so one that
 * grew is read whole, as a sequential pass would. A copied file is read to its end in one pass.
 *
 * <p>The calling thread does no copying: it hands every finished file to a {@link FileDone}
 * callback in batch order and reports every {@link #PROGRESS_STEP} bytes of a large file to an
 * {@link InFile} callback, so listeners run on the caller's thread only.
 *
 * <p>A backup's copy carries a {@link SourceRead} (rule P34): the worker checks the source's
 * attributes once before it opens it and once after it is read; a file that changed is copied again
 * from its start under {@code changed-files=retry}, and one that is gone is left out (its result
 * has size 0 and its {@link SourceRead#gone()} is true). The first failure (of a worker or of a
 * callback) stops the workers; the call returns only after every worker has stopped and every
 * channel is closed.
 *
 * <p>Not a generic "N workers, results in order" stage (spi-archive's {@code OrderedPoolTasks} is
 * one), whose submitter runs a step itself when the workers are busy and whose steps each return
 * one whole result: here the calling thread never copies (it reports progress within the file it
 * waits for), a file read in ranges is combined from several workers' results, each worker keeps
 * one direct buffer for its life, and a failure stops the workers between reads rather than
 * interrupting them (an interrupt closes the {@code FileChannel} a worker is using).
 */
final class ParallelCopy {

  /**
   * Size of a range: large enough for sequential throughput, small enough to share big files out.
   */
  static final int RANGE_BYTES = 8 << 20;

  /** Bytes between two reports within one file. */
  static final long PROGRESS_STEP = 64L << 20;

  private final BufferPool buffers;
  private final int threads;
  private final boolean fsync;

  /**
   * Copies with at most {@code threads} workers (at least 1), each with a buffer from {@code
   * buffers}, forcing each target to disk before it is reported done when {@code fsync}.
   */
  ParallelCopy(BufferPool buffers, int threads, boolean fsync) {
    this.buffers = buffers;
    this.threads = threads;
    this.fsync = fsync;
  }

  /**
   * Waits for every thread to end, even when interrupted meanwhile (no worker may outlive the call
   * that started it): each interrupt runs {@code onInterrupt}, and the interrupt is restored at the
   * end.
   */
  static void joinAll(List<Thread> threads, Runnable onInterrupt) {
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
          onInterrupt.run();
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One file of a batch.
   *
   * @param source the file to read (opened without following links)
   * @param target the file to create and write, or null to only read
   * @param sizeHint the expected size, used only to cut the file into ranges
   * @param crc32 whether to compute CRC32 beside CRC32C (otherwise the result's CRC32 is -1)
   * @param create the attributes the target is created with (a restore creates files owner-only)
   * @param maxBytes the most bytes the source may hold, or -1 for no limit: a copy stops one byte
   *     past it (so the size check that follows fails) instead of writing a stored file of any size
   * @param read the check of a backed-up source file (rule P34), or null for none; a job with one
   *     is a copy (one range), and a source that changed may be copied again or, gone, left out
   */
  record Job(
      Path source,
      Path target,
      long sizeHint,
      boolean crc32,
      FileAttribute<?>[] create,
      long maxBytes,
      SourceRead read) {

    Job(Path source, Path target, long sizeHint, boolean crc32) {
      this(source, target, sizeHint, crc32, NO_ATTRIBUTES, -1, null);
    }

    Job(Path source, Path target, long sizeHint, boolean crc32, FileAttribute<?>[] create) {
      this(source, target, sizeHint, crc32, create, -1, null);
    }

    Job(
        Path source,
        Path target,
        long sizeHint,
        boolean crc32,
        FileAttribute<?>[] create,
        long maxBytes) {
      this(source, target, sizeHint, crc32, create, maxBytes, null);
    }

    Job(Path source, Path target, long sizeHint, SourceRead read) {
      this(source, target, sizeHint, true, NO_ATTRIBUTES, -1, read);
    }
  }

  private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];

  /** Creates a copy's target file, on a worker thread. */
  @FunctionalInterface
  interface Targets {
    /** Creates and opens {@code target} for writing with {@code create}; never through a link. */
    FileChannel create(Path target, FileAttribute<?>[] create) throws IOException;

    /** Targets created by their names ({@code CREATE_NEW}, so never through a link). */
    Targets BY_NAME =
        (target, create) ->
            FileChannel.open(
                target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), create);
  }

  /** Receives each finished file, in batch order, on the calling thread. */
  @FunctionalInterface
  interface FileDone {
    void done(int index, Checksums.Sums sums) throws IOException;
  }

  /** Receives the bytes copied so far of the file the caller waits for, on the calling thread. */
  @FunctionalInterface
  interface InFile {
    void bytes(int index, long bytesSoFar) throws IOException;
  }

  /**
   * Runs the batch.
   *
   * @param jobs the files, in the order their callbacks are made
   * @param inFile told of progress within a file
   * @param done told of each finished file; throwing aborts the batch
   * @throws IOException the first failure of a worker or callback (later ones suppressed)
   */
  void run(List<Job> jobs, InFile inFile, FileDone done) throws IOException {
    run(jobs, Targets.BY_NAME, inFile, done);
  }

  /**
   * Runs the batch, creating the targets with {@code targets} (a restore creates them through its
   * staging directory's handle).
   *
   * @param jobs the files, in the order their callbacks are made
   * @param targets creates each target file
   * @param inFile told of progress within a file
   * @param done told of each finished file; throwing aborts the batch
   * @throws IOException the first failure of a worker or callback (later ones suppressed)
   */
  void run(List<Job> jobs, Targets targets, InFile inFile, FileDone done) throws IOException {
    if (jobs.isEmpty()) {
      return;
    }
    new CopyBatch(jobs, fsync, buffers, targets).run(threads, inFile, done);
  }
}
