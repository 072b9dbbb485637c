package dev.coffer.store;

import static java.util.Objects.requireNonNull;

/**
 * The names every store accepts (rule S1): 1 to {@value #MAX_LENGTH} characters, segments separated
 * by {@code /}, each segment 1 to {@value #MAX_SEGMENT_LENGTH} characters from {@code a-z 0-9 . _
 * -} and not starting with {@code .}. Lowercase only, so keys stay distinct on case-insensitive
 * file systems; no leading dot, so a store may keep its own temporary names beside the objects.
 */
public final class ObjectKeys {

  /** The longest key, in characters (ASCII, so also bytes). */
  public static final int MAX_LENGTH = 512;

  /**
   * The longest segment between two {@code /}, in characters: fits every file system's name limit.
   */
  public static final int MAX_SEGMENT_LENGTH = 128;

  private ObjectKeys() {}

  /**
   * Whether {@code key} is a valid key.
   *
   * @param key a candidate, may be null
   * @return true when every store accepts it
   */
  public static boolean isValid(String key) {
    return key != null && problem(key) == null;
  }

  /**
   * Checks a key.
   *
   * @param key the key
   * @return the key
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static String check(String key) {
    requireNonNull(key, "key");
    String problem = problem(key);
    if (problem != null) {
      throw new IllegalArgumentException("invalid object key '" + printable(key) + "': " + problem);
    }
    return key;
  }

  /**
   * Checks a listing prefix: empty, or the start of some valid key ({@code "backups/"} and {@code
   * "backups/2026"} both are).
   *
   * @param prefix the prefix
   * @return the prefix
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static String checkPrefix(String prefix) {
    requireNonNull(prefix, "prefix");
    if (prefix.isEmpty()) {
      return prefix;
    }
    // A prefix is valid when some key starts with it; close it with a letter to check the last
    // segment.
    String probe = prefix.endsWith("/") ? prefix + "a" : prefix;
    String problem = problem(probe);
    if (problem != null) {
      throw new IllegalArgumentException(
          "invalid object key prefix '" + printable(prefix) + "': " + problem);
    }
    return prefix;
  }

  private static String problem(String key) {
    if (key.isEmpty()) {
      return "empty";
    }
    if (key.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    int segmentStart = 0;
    for (int i = 0; i <= key.length(); i++) {
      if (i == key.length() || key.charAt(i) == '/') {
        int length = i - segmentStart;
        if (length == 0) {
          return "empty segment (leading, trailing or doubled '/')";
        }
        if (length > MAX_SEGMENT_LENGTH) {
          return "segment longer than " + MAX_SEGMENT_LENGTH + " characters";
        }
        if (key.charAt(segmentStart) == '.') {
          return "segment starts with '.'";
        }
        segmentStart = i + 1;
        continue;
      }
      char c = key.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return "character "
            + describe(c)
            + " at "
            + i
            + " (allowed: a-z 0-9 . _ - and / between segments)";
      }
    }
    return null;
  }

  private static String describe(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static String printable(String key) {
    StringBuilder sb = new StringBuilder();
    int n = Math.min(key.length(), 80);
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return key.length() > n ? sb + "..." : sb.toString();
  }
}
