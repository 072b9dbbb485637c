package dev.coffer.archive;

import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A store that hands every call to another: the base of the tests' wrappers, which override only
 * the calls they count, fail or record. {@link ObjectStore#abortUnfinishedWrites} keeps the
 * interface's default (nothing to abort), as each wrapper had it.
 */
public abstract class ForwardingStore implements ObjectStore {

  /** The store the calls go to. */
  protected final ObjectStore inner;

  protected ForwardingStore(ObjectStore inner) {
    this.inner = inner;
  }

  @Override
  public URI uri() {
    return inner.uri();
  }

  @Override
  public long write(String key, InputStream data, WriteMode mode) throws IOException {
    return inner.write(key, data, mode);
  }

  @Override
  public InputStream read(String key) throws IOException {
    return inner.read(key);
  }

  @Override
  public InputStream read(String key, long offset, long length) throws IOException {
    return inner.read(key, offset, length);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    return inner.stat(key);
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    return inner.list(prefix);
  }

  @Override
  public void delete(String key) throws IOException {
    inner.delete(key);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
