package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A backup with the bases its manifest's chain table names, each opened through its own commit and
 * checked against the table (archive id and manifest hash), and a {@link BlockResolver} over their
 * blocks. Reads blocks with ranged reads, coalescing neighbours of one archive into one read of at
 * most {@value #MAX_READ_BYTES} bytes, and opens them on a small pool (ordered results).
 */
final class V2Chain implements AutoCloseable {

  static final int MAX_READ_BYTES = 4 * 1024 * 1024;
  private static final int WORKERS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final V2Location location;
  private final List<V2Backup> archives;
  private final BlockResolver resolver;
  private final Map<UUID, Integer> indexOf = new HashMap<>();
  private final List<BlockSealer> sealers = Collections.synchronizedList(new ArrayList<>());
  private final ThreadLocal<Map<Integer, BlockSealer>> threadSealers =
      ThreadLocal.withInitial(HashMap::new);
  private ExecutorService pool;

  private V2Chain(V2Location location, List<V2Backup> archives, BlockResolver resolver) {
    this.location = location;
    this.archives = archives;
    this.resolver = resolver;
    for (int i = 0; i < archives.size(); i++) {
      indexOf.put(archives.get(i).archiveId(), i);
    }
  }

  /**
   * Opens the chain of {@code tip} (which it then owns) with {@code reader}'s keys. Bases are
   * opened for their blocks only ({@link V2ArchiveReader#openBlocks}), several at a time.
   */
  static V2Chain open(V2ArchiveReader reader, V2Backup tip) throws IOException {
    List<V2Backup> archives = new ArrayList<>();
    archives.add(tip);
    List<V2Manifest.ChainEntry> entries = tip.manifest().archives();
    List<Future<V2Backup>> opening = new ArrayList<>();
    ExecutorService openers =
        entries.size() < 2
            ? null
            : Executors.newFixedThreadPool(
                Math.min(WORKERS, entries.size()),
                r -> {
                  Thread t = new Thread(r, "coffer-v2-open-base");
                  t.setDaemon(true);
                  return t;
                });
    try {
      for (V2Manifest.ChainEntry entry : entries) {
        Callable<V2Backup> task = () -> openBase(reader, tip, entry);
        opening.add(openers == null ? completed(task) : openers.submit(task));
      }
      List<ArchiveBlocks> blocks = new ArrayList<>();
      blocks.add(tip.blocks());
      IOException first = null;
      for (Future<V2Backup> f : opening) {
        try {
          V2Backup base = get(f, "opening a base");
          archives.add(base);
          blocks.add(base.blocks());
        } catch (IOException e) {
          first = first == null ? e : first; // every opened base is still collected, to close
        }
      }
      if (first != null) {
        throw first;
      }
      for (V2Backup b : archives) {
        checkDataLength(reader.location(), b);
      }
      return new V2Chain(reader.location(), archives, new BlockResolver(blocks));
    } catch (IOException | RuntimeException e) {
      for (V2Backup b : archives) {
        b.close();
      }
      throw e;
    } finally {
      if (openers != null) {
        openers.shutdownNow();
      }
    }
  }

  /** Opens one base of {@code tip}'s chain table and checks it against its entry. */
  private static V2Backup openBase(
      V2ArchiveReader reader, V2Backup tip, V2Manifest.ChainEntry entry) throws IOException {
    V2Backup base;
    try {
      base = reader.openBlocks(entry.backupId());
    } catch (NoSuchBackupException e) {
      throw new CorruptBackupException(
          "base " + entry.backupId() + " of backup " + tip.backupId() + " is missing", null);
    }
    String hash = HexFormat.of().formatHex(base.statement().manifestSha256());
    if (!base.archiveId().toString().equals(entry.archiveId())
        || !hash.equals(entry.manifestSha256())) {
      base.close();
      throw new CorruptBackupException(
          "backup "
              + tip.backupId()
              + " names base "
              + entry.backupId()
              + " with another archive id or manifest hash than its commit",
          null);
    }
    return base;
  }

  private static Future<V2Backup> completed(Callable<V2Backup> task) {
    java.util.concurrent.FutureTask<V2Backup> f = new java.util.concurrent.FutureTask<>(task);
    f.run();
    return f;
  }

  /**
   * One stat per archive: a truncated or extended data object is found before anything is written.
   */
  private static void checkDataLength(V2Location location, V2Backup b) throws IOException {
    long expected = b.statement().dataLengthBytes();
    long actual =
        location
            .store()
            .stat(location.layout().data(b.backupId()))
            .map(o -> o.sizeBytes())
            .orElse(-1L);
    if (actual != expected) {
      throw new CorruptBackupException(
          "data object of backup "
              + b.backupId()
              + " is "
              + (actual < 0 ? "missing" : actual + " bytes")
              + ", its commit says "
              + expected,
          null);
    }
  }

  V2Backup tip() {
    return archives.get(0);
  }

  /** Checks every reference of {@code f} against the chain; nothing is read. */
  List<BlockResolver.Location> check(V2Manifest.FileEntry f) throws CorruptBackupException {
    V2Manifest m = tip().manifest();
    return resolver.checkFile(
        f.path(), f.size(), f.contentHash(), f.refs(m.chainSize(), m.blockSize()));
  }

  /**
   * Reads, opens and checks every block of a file (checked first with {@link #check}), writing them
   * in order. The calling thread reads ranges; workers open and check blocks; at most {@code 2 *
   * workers} blocks are in flight.
   */
  long copy(String path, List<BlockResolver.Location> where, OutputStream out) throws IOException {
    Deque<Future<byte[]>> pending = new ArrayDeque<>();
    try {
      for (int i = 0; i < where.size(); ) {
        int index = indexOf.get(where.get(i).archiveId());
        BlockRef first = where.get(i).block();
        int j = runEnd(where, i);
        byte[] range = range(where, i, j);
        for (int k = i; k < j; k++) {
          BlockRef b = where.get(k).block();
          int at = (int) (b.offset() - first.offset());
          pending.add(pool().submit(() -> open(path, index, b, range, at)));
          while (pending.size() >= 2 * WORKERS) {
            out.write(take(pending));
          }
        }
        i = j;
      }
      while (!pending.isEmpty()) {
        out.write(take(pending));
      }
      return where.size();
    } finally {
      for (Future<byte[]> f : pending) {
        f.cancel(true);
      }
    }
  }

  /**
   * The end (exclusive) of the run of blocks from {@code i} that one ranged read fetches:
   * neighbours in one archive's data object, at most {@value #MAX_READ_BYTES} bytes.
   */
  static int runEnd(List<BlockResolver.Location> where, int i) {
    BlockRef first = where.get(i).block();
    long end = first.offset() + first.storedLength();
    int j = i + 1;
    while (j < where.size()
        && where.get(j).archiveId().equals(where.get(i).archiveId())
        && where.get(j).block().offset() == end
        && end + where.get(j).block().storedLength() - first.offset() <= MAX_READ_BYTES) {
      end += where.get(j).block().storedLength();
      j++;
    }
    return j;
  }

  /** Reads the sealed blocks {@code where[i, j)} (one {@link #runEnd run}) with one ranged read. */
  byte[] range(List<BlockResolver.Location> where, int i, int j) throws IOException {
    BlockRef first = where.get(i).block();
    BlockRef last = where.get(j - 1).block();
    long end = last.offset() + last.storedLength();
    return readRange(
        archives.get(indexOf.get(where.get(i).archiveId())),
        first.offset(),
        (int) (end - first.offset()));
  }

  /** Opens block {@code b} of archive {@code index} found at {@code at} in {@code range}. */
  byte[] open(String path, int index, BlockRef b, byte[] range, int at) throws IOException {
    byte[] raw = sealer(index).open(b.blockNumber(), b.rawLength(), range, at, b.storedLength());
    BlockResolver.checkContent(path, b, raw);
    return raw;
  }

  /** The index in this chain of the archive {@code l} is read from. */
  int indexOf(BlockResolver.Location l) {
    return indexOf.get(l.archiveId());
  }

  private static byte[] take(Deque<Future<byte[]>> pending) throws IOException {
    return get(pending.poll(), "opening a block");
  }

  /**
   * The result of {@code f}, its failure rethrown as it was thrown (a checked one as IOException);
   * also the backup's wait for its source scan.
   */
  static <T> T get(Future<T> f, String what) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while " + what);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(what + " failed", e.getCause());
    }
  }

  private synchronized ExecutorService pool() {
    if (pool == null) {
      pool =
          Executors.newFixedThreadPool(
              WORKERS,
              r -> {
                Thread t = new Thread(r, "coffer-v2-open");
                t.setDaemon(true);
                return t;
              });
    }
    return pool;
  }

  /**
   * Reads {@code length} bytes (one run: at most {@value #MAX_READ_BYTES}, or one block) into one
   * array of that size, with reads as large as the store gives.
   */
  private byte[] readRange(V2Backup archive, long offset, int length) throws IOException {
    byte[] bytes = new byte[length];
    int n;
    try (InputStream in =
        location.store().read(location.layout().data(archive.backupId()), offset, length)) {
      n = in.readNBytes(bytes, 0, length);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CorruptBackupException(
          "data object of backup " + archive.backupId() + " is missing", null);
    }
    if (n != length) {
      throw new CorruptBackupException(
          "data object of backup "
              + archive.backupId()
              + " ends before offset "
              + (offset + length),
          null);
    }
    return bytes;
  }

  /** The calling worker's sealer for archive {@code index} (a sealer is not thread-safe). */
  private BlockSealer sealer(int index) {
    return threadSealers
        .get()
        .computeIfAbsent(
            index,
            i -> {
              BlockSealer s =
                  new BlockSealer(
                      archives.get(i).keys(), archives.get(i).statement().blockSizeBytes(), 1);
              sealers.add(s);
              return s;
            });
  }

  @Override
  public void close() {
    synchronized (this) {
      if (pool != null) {
        pool.shutdownNow();
        try {
          pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    synchronized (sealers) {
      for (BlockSealer s : sealers) {
        s.close();
      }
    }
    for (V2Backup b : archives) {
      b.close();
    }
  }
}
