package dev.coffer.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Optional;

/**
 * What every check of {@link StoreChecks} stands on: the store under test, the rule being checked,
 * the prefix it writes under, and the observations and failures shared by all rules.
 */
abstract class StoreProbe {

  final StoreRule rule;
  final ObjectStore store;
  final String base;

  StoreProbe(StoreRule rule, ObjectStore store, String base) {
    this.rule = rule;
    this.store = store;
    this.base = base;
  }

  /**
   * Deletes whatever the check left under its prefix; a failure here must not hide the check's own.
   */
  void cleanUp() {
    try {
      for (ObjectInfo o : store.list(base)) {
        store.delete(o.key());
      }
    } catch (IOException | RuntimeException e) {
      // the caller sees the check's outcome; the prefix is the user's to remove
    }
  }

  void expectAbsent(String key, String when) throws IOException {
    Optional<ObjectInfo> info = store.stat(key);
    if (info.isPresent()) {
      throw broken("stat sees " + key + " (" + info.get().sizeBytes() + " bytes) " + when);
    }
    if (store.list(key).stream().anyMatch(o -> o.key().equals(key))) {
      throw broken("list shows " + key + " " + when);
    }
    try {
      store.read(key).close();
      throw broken("read of " + key + " opened a stream " + when);
    } catch (NoSuchFileException e) {
      String leaf = key.substring(key.lastIndexOf('/') + 1);
      if (e.getMessage() == null || !e.getMessage().contains(leaf)) {
        throw broken("NoSuchFileException for " + key + " does not name it: " + e.getMessage());
      }
    }
  }

  byte[] readAll(String key) throws IOException {
    try (InputStream in = store.read(key)) {
      return in.readAllBytes();
    }
  }

  void expectEqual(byte[] got, byte[] expected, String what) {
    if (!Arrays.equals(got, expected)) {
      int at = Arrays.mismatch(got, expected);
      throw broken(
          what
              + ": read "
              + got.length
              + " bytes, expected "
              + expected.length
              + " (first difference at byte "
              + at
              + ")");
    }
  }

  AssertionError broken(String message) {
    return new AssertionError(rule.name() + " broken: " + message);
  }
}
