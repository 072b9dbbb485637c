package dev.coffer;

import dev.coffer.spi.OptionInfo;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.StoreProvider;
import dev.coffer.store.WriteMode;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A store provider registered for the tests' class path, scheme {@code fakestore}: {@link #open}
 * returns a {@link Store} that records its URI, its options and whether it was closed; it holds no
 * object. Option {@code refuse=true} makes {@link #open} fail, as an unreachable bucket would.
 */
public class FakeStoreProvider implements StoreProvider {

  /** The store last opened at each URI (tests use a URI of their own). */
  static final Map<URI, Store> OPENED = new java.util.concurrent.ConcurrentHashMap<>();

  /** Creates the provider; no I/O. */
  public FakeStoreProvider() {}

  @Override
  public String scheme() {
    return "fakestore";
  }

  @Override
  public String description() {
    return "records how it was opened";
  }

  @Override
  public List<OptionInfo> options() {
    return List.of(
        OptionInfo.optional("region", "a store option", null),
        OptionInfo.flag("refuse", "fail the open", false));
  }

  @Override
  public ObjectStore open(URI uri, Map<String, String> options) throws java.io.IOException {
    if (Boolean.parseBoolean(options.getOrDefault("refuse", "false"))) {
      throw new java.nio.file.NoSuchFileException("bucket of " + uri);
    }
    Store store = new Store(uri, Map.copyOf(options));
    OPENED.put(uri, store);
    return store;
  }

  /** What {@link FakeStoreProvider#open} was given; an empty store that refuses writes. */
  static final class Store implements ObjectStore {
    final URI uri;
    final Map<String, String> options;
    volatile boolean closed;

    Store(URI uri, Map<String, String> options) {
      this.uri = uri;
      this.options = options;
    }

    @Override
    public URI uri() {
      return uri;
    }

    @Override
    public long write(String key, InputStream data, WriteMode mode) {
      throw new UnsupportedOperationException("a fake store holds nothing");
    }

    @Override
    public InputStream read(String key) throws java.io.IOException {
      throw new java.nio.file.NoSuchFileException(key);
    }

    @Override
    public InputStream read(String key, long offset, long length) throws java.io.IOException {
      throw new java.nio.file.NoSuchFileException(key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
      return Optional.empty();
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
      return List.of();
    }

    @Override
    public void delete(String key) {}

    @Override
    public void close() {
      closed = true;
    }
  }
}
