package dev.coffer.store.s3;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Read-ahead for sequential ranged reads of one object, as a kernel does for files: a reader that
 * asks for the range starting where its previous range of that object ended is given a window
 * fetched in one GET, growing from {@link #FIRST_WINDOW} to {@code maxWindow} while the reads stay
 * sequential. Ranged reads are then one request per window, not one per range (an archive restore
 * asks for one range per file: thousands of small GETs, each paying a round trip).
 *
 * <p>A read that is not a continuation (the first of an object, a jump, a read from offset 0) is
 * fetched as asked, so a partial restore still reads only the ranges it needs. A window serves only
 * reads that start inside it after it was fetched; a write or delete of the object through the
 * store drops it. Objects read in ranges are immutable in Coffer's layouts (data objects are
 * written once), and objects that are replaced (a config, a catalog) are read from offset 0, which
 * never reads from a window.
 *
 * <p>Memory: at most {@link #OBJECTS} windows of at most {@code maxWindow} bytes. Thread-safe.
 */
final class ReadAhead {

  /** The first read-ahead window of a sequential reader. */
  static final int FIRST_WINDOW = 256 * 1024;

  /** Objects followed at once; the least recently read is forgotten. */
  static final int OBJECTS = 4;

  private final int maxWindow;

  private final Map<String, State> states =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
          return size() > OBJECTS;
        }
      };

  /** What is known of one object's reader: where its last read ended, and the last window. */
  private static final class State {
    long next;
    int window;
    long windowStart;
    byte[] bytes;
    boolean reachesEnd;
  }

  ReadAhead(int maxWindow) {
    this.maxWindow = maxWindow;
  }

  /**
   * The bytes [{@code offset}, {@code offset + length}) of {@code key} from the current window, or
   * null when the window does not hold them all.
   */
  synchronized InputStream cached(String key, long offset, long length) {
    State s = states.get(key);
    if (s == null || s.bytes == null || offset <= 0 || offset < s.windowStart) {
      return null;
    }
    long from = offset - s.windowStart;
    long available = s.bytes.length - from;
    if (available < 0 || (available < length && !s.reachesEnd)) {
      return null;
    }
    int n = (int) Math.min(available, length);
    s.next = offset + n;
    return new ByteArrayInputStream(s.bytes, (int) from, n);
  }

  /**
   * How many bytes to fetch for a read of {@code length} at {@code offset}: {@code length} itself,
   * unless the read continues the previous one and fits a window, then the (grown) window.
   */
  synchronized long fetchLength(String key, long offset, long length) {
    State s = states.get(key);
    if (offset <= 0 || length > maxWindow || offset > Long.MAX_VALUE - maxWindow) {
      if (offset <= 0) {
        states.remove(key);
      }
      return length;
    }
    if (s == null || s.next != offset) {
      State fresh = new State();
      fresh.next = offset + length;
      states.put(key, fresh);
      return length;
    }
    int window = s.window == 0 ? FIRST_WINDOW : Math.min(maxWindow, s.window * 2);
    if (window <= length) {
      // Reads as large as the window so far: fetched as asked, but the reader stays sequential
      // and its window grows, so reads of a few MiB are soon served two or more per GET.
      s.next = offset + length;
      s.window = window;
      s.bytes = null;
      return length;
    }
    return window;
  }

  /**
   * Keeps {@code bytes}, a window of {@code asked} bytes fetched at {@code offset} for a read of
   * {@code length}, and returns that read's bytes.
   */
  synchronized InputStream fetched(String key, long offset, long length, long asked, byte[] bytes) {
    State s = states.computeIfAbsent(key, k -> new State());
    int n = (int) Math.min(length, bytes.length);
    s.next = offset + n;
    s.window = (int) asked;
    s.windowStart = offset;
    s.bytes = bytes;
    s.reachesEnd = bytes.length < asked;
    return new ByteArrayInputStream(bytes, 0, n);
  }

  /** Drops what is known of {@code key} (it was written or deleted). */
  synchronized void forget(String key) {
    states.remove(key);
  }
}
