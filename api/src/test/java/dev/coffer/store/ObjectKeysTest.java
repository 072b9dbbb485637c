package dev.coffer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeysTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "backups/2026/0f3a.arc", "x.", "a-b_c.d/e", "0"})
  void validKeys_areAccepted(String key) {
    assertTrue(ObjectKeys.isValid(key));
    assertEquals(key, ObjectKeys.check(key));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "A",
        "a b",
        "a//b",
        "/a",
        "a/",
        ".a",
        "a/.tmp",
        "..",
        "a/../b",
        "a\\b",
        "\u00e9",
        "a\u0000b",
        "a:b"
      })
  void invalidKeys_areRefusedWithTheReason(String key) {
    assertFalse(ObjectKeys.isValid(key));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.check(key));
    assertTrue(e.getMessage().startsWith("invalid object key"), e.getMessage());
    assertFalse(e.getMessage().contains("\u0000"), "control characters are escaped in messages");
  }

  @ParameterizedTest
  @ValueSource(ints = {ObjectKeys.MAX_SEGMENT_LENGTH + 1, ObjectKeys.MAX_LENGTH + 1})
  void overlongKeysAndSegments_areRefused(int length) {
    String key =
        length > ObjectKeys.MAX_LENGTH
            ? ("s".repeat(100) + "/").repeat(6).substring(0, length)
            : "s".repeat(length);
    assertFalse(ObjectKeys.isValid(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "a/", "backups/20", "a/b/"})
  void prefixes_thatStartSomeKey_areAccepted(String prefix) {
    assertEquals(prefix, ObjectKeys.checkPrefix(prefix));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "a//", "A/", ".", "a/."})
  void prefixes_thatNoKeyStartsWith_areRefused(String prefix) {
    assertThrows(IllegalArgumentException.class, () -> ObjectKeys.checkPrefix(prefix));
  }
}
