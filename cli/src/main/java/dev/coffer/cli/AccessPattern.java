package dev.coffer.cli;

import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ways archive format 2 uses a store, beyond the store contract's single rules (S1-S12), as
 * {@code coffer validate-store} checks them against a real bucket: a data object larger than the
 * multipart part size read back by the ranged reads a restore makes; {@code IF_ABSENT} on such an
 * object and between racing writers; a small object replaced as a rekey replaces the repository
 * config; and a reader that finds a commit object while a writer is still writing backups.
 *
 * <p>Each check writes under {@code prefix + "f1/"} (and so on) and deletes what it wrote, also
 * when it fails. A broken expectation is an {@link AssertionError} whose message starts {@code F1
 * broken: }.
 */
enum AccessPattern {
  /** F1: a data object over the part size reads back by ranged reads, in order and by jumps. */
  F1("a multipart data object reads back by ranged reads: in order (restore) and by jumps"),
  /** F2: IF_ABSENT on a multipart-sized object, and between two racing writers of one key. */
  F2("IF_ABSENT refuses a second multipart-sized write, and one of two racing writers wins"),
  /**
   * F3: REPLACE of a small object, as rekey replaces the config: whole, old or new, listed once.
   */
  F3("REPLACE of a small object (a rekey's config) reads whole, old or new, and lists once"),
  /** F4: a reader that sees a commit object reads the data object written before it in full. */
  F4("a reader that lists a commit reads the data written before it, while writers write");

  /** Larger than two parts of the largest default part size (the s3 store's is 8 MiB). */
  static final int DATA_BYTES = 2 * 8 * 1024 * 1024 + 123_457;

  private final String title;

  AccessPattern(String title) {
    this.title = title;
  }

  String title() {
    return title;
  }

