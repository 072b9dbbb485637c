package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each format-2 access pattern holds on the directory store and fails, naming itself, on a store
 * broken in the way it looks for.
 */
class AccessPatternTest {

  @TempDir Path dir;

  /** A behaviour replacing one method of the directory store (null: the real one). */
  @FunctionalInterface
  interface Override {
    Object call(ObjectStore real, String method, Object[] args) throws Throwable;
  }

  private ObjectStore broken(Override override) throws IOException {
    ObjectStore real = ObjectStores.directory(dir);
    return (ObjectStore)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ObjectStore.class},
            (proxy, method, args) -> {
              Object answer = override.call(real, method.getName(), args);
              if (answer != null) {
                return answer;
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private void assertNothingLeft() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      assertEquals(0, files.filter(Files::isRegularFile).count(), "the check removed its objects");
    }
  }

  @Test
  void everyPattern_holdsOnTheDirectoryStore_andLeavesNothing() throws IOException {
    try (ObjectStore store = ObjectStores.directory(dir)) {
      for (AccessPattern p : AccessPattern.values()) {
        assertNull(p.check(store, "v/"), p.name());
      }
    }
    assertNothingLeft();
  }

  @Test
  void f1_fails_whenRangedReadsPastTheFirstPartReturnOtherBytes() throws IOException {
    ObjectStore store =
        broken(
            (real, method, args) ->
                method.equals("read") && args.length == 3 && (long) args[1] > 8 * 1024 * 1024
                    ? real.read((String) args[0], (long) args[1] - 1, (long) args[2])
                    : null);
    AssertionError e =
        assertThrows(AssertionError.class, () -> AccessPattern.F1.check(store, "v/"));
    assertTrue(e.getMessage().startsWith("F1 broken: range ["), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void f2_fails_whenIfAbsentReplaces() throws IOException {
    ObjectStore store =
        broken(
            (real, method, args) ->
                method.equals("write") && args[2] == WriteMode.IF_ABSENT
                    ? real.write((String) args[0], (InputStream) args[1], WriteMode.REPLACE)
                    : null);
    AssertionError e =
        assertThrows(AssertionError.class, () -> AccessPattern.F2.check(store, "v/"));
    assertTrue(e.getMessage().startsWith("F2 broken: IF_ABSENT replaced"), e.getMessage());
  }

  @Test
  void f3_fails_whenReplaceKeepsTheOldObject() throws IOException {
    ObjectStore store =
        broken(
            (real, method, args) -> {
              if (method.equals("write")
                  && args[2] == WriteMode.REPLACE
                  && real.stat((String) args[0]).isPresent()) {
                ((InputStream) args[1]).readAllBytes();
                return 0L; // claims to have replaced it
              }
              return null;
            });
    AssertionError e =
        assertThrows(AssertionError.class, () -> AccessPattern.F3.check(store, "v/"));
    assertTrue(e.getMessage().startsWith("F3 broken: range [0, "), e.getMessage());
  }

  @Test
  void f4_fails_whenACommitIsListedBeforeTheDataItFollows() throws IOException {
    Map<String, byte[]> late = new HashMap<>();
    ObjectStore store =
        broken(
            (real, method, args) -> {
              String key = args != null && args.length > 0 ? String.valueOf(args[0]) : "";
              if (method.equals("write") && key.contains("/data/")) {
                synchronized (late) { // written later, after its commit
                  late.put(key, ((InputStream) args[1]).readAllBytes());
                }
                return 1L;
              }
              if (method.equals("write") && key.contains("/commits/backup-5")) {
                synchronized (late) {
                  for (Map.Entry<String, byte[]> e : late.entrySet()) {
                    // the last data object stays missing until the commit is listed
                    if (!e.getKey().endsWith("backup-5")) {
                      real.write(
                          e.getKey(), new ByteArrayInputStream(e.getValue()), WriteMode.REPLACE);
                    }
                  }
                }
              }
              return null;
            });
    AssertionError e =
        assertThrows(AssertionError.class, () -> AccessPattern.F4.check(store, "v/"));
    assertTrue(e.getMessage().startsWith("F4 broken: the commit of backup-"), e.getMessage());
  }
}
