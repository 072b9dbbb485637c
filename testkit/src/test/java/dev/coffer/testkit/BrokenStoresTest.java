package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectKeys;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.StoreRule;
import dev.coffer.store.WriteMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The store rules catch broken stores: each broken variant of the directory store fails exactly the
 * rules it breaks, with an "Sn broken:" assertion, and the correct store fails none.
 */
class BrokenStoresTest {

  /**
   * Runs every rule and returns those that failed; anything but an "Sn broken" assertion fails the
   * test.
   */
  private static Set<StoreRule> failedRules(Function<ObjectStore, ObjectStore> breakIt)
      throws IOException {
    Set<StoreRule> failed = EnumSet.noneOf(StoreRule.class);
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = fs.getPath("/store");
      try (ObjectStore store = breakIt.apply(directory(root))) {
        for (StoreRule rule : StoreRule.values()) {
          try {
            rule.check(store, "check/");
          } catch (AssertionError e) {
            assertTrue(e.getMessage().startsWith(rule.name() + " broken: "), e.getMessage());
            failed.add(rule);
          }
        }
      }
    }
    return failed;
  }

  private static ObjectStore directory(Path root) {
    try {
      return ObjectStores.directory(root);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theDirectoryStore_breaksNoRule() throws IOException {
    assertEquals(Set.of(), failedRules(s -> s));
  }

  @Test
  void aStoreThatWritesInPlace_breaksAllOrNothingAndAtomicReplace() throws IOException {
    Set<StoreRule> failed =
        failedRules(
            real ->
                new Forwarding(real) {
                  @Override
                  public long write(String key, InputStream data, WriteMode mode)
                      throws IOException {
                    // Straight into the final name: a failed or unfinished write is visible.
                    Path file = Path.of(real.uri()).resolve(ObjectKeys.check(key));
                    Files.createDirectories(file.getParent());
                    try (OutputStream out = Files.newOutputStream(file)) {
                      return data.transferTo(out);
                    }
                  }
                });
    assertEquals(EnumSet.of(StoreRule.S3, StoreRule.S4, StoreRule.S5), failed);
  }

  @Test
  void aStoreThatNeverDeletes_breaksReadAfterDeleteAndIdempotentDelete() throws IOException {
    Set<StoreRule> failed =
        failedRules(
            real ->
                new Forwarding(real) {
                  @Override
                  public void delete(String key) {
                    // forgets
                  }
                });
    assertTrue(failed.containsAll(EnumSet.of(StoreRule.S8, StoreRule.S10)), failed.toString());
  }

  @Test
  void aStoreThatListsOnlyTheFirstPage_breaksCompleteListings() throws IOException {
    Set<StoreRule> failed =
        failedRules(
            real ->
                new Forwarding(real) {
                  @Override
                  public List<ObjectInfo> list(String prefix) throws IOException {
                    List<ObjectInfo> all = real.list(prefix);
                    return all.subList(0, Math.min(7, all.size()));
                  }
                });
    assertTrue(failed.contains(StoreRule.S9), failed.toString());
  }

  @Test
  void aStoreThatIgnoresRanges_breaksRanges() throws IOException {
    Set<StoreRule> failed =
        failedRules(
            real ->
                new Forwarding(real) {
                  @Override
                  public InputStream read(String key, long offset, long length) throws IOException {
                    return real.read(key);
                  }
                });
    assertEquals(EnumSet.of(StoreRule.S7), failed);
  }

  /** A store that passes every call to another. */
  private abstract static class Forwarding implements ObjectStore {
    final ObjectStore real;

    Forwarding(ObjectStore real) {
      this.real = real;
    }

    @Override
    public URI uri() {
      return real.uri();
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
    public void delete(String key) throws IOException {
      real.delete(key);
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }
}
