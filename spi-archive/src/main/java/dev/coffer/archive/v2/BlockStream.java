package dev.coffer.archive.v2;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The {@code data/} object of one archive as a stream, produced while the store reads it: the
 * reading thread reads the files' blocks in order, workers hash each block and, unless it equals
 * the base's block at the same index, compress and seal it; results are taken back in submission
 * order, so offsets follow the stream. At most {@code 2 * workers} blocks are in flight: memory is
 * bounded by a few blocks per worker whatever the archive's size.
 */
final class BlockStream extends InputStream {

  /** Opens a source file for reading (a seam for tests that count reads). */
  interface FileOpener {
    InputStream open(Path file) throws IOException;
  }

  /**
   * A file's stream that may ask, once it was read to its end and closed, for the file to be read
   * again (its check found a change): the blocks of that read stay in the data object unreferenced,
   * and the file's references restart with the next read.
   */
  interface Rereadable {
    boolean readAgain();
  }

  /**
   * One file to read, with the base's references (already in this archive's chain) to compare with.
   */
  static final class Job {
    final Path file;
    final List<BlockRef> baseRefs;
    final List<BlockRef> refs = new ArrayList<>();
    final FileOpener own; // null: the stream's opener reads the source file
    int generation;

    Job(Path file, List<BlockRef> baseRefs) {
      this(file, baseRefs, null);
    }

    /** A job whose content {@code own} opens (a consolidation's copy of the chain's blocks). */
    Job(Path file, List<BlockRef> baseRefs, FileOpener own) {
      this.file = file;
      this.baseRefs = baseRefs;
      this.own = own;
    }

    long size() {
      long n = 0;
      for (BlockRef r : refs) {
        n += r.rawLength();
      }
      return n;
    }
  }

  private record Result(
      Job job,
      int generation,
      long number,
      byte[] sha256,
      int rawLength,
      byte[] sealed,
      BlockRef base) {}

  private final Iterator<Job> jobs;
  private final FileOpener opener;
  private final ExecutorService pool;
  private final ThreadLocal<BlockSealer> sealers;
  private final int blockSize;
  private final int maxInFlight;
  private final Deque<Future<Result>> inFlight = new ArrayDeque<>();
  private Job current;
  private InputStream currentIn;
  private int currentIndex;
  private long nextNumber;
  private long offset;
  private byte[] buffer = new byte[0];
  private int position;
  private long filesRead;

  BlockStream(
      List<Job> jobs,
      FileOpener opener,
      ExecutorService pool,
      ThreadLocal<BlockSealer> sealers,
      int blockSize,
      int workers) {
    this(jobs.iterator(), opener, pool, sealers, blockSize, workers);
  }

  /** A stream over jobs that may be produced while it is read (a finisher's files come last). */
  BlockStream(
      Iterator<Job> jobs,
      FileOpener opener,
      ExecutorService pool,
      ThreadLocal<BlockSealer> sealers,
      int blockSize,
      int workers) {
    this.jobs = jobs;
    this.opener = opener;
    this.pool = pool;
    this.sealers = sealers;
    this.blockSize = blockSize;
    this.maxInFlight = 2 * workers;
  }

  /** How many files were opened. */
  long filesRead() {
    return filesRead;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /**
   * Fills {@code b[off, off+len)} with as many sealed blocks as it holds (a block of compressible
   * pages seals to a few KiB: one store write per block would be one system call per block).
   */
  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    int done = 0;
    while (done < len) {
      if (position == buffer.length) {
        if (!nextSealed()) {
          break;
        }
        continue;
      }
      int n = Math.min(len - done, buffer.length - position);
      System.arraycopy(buffer, position, b, off + done, n);
      position += n;
      done += n;
    }
    return done == 0 && len > 0 ? -1 : done;
  }

  /** Takes the next result in order; false at the end of the archive. */
  private boolean nextSealed() throws IOException {
    fill();
    Future<Result> head = inFlight.poll();
    if (head == null) {
      return false;
    }
    Result r;
    try {
      r = head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while sealing blocks");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException("sealing a block failed", e.getCause());
    }
    boolean current = r.generation() == r.job().generation; // else a read that is read again
    if (r.sealed() == null) {
      if (current) {
        r.job().refs.add(r.base());
      }
      buffer = new byte[0];
    } else {
      if (current) {
        r.job()
            .refs
            .add(new BlockRef(0, r.number(), offset, r.sealed().length, r.rawLength(), r.sha256()));
      }
      offset += r.sealed().length;
      buffer = r.sealed();
    }
    position = 0;
    return true;
  }

  /** Reads blocks and submits them until enough are in flight or the files are done. */
  private void fill() throws IOException {
    while (inFlight.size() < maxInFlight) {
      if (currentIn == null) {
        if (!jobs.hasNext()) {
          return;
        }
        current = jobs.next();
        currentIn =
            current.own != null ? current.own.open(current.file) : opener.open(current.file);
        currentIndex = 0;
        filesRead++;
      }
      byte[] raw = readBlock(currentIn);
      if (raw.length == 0) {
        endFile();
        continue;
      }
      Job job = current;
      BlockRef base = currentIndex < job.baseRefs.size() ? job.baseRefs.get(currentIndex) : null;
      long number = nextNumber++;
      currentIndex++;
      int generation = job.generation;
      inFlight.add(pool.submit(() -> seal(job, generation, number, raw, base)));
      if (raw.length < blockSize) {
        endFile();
      }
    }
  }

  /**
   * Reads the next block of {@code in}: one array of the block's size filled by reads as large as
   * the stream gives ({@link InputStream#readNBytes(int)} reads 8 KiB at a time and copies twice).
   */
  private byte[] readBlock(InputStream in) throws IOException {
    byte[] raw = new byte[blockSize];
    int n = in.readNBytes(raw, 0, blockSize);
    return n == blockSize ? raw : Arrays.copyOf(raw, n);
  }

  /** Closes the current file's stream; opens it again when the stream asks for another read. */
  private void endFile() throws IOException {
    InputStream in = currentIn;
    currentIn = null;
    in.close();
    if (in instanceof Rereadable r && r.readAgain()) {
      current.generation++;
      current.refs.clear(); // results of the earlier read still in flight are dropped by generation
      currentIn = opener.open(current.file);
      currentIndex = 0;
      filesRead++;
    }
  }

  private Result seal(Job job, int generation, long number, byte[] raw, BlockRef base) {
    byte[] sha = BlockTable.sha256().digest(raw);
    if (base != null
        && base.rawLength() == raw.length
        && MessageDigest.isEqual(base.sha256(), sha)) {
      return new Result(job, generation, number, sha, raw.length, null, base);
    }
    return new Result(
        job,
        generation,
        number,
        sha,
        raw.length,
        sealers.get().seal(number, raw, 0, raw.length),
        null);
  }

  @Override
  public void close() throws IOException {
    for (Future<Result> f : inFlight) {
      f.cancel(true);
    }
    inFlight.clear();
    if (currentIn != null) {
      currentIn.close();
      currentIn = null;
    }
  }
}
