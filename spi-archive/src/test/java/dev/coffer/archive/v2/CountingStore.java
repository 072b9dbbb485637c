package dev.coffer.archive.v2;

import dev.coffer.archive.ForwardingStore;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that counts its reads per key prefix ({@code commits/}, {@code meta/}, ...) and can run a
 * step before a write, for tests that interleave another writer deterministically.
 */
final class CountingStore extends ForwardingStore {

  /** A step before a write of {@code key}. */
  interface BeforeWrite {
    void run(String key) throws IOException;
  }

  private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
  volatile BeforeWrite beforeWrite = key -> {};

  CountingStore(ObjectStore inner) {
    super(inner);
  }

  /** Reads of keys under {@code prefix} since the last {@link #reset}. */
  int reads(String prefix) {
    AtomicInteger n = reads.get(prefix);
    return n == null ? 0 : n.get();
  }

  void reset() {
    reads.clear();
  }

  private void count(String key) {
    int slash = key.indexOf('/');
    reads
        .computeIfAbsent(slash < 0 ? key : key.substring(0, slash + 1), k -> new AtomicInteger())
        .incrementAndGet();
  }

  @Override
  public long write(String key, InputStream data, WriteMode mode) throws IOException {
    BeforeWrite hook = beforeWrite;
    hook.run(key);
    return super.write(key, data, mode);
  }

  @Override
  public InputStream read(String key) throws IOException {
    count(key);
    return super.read(key);
  }

  @Override
  public InputStream read(String key, long offset, long length) throws IOException {
    count(key);
    return super.read(key, offset, length);
  }
}
