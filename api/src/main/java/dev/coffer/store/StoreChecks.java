package dev.coffer.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/** The checks behind {@link StoreRule}: one method per rule, all writing under {@code base}. */
final class StoreChecks extends StoreProbe {

  /** Larger than two parts of any multipart upload we configure (5 MiB is S3's minimum part). */
  static final int LARGE_BYTES = 12 * 1024 * 1024;

  StoreChecks(StoreRule rule, ObjectStore store, String base) {
    super(rule, store, base);
  }

  void run() throws IOException, InterruptedException {
    switch (rule) {
      case S1 -> keys();
      case S2 -> complete();
      case S3 -> allOrNothing();
      case S4 -> atomicReplace();
      case S5 -> ifAbsent();
      case S6 -> missing();
      case S7 -> ranges();
      case S8 -> visibility();
      case S9 -> listing();
      case S10 -> idempotentDelete();
      case S11 -> stat();
      case S12 -> concurrency();
      default -> throw new IllegalStateException("no check for " + rule);
    }
  }

  private void keys() throws IOException {
    List<String> valid =
        new ArrayList<>(
            List.of(
                "a",
                "0",
                "a-b_c.d",
                "x.",
                "abcdefghijklmnopqrstuvwxyz0123456789._-",
                "d/e/f/g/h/i/j/k"));
    valid.add("s".repeat(ObjectKeys.MAX_SEGMENT_LENGTH));
    String longKey = ("k".repeat(ObjectKeys.MAX_SEGMENT_LENGTH - 1) + "/").repeat(4);
    longKey = longKey.substring(0, ObjectKeys.MAX_LENGTH - base.length() - 1) + "z";
    valid.add(longKey.startsWith("/") ? longKey.substring(1) : longKey);
    for (String name : valid) {
      String key = base + name;
      byte[] data = name.getBytes(StandardCharsets.US_ASCII);
      store.write(key, new ByteArrayInputStream(data), WriteMode.REPLACE);
      expectEqual(readAll(key), data, "valid key " + key);
    }
    List<String> invalid =
        List.of(
            "",
            "A",
            "a b",
            "a//b",
            "/a",
            "a/",
            ".a",
            "a/.b",
            "..",
            "a/../b",
            "a\\b",
            "a:b",
            "\u00e9",
            "a\u0000",
            "s".repeat(ObjectKeys.MAX_SEGMENT_LENGTH + 1),
            "a*",
            "a?b",
            "a%2fb");
    for (String name : invalid) {
      String key = name.startsWith("/") || name.isEmpty() ? name : base + name;
      try {
        store.write(key, new ByteArrayInputStream(new byte[] {1}), WriteMode.REPLACE);
        throw broken("accepted the invalid key '" + key + "'");
      } catch (IllegalArgumentException expected) {
        // refused, as the rule says
      }
    }
    try {
      store.read(base + "x".repeat(ObjectKeys.MAX_LENGTH));
      throw broken("accepted a key longer than " + ObjectKeys.MAX_LENGTH + " characters");
    } catch (IllegalArgumentException expected) {
      // refused
    }
    int listed = store.list(base).size();
    if (listed != valid.size()) {
      throw broken(
          "after writing "
              + valid.size()
              + " valid keys and refusing the rest, the prefix lists "
              + listed
              + " objects");
    }
  }

  private void complete() throws IOException {
    int[] sizes = {0, 1, 65_537, LARGE_BYTES + 12_345};
    for (int size : sizes) {
      String key = base + "size-" + size;
      byte[] data = StoreSources.bytes(size, size);
      long written =
          store.write(
              key, new StoreSources.OneByteAtATime(data, size == 65_537), WriteMode.REPLACE);
      if (written != size) {
        throw broken("write of " + size + " bytes to " + key + " returned " + written);
      }
      expectEqual(readAll(key), data, key);
      long stated = store.stat(key).map(ObjectInfo::sizeBytes).orElse(-1L);
      if (stated != size) {
        throw broken("stat of " + key + " says " + stated + " bytes, written " + size);
      }
    }
  }

  private void allOrNothing() throws IOException, InterruptedException {
    String failed = base + "failed";
    byte[] data = StoreSources.bytes(1, LARGE_BYTES);
    try {
      store.write(failed, new StoreSources.FailingStream(data, 7 * 1024 * 1024), WriteMode.REPLACE);
      throw broken("a write whose source failed returned normally");
    } catch (IOException expected) {
      // the source's failure, passed on
    }
    expectAbsent(failed, "after a write whose source failed");
    if (!store.list(base).isEmpty()) {
      throw broken("a failed write left objects under " + base + ": " + store.list(base));
    }
    String pending = base + "pending";
    HeldWrite.run(
        store,
        pending,
        data,
        WriteMode.REPLACE,
        () -> expectAbsent(pending, "while its write is unfinished"));
    expectEqual(readAll(pending), data, pending + " after its write returned");
  }