  /**
   * Checks this pattern against {@code store}, writing only under {@code prefix}.
   *
   * @return a note on how the store served the pattern, or null
   * @throws AssertionError if the store does not serve the pattern; the message starts with the
   *     pattern's name
   * @throws IOException if the store fails
   */
  String check(ObjectStore store, String prefix) throws IOException {
    String base = prefix + name().toLowerCase(Locale.ROOT) + "/";
    try {
      switch (this) {
        case F1 -> rangedReads(store, base);
        case F2 -> {
          return ifAbsent(store, base);
        }
        case F3 -> replaceSmall(store, base);
        case F4 -> commitAfterData(store, base);
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking " + name(), e);
    } finally {
      for (ObjectInfo o : store.list(base)) {
        store.delete(o.key());
      }
    }
  }

  private AssertionError broken(String what) {
    return new AssertionError(name() + " broken: " + what);
  }

  static byte[] bytes(long seed, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static byte[] read(ObjectStore store, String key, long offset, long length)
      throws IOException {
    try (InputStream in = store.read(key, offset, length)) {
      return in.readAllBytes();
    }
  }

  private void expectRange(ObjectStore store, String key, byte[] data, long offset, int length)
      throws IOException {
    byte[] got = read(store, key, offset, length);
    int end = (int) Math.min(data.length, offset + length);
    byte[] want = Arrays.copyOfRange(data, (int) Math.min(offset, data.length), end);
    if (!Arrays.equals(got, want)) {
      throw broken(
          "range ["
              + offset
              + ", "
              + (offset + length)
              + ") of "
              + key
              + " read "
              + got.length
              + " bytes that differ from the "
              + want.length
              + " written");
    }
  }

  /** A restore reads each file's blocks in order, a partial restore jumps; both must be exact. */
  private void rangedReads(ObjectStore store, String base) throws IOException {
    String key = base + "data";
    byte[] data = bytes(17, DATA_BYTES);
    store.write(key, new ByteArrayInputStream(data), WriteMode.IF_ABSENT);
    long size = store.stat(key).map(ObjectInfo::sizeBytes).orElse(-1L);
    if (size != data.length) {
      throw broken("stat of " + key + " says " + size + " bytes, written " + data.length);
    }
    SplittableRandom random = new SplittableRandom(3);
    long offset = 0;
    while (offset < data.length) { // in order, ranges of 1 byte to 1 MiB, as blocks are
      int length = 1 + random.nextInt(1024 * 1024);
      expectRange(store, key, data, offset, length);
      offset += length;
    }
    for (int i = 0; i < 8; i++) { // jumps, across part boundaries, and one past the end
      long at = random.nextLong(data.length);
      expectRange(store, key, data, at, 1 + random.nextInt(3 * 1024 * 1024));
    }
    expectRange(store, key, data, data.length - 10, 100);
  }

  /** Data, manifest and commit objects are written IF_ABSENT: a second write must not land. */
  private String ifAbsent(ObjectStore store, String base) throws IOException, InterruptedException {
    String key = base + "data";
    byte[] first = bytes(21, DATA_BYTES);
    store.write(key, new ByteArrayInputStream(first), WriteMode.IF_ABSENT);
    try {
      store.write(key, new ByteArrayInputStream(bytes(22, DATA_BYTES)), WriteMode.IF_ABSENT);
      throw broken("IF_ABSENT replaced the multipart object " + key);
    } catch (FileAlreadyExistsException expected) {
      // refused
    }
    expectRange(store, key, first, 0, first.length);

    String raced = base + "commit";
    byte[][] bodies = {bytes(23, 300), bytes(24, 300)};
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Boolean>> writers = new ArrayList<>();
      for (byte[] body : bodies) {
        writers.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    store.write(raced, new ByteArrayInputStream(body), WriteMode.IF_ABSENT);
                    return true;
                  } catch (FileAlreadyExistsException refused) {
                    return false;
                  }
                }));
      }
      start.countDown();
      int won = 0;
      for (Future<Boolean> w : writers) {
        won += get(w) ? 1 : 0;
      }
      byte[] stored = read(store, raced, 0, Long.MAX_VALUE);
      if (won == 0) {
        throw broken("both racing IF_ABSENT writers of " + raced + " were refused");
      }
      if (!Arrays.equals(stored, bodies[0]) && !Arrays.equals(stored, bodies[1])) {
        throw broken(raced + " holds neither racing writer's bytes");
      }
      // A server without conditional writes lets both through (the last one stays): format 2 is
      // safe there, as its keys are unique per backup, but say so.
      return won == 2
          ? "both racing IF_ABSENT writers returned: the server does not enforce If-None-Match,"
              + " format 2 does not depend on it"
          : null;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Rekey replaces the small config object; every reader sees one version whole. */
  private void replaceSmall(ObjectStore store, String base)
      throws IOException, InterruptedException {
    String key = base + "coffer-repository";
    byte[] old = bytes(31, 700);
    byte[] replacement = bytes(32, 900);
    store.write(key, new ByteArrayInputStream(old), WriteMode.IF_ABSENT);
    whileWriting(
        done -> {
          int reads = 0;
          while (!done.get() || reads == 0) {
            byte[] got = read(store, key, 0, 64 * 1024 + 1); // as the config is read
            reads++;
            if (!Arrays.equals(got, old) && !Arrays.equals(got, replacement)) {
              return "a reader saw "
                  + got.length
                  + " bytes that are neither version while "
                  + key
                  + " was replaced";
            }
          }
          return null;
        },
        () -> {
          for (int i = 0; i < 3; i++) {
            store.write(
                key, new ByteArrayInputStream(i % 2 == 0 ? replacement : old), WriteMode.REPLACE);
          }
          store.write(key, new ByteArrayInputStream(replacement), WriteMode.REPLACE);
        });
    expectRange(store, key, replacement, 0, 64 * 1024 + 1);
    List<ObjectInfo> listed = store.list(base);
    if (listed.size() != 1 || listed.get(0).sizeBytes() != replacement.length) {
      throw broken(
          "after replacing " + key + " the listing shows " + listed + ", not the one new object");
    }
  }

  /**
   * Format 2 publishes a backup by writing its data, then its commit object: a reader that lists
   * the commit (another host's {@code list}, a prune) must find the data whole.
   */
  private void commitAfterData(ObjectStore store, String base)
      throws IOException, InterruptedException {
    int backups = 6;
    whileWriting(
        done -> {
          while (true) {
            boolean last = done.get();
            for (ObjectInfo commit : store.list(base + "commits/")) {
              String id = commit.key().substring(commit.key().lastIndexOf('/') + 1);
              byte[] want = bytes(id.hashCode(), 300_000 + id.length());
              byte[] got;
              try {
                got = read(store, base + "data/" + id, 0, Long.MAX_VALUE);
              } catch (NoSuchFileException e) {
                return "the commit of " + id + " was listed, its data object is missing";
              }
              if (!Arrays.equals(got, want)) {
                return "the commit of " + id + " was listed before its data read whole";
              }
            }
            if (last) {
              return null;
            }
          }
        },
        () -> {
          for (int i = 0; i < backups; i++) {
            String id = "backup-" + i;
            byte[] data = bytes(id.hashCode(), 300_000 + id.length());
            store.write(base + "data/" + id, new ByteArrayInputStream(data), WriteMode.IF_ABSENT);
            store.write(
                base + "commits/" + id,
                new ByteArrayInputStream(bytes(i, 200)),
                WriteMode.IF_ABSENT);
          }
        });
    int listed = store.list(base + "commits/").size();
    if (listed != backups) {
      throw broken(listed + " commits listed after " + backups + " were written");
    }
  }

  /** A reader's look at the store while a writer writes: what it saw wrong, or null. */
  @FunctionalInterface
  private interface Reader {
    String read(AtomicBoolean writerDone) throws IOException;
  }

  /** The writer's side. */
  @FunctionalInterface
  private interface Writer {
    void write() throws IOException;
  }

  /** Runs {@code reader} on a thread of its own while {@code writer} runs on this one. */
  private void whileWriting(Reader reader, Writer writer) throws IOException, InterruptedException {
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> seen = pool.submit(() -> reader.read(done));
      writer.write();
      done.set(true);
      String wrong = get(seen);
      if (wrong != null) {
        throw broken(wrong);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> T get(Future<T> f) throws IOException, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof AssertionError a) {
        throw a;
      }
      throw new IOException("a check thread failed: " + e.getCause(), e.getCause());
    }
  }
}
