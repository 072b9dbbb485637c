package dev.coffer.local;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed manifests of the backups one repository instance wrote or read last, so that the
 * common sequence of a long-lived host (a full backup, then incrementals on it, verify, restore)
 * parses each {@code metadata.json} once.
 *
 * <p>An entry is keyed by the backup id and by the exact bytes of its {@code metadata.json}:
 * callers always read the file first and get the cached manifest only when those bytes are
 * identical to the ones it was parsed from, so a changed, replaced or damaged file is parsed (and
 * judged) anew and a stale entry can never be returned. Holds at most {@link #MAX_JSON_BYTES} of
 * JSON (least recently used entries go first); a manifest larger than that is never cached.
 * Thread-safe.
 */
final class ManifestCache {

  /**
   * Bound on the JSON bytes the cache keeps (the parsed manifests are of the same order of size).
   */
  static final int MAX_JSON_BYTES = 8 << 20;

  private record Entry(byte[] json, Manifest manifest) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long jsonBytes;

  /** The manifest parsed from exactly these bytes of backup {@code id}'s metadata, or null. */
  synchronized Manifest get(String id, byte[] json) {
    Entry e = entries.get(id);
    return e != null && Arrays.equals(e.json, json) ? e.manifest : null;
  }

  /**
   * Remembers that {@code json} parses to {@code manifest}; the caller no longer changes {@code
   * json}.
   */
  synchronized void put(String id, byte[] json, Manifest manifest) {
    Entry old = entries.remove(id);
    if (old != null) {
      jsonBytes -= old.json.length;
    }
    if (json.length > MAX_JSON_BYTES) {
      return;
    }
    Iterator<Entry> eldest = entries.values().iterator();
    while (jsonBytes + json.length > MAX_JSON_BYTES && eldest.hasNext()) {
      jsonBytes -= eldest.next().json.length;
      eldest.remove();
    }
    entries.put(id, new Entry(json, manifest));
    jsonBytes += json.length;
  }
}