  private void atomicReplace() throws IOException, InterruptedException {
    String key = base + "replaced";
    byte[] old = StoreSources.bytes(2, 1024 * 1024 + 7);
    byte[] replacement = StoreSources.bytes(3, LARGE_BYTES);
    store.write(key, new ByteArrayInputStream(old), WriteMode.REPLACE);
    HeldWrite.run(
        store,
        key,
        replacement,
        WriteMode.REPLACE,
        () -> expectEqual(readAll(key), old, key + " while its replacement is being written"));
    expectEqual(readAll(key), replacement, key + " after its replacement returned");
  }

  private void ifAbsent() throws IOException {
    String key = base + "once";
    byte[] first = StoreSources.bytes(4, 1000);
    long n = store.write(key, new ByteArrayInputStream(first), WriteMode.IF_ABSENT);
    if (n != first.length) {
      throw broken(
          "IF_ABSENT write of a new object returned " + n + " for " + first.length + " bytes");
    }
    try {
      store.write(key, new ByteArrayInputStream(StoreSources.bytes(5, 2000)), WriteMode.IF_ABSENT);
      throw broken("IF_ABSENT replaced the existing object " + key);
    } catch (FileAlreadyExistsException expected) {
      // refused, as the rule says
    }
    expectEqual(readAll(key), first, key + " after a refused IF_ABSENT write");
    if (store.list(base).size() != 1) {
      throw broken("a refused IF_ABSENT write left other objects: " + store.list(base));
    }
  }

  private void missing() throws IOException {
    String key = base + "never/written";
    expectAbsent(key, "that was never written");
    try {
      store.read(key, 0, 10).close();
      throw broken("ranged read of the missing object " + key + " opened a stream");
    } catch (NoSuchFileException expected) {
      // as the rule says
    }
  }

  private void ranges() throws IOException {
    String key = base + "ranged";
    byte[] data = StoreSources.bytes(6, 1000);
    store.write(key, new ByteArrayInputStream(data), WriteMode.REPLACE);
    long[][] cases = {
      {0, 10},
      {990, 10},
      {990, 100},
      {500, 0},
      {999, 1},
      {1000, 5},
      {5000, 5},
      {0, 1000},
      {0, Long.MAX_VALUE},
      {123, 456}
    };
    for (long[] c : cases) {
      int from = (int) Math.min(c[0], data.length);
      int to =
          (int)
              Math.min(
                  data.length, Math.min((long) data.length, c[0] + Math.min(c[1], data.length)));
      byte[] expected = Arrays.copyOfRange(data, from, Math.max(from, to));
      byte[] got;
      try (InputStream in = store.read(key, c[0], c[1])) {
        got = in.readAllBytes();
      }
      expectEqual(got, expected, key + " range offset " + c[0] + " length " + c[1]);
    }
    String empty = base + "empty";
    store.write(empty, new ByteArrayInputStream(new byte[0]), WriteMode.REPLACE);
    try (InputStream in = store.read(empty, 0, 10)) {
      expectEqual(in.readAllBytes(), new byte[0], empty + " range 0+10");
    }
    for (long[] bad : new long[][] {{-1, 5}, {0, -1}}) {
      try {
        store.read(key, bad[0], bad[1]).close();
        throw broken("accepted the negative range offset " + bad[0] + " length " + bad[1]);
      } catch (IllegalArgumentException expected) {
        // refused
      }
    }
  }

  private void visibility() throws IOException {
    for (int i = 0; i < 5; i++) {
      String key = base + "seen-" + i;
      byte[] data = StoreSources.bytes(10 + i, 100 + i);
      store.write(key, new ByteArrayInputStream(data), WriteMode.REPLACE);
      if (store.list(base).stream()
          .noneMatch(o -> o.key().equals(key) && o.sizeBytes() == data.length)) {
        throw broken(
            "list("
                + base
                + ") does not show "
                + key
                + " ("
                + data.length
                + " bytes) after its write returned");
      }
      if (store.stat(key).isEmpty()) {
        throw broken("stat does not see " + key + " after its write returned");
      }
      expectEqual(readAll(key), data, key + " right after its write");
      store.delete(key);
      if (store.list(base).stream().anyMatch(o -> o.key().equals(key))) {
        throw broken("list(" + base + ") still shows " + key + " after its delete returned");
      }
      expectAbsent(key, "after its delete returned");
    }
  }

