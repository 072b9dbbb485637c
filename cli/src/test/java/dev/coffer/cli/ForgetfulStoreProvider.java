package dev.coffer.cli;

import dev.coffer.spi.OptionInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.StoreProvider;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A broken store for tests ({@code forgetful:///dir}): a directory store whose deletes do nothing.
 */
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
    return (ObjectStore)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ObjectStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("delete")) {
                return null; // forgets to
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
