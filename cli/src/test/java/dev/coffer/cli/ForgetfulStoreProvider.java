package dev.coffer.cli;

import dev.coffer.spi.OptionInfo;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.StoreProvider;
import dev.coffer.store.WriteMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A broken store for tests ({@code forgetful:///dir}): a directory store whose deletes do nothing. */
public final class ForgetfulStoreProvider implements StoreProvider {

  /** Does no I/O. */
  public ForgetfulStoreProvider() {}

  @Override
  public String scheme() {
    return "forgetful";
  }

  @Override
  public String description() {
    return "a directory store that never deletes (breaks S8 and S10)";
  }

  @Override
  public List<OptionInfo> options() {
    return List.of();
  }

  @Override
  public ObjectStore open(URI uri, Map<String, String> options) throws IOException {
    ObjectStore real = ObjectStores.directory(Path.of(uri.getPath()));
    return new ObjectStore() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public long write(String key, InputStream data, WriteMode mode) throws IOException {
        return real.write(key, data, mode);
      }

      @Override
      public InputStream read(String key) throws IOException {
        return real.read(key);
      }

      @Override
      public InputStream read(String key, long offset, long length) throws IOException {
        return real.read(key, offset, length);
      }

      @Override
      public Optional<ObjectInfo> stat(String key) throws IOException {
        return real.stat(key);
      }

      @Override
      public List<ObjectInfo> list(String prefix) throws IOException {
        return real.list(prefix);
      }

      @Override
      public void delete(String key) {
        // forgets to
      }

      @Override
      public void close() throws IOException {
        real.close();
      }
    };
  }
}