  private void listing() throws IOException {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      names.add("a/" + String.format("%02d", i));
    }
    for (int i = 0; i < 8; i++) {
      names.add("ab" + i);
    }
    names.addAll(List.of("b/c/d/e", "b/c/f", "b/g", "c", "a-z/q"));
    Map<String, Integer> sizes = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String key = base + names.get(i);
      store.write(key, new ByteArrayInputStream(StoreSources.bytes(i, i)), WriteMode.REPLACE);
      sizes.put(key, i);
    }
    expectListing(base, sizes, k -> true);
    expectListing(base + "a", sizes, k -> k.startsWith(base + "a"));
    expectListing(base + "a/", sizes, k -> k.startsWith(base + "a/"));
    expectListing(base + "b/c/", sizes, k -> k.startsWith(base + "b/c/"));
    expectListing(base + "c", sizes, k -> k.startsWith(base + "c"));
    expectListing(base + "nothing-here/", sizes, k -> false);
  }

  private void expectListing(String prefix, Map<String, Integer> sizes, Predicate<String> under)
      throws IOException {
    List<ObjectInfo> listed = store.list(prefix);
    Map<String, Long> seen = new HashMap<>();
    for (ObjectInfo o : listed) {
      if (seen.put(o.key(), o.sizeBytes()) != null) {
        throw broken("list(" + prefix + ") shows " + o.key() + " twice");
      }
      if (!sizes.containsKey(o.key()) || !under.test(o.key())) {
        throw broken(
            "list(" + prefix + ") shows " + o.key() + ", which is not an object under that prefix");
      }
      if (o.sizeBytes() != sizes.get(o.key())) {
        throw broken(
            "list("
                + prefix
                + ") gives "
                + o.key()
                + " "
                + o.sizeBytes()
                + " bytes, written "
                + sizes.get(o.key()));
      }
    }
    for (String key : sizes.keySet()) {
      if (under.test(key) && !seen.containsKey(key)) {
        throw broken("list(" + prefix + ") misses " + key + " (" + seen.size() + " listed)");
      }
    }
  }

  private void idempotentDelete() throws IOException {
    String key = base + "gone";
    store.delete(key);
    store.delete(base + "never/there/at/all");
    store.write(key, new ByteArrayInputStream(StoreSources.bytes(7, 10)), WriteMode.REPLACE);
    store.delete(key);
    store.delete(key);
    expectAbsent(key, "after two deletes");
  }

  private void stat() throws IOException {
    String key = base + "described";
    Instant before = Instant.now();
    store.write(key, new ByteArrayInputStream(StoreSources.bytes(8, 4321)), WriteMode.REPLACE);
    ObjectInfo info = store.stat(key).orElseThrow(() -> broken("stat does not see " + key));
    if (!info.key().equals(key) || info.sizeBytes() != 4321) {
      throw broken("stat of " + key + " (4321 bytes) says " + info);
    }
    // Servers keep their own clocks: a day either way is still plausible, a zero epoch is not.
    Duration skew = Duration.between(before, info.lastModified()).abs();
    if (skew.compareTo(Duration.ofDays(1)) > 0) {
      throw broken(
          "stat of " + key + " gives the time " + info.lastModified() + ", written at " + before);
    }
    ObjectInfo listed =
        store.list(key).stream()
            .filter(o -> o.key().equals(key))
            .findFirst()
            .orElseThrow(() -> broken("list does not see " + key));
    if (listed.sizeBytes() != 4321) {
      throw broken("list gives " + key + " " + listed.sizeBytes() + " bytes, written 4321");
    }
  }

  private void concurrency() throws IOException, InterruptedException {
    int threads = 8;
    int perThread = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    String key = base + "t" + thread + "/o" + i;
                    byte[] data = StoreSources.bytes(thread * 100 + i, 1000 + thread * 17 + i);
                    store.write(key, new ByteArrayInputStream(data), WriteMode.REPLACE);
                    expectEqual(readAll(key), data, key + " written by thread " + thread);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        HeldWrite.await(f);
      }
    } finally {
      pool.shutdownNow();
    }
    int listed = store.list(base).size();
    if (listed != threads * perThread) {
      throw broken(
          threads
              + " threads wrote "
              + threads * perThread
              + " objects, the prefix lists "
              + listed);
    }
  }
}
