package dev.coffer.archive;

import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A store that crashes at its N-th change (write or delete): either after the change landed or
 * instead of it; from then on every call fails, as if the process had died. Counts the changes it
 * saw, so that a test can walk N over every change an operation makes.
 */
final class CrashingStore extends ForwardingStore {

  private final int crashAt;
  private final boolean landed;
  private int changes;
  private boolean crashed;
  private final java.util.Map<String, Long> written = new java.util.TreeMap<>();

  /**
   * @param crashAt the change that crashes (1-based); 0 never crashes
   * @param landed whether that change lands before the crash
   */
  CrashingStore(ObjectStore inner, int crashAt, boolean landed) {
    super(inner);
    this.crashAt = crashAt;
    this.landed = landed;
  }

  /** The bytes written, by object key. */
  synchronized java.util.Map<String, Long> written() {
    return new java.util.TreeMap<>(written);
  }

  synchronized int changes() {
    return changes;
  }

  synchronized boolean crashed() {
    return crashed;
  }

  private synchronized void alive() throws IOException {
    if (crashed) {
      throw new IOException("the process crashed (injected)");
    }
  }

  private synchronized <T> T change(IoCall<T> call) throws IOException {
    alive();
    changes++;
    if (changes != crashAt) {
      return call.run();
    }
    crashed = true;
    if (landed) {
      call.run();
    }
    throw new IOException("injected crash at change " + changes + (landed ? ", after it" : ""));
  }

  private interface IoCall<T> {
    T run() throws IOException;
  }

  @Override
  public long write(String key, InputStream data, WriteMode mode) throws IOException {
    long n = change(() -> inner.write(key, data, mode));
    synchronized (this) {
      written.merge(key, n, Long::sum);
    }
    return n;
  }

  @Override
  public void delete(String key) throws IOException {
    change(
        () -> {
          inner.delete(key);
          return null;
        });
  }

  @Override
  public InputStream read(String key) throws IOException {
    alive();
    return inner.read(key);
  }

  @Override
  public InputStream read(String key, long offset, long length) throws IOException {
    alive();
    return inner.read(key, offset, length);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    alive();
    return inner.stat(key);
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    alive();
    return inner.list(prefix);
  }
}
