package dev.coffer.testkit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The complete state of a directory tree on any file system: every directory, file (with its bytes)
 * and symbolic link (with its target text), by {@code /}-separated relative path. A test fixture
 * for round trips and "nothing changed" checks:
 *
 * <pre>{@code
 * Snapshot before = Snapshot.of(repository);
 * ... an operation that must change nothing ...
 * assertEquals(before, Snapshot.of(repository), () -> before.differences(Snapshot.of(repository)));
 * }</pre>
 *
 * <p>Contract: links are never followed; permissions and owners are ignored, and so are times
 * unless the snapshot is taken {@link #withTimes with file times}; a file that vanishes while the
 * tree is walked (a concurrent writer's temporary file) is left out. Two snapshots are {@linkplain
 * #equals equal} when both trees are absent, or both exist and hold the same names, kinds, bytes
 * and link targets; an absent tree differs from an empty directory. A snapshot holds every file's
 * bytes in memory (a fixture for test-sized trees) and is immutable.
 */
public final class Snapshot {

  /** What one entry is. */
  public enum Kind {
    /** A directory (the snapshot's root itself is not an entry). */
    DIRECTORY,
    /** A regular file, with its bytes. */
    FILE,
    /** A symbolic link, with its target text. */
    LINK
  }

  /**
   * One entry: a kind and, for files, the bytes, for links, the target text.
   *
   * @param kind what the entry is
   * @param bytes a file's content (not copied: do not modify it); {@code null} for directories and
   *     links
   * @param linkTarget a link's target text exactly as stored; {@code null} for directories and
   *     files
   */
  public record Entry(Kind kind, byte[] bytes, String linkTarget) {
    /**
     * The number of bytes of a file; 0 for directories and links.
     *
     * @return the size in bytes
     */
    public long size() {
      return bytes == null ? 0 : bytes.length;
    }

    /**
     * Whether {@code other} is the same entry: the same kind, bytes and link target.
     *
     * @param other another entry
     * @return true when they are the same
     */
    public boolean same(Entry other) {
      return kind == other.kind
          && Arrays.equals(bytes, other.bytes)
          && Objects.equals(linkTarget, other.linkTarget);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry && same((Entry) o);
    }

    @Override
    public int hashCode() {
      return Objects.hash(kind, Arrays.hashCode(bytes), linkTarget);
    }

    @Override
    public String toString() {
      return describe(this);
    }
  }

  private final boolean exists;
  private final Map<String, Entry> entries;

  /**
   * Each regular file's last-modified time in milliseconds, or {@code null} when times were not
   * recorded.
   */
  private final Map<String, Long> fileTimes;

  private Snapshot(boolean exists, Map<String, Entry> entries, Map<String, Long> fileTimes) {
    this.exists = exists;
    this.entries = Collections.unmodifiableMap(entries);
    this.fileTimes = fileTimes == null ? null : Collections.unmodifiableMap(fileTimes);
  }

  /**
   * Takes a snapshot of {@code root}: a directory (its entries, not itself), a single file or link
   * (one entry with the empty path), or nothing (an "absent" snapshot, which differs from an empty
   * directory).
   *
   * @param root the tree to read, on any file system
   * @return its snapshot
   * @throws IOException if the tree cannot be read
   */
  public static Snapshot of(Path root) throws IOException {
    return take(root, null);
  }

  /**
   * As {@link #of}, and also records each regular file's last-modified time to the millisecond, for
   * tests of restored times. Such a snapshot equals only another one taken with times, of the same
   * tree with the same file times (directory times are not recorded).
   *
   * @param root the tree to read, on any file system
   * @return its snapshot, with file times
   * @throws IOException if the tree cannot be read
   */
  public static Snapshot withTimes(Path root) throws IOException {
    return take(root, new TreeMap<>());
  }

  private static Snapshot take(Path root, Map<String, Long> times) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return new Snapshot(false, new TreeMap<>(), times);
    }
    Map<String, Entry> out = new TreeMap<>();
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      BasicFileAttributes attrs =
          Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      out.put("", read(root, attrs));
      if (times != null && attrs.isRegularFile()) {
        times.put("", attrs.lastModifiedTime().toMillis());
      }
      return new Snapshot(true, out, times);
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(root)) {
              out.put(rel(root, dir), new Entry(Kind.DIRECTORY, null, null));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            try {
              out.put(rel(root, file), read(file, attrs));
              if (times != null && attrs.isRegularFile()) {
                times.put(rel(root, file), attrs.lastModifiedTime().toMillis());
              }
            } catch (NoSuchFileException e) {
              // vanished while we walked (a concurrent writer's temporary file): not part of the
              // state
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw exc;
          }
        });
    return new Snapshot(true, out, times);
  }

  private static Entry read(Path file, BasicFileAttributes attrs) throws IOException {
    if (attrs.isSymbolicLink()) {
      return new Entry(Kind.LINK, null, Files.readSymbolicLink(file).toString());
    }
    if (attrs.isDirectory()) {
      return new Entry(Kind.DIRECTORY, null, null);
    }
    return new Entry(Kind.FILE, Files.readAllBytes(file), null);
  }

  static String rel(Path root, Path p) {
    StringBuilder sb = new StringBuilder();
    for (Path part : root.relativize(p)) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  /**
   * Whether the tree existed when the snapshot was taken.
   *
   * @return false for an absent tree
   */
  public boolean exists() {
    return exists;
  }

  /**
   * Every entry by {@code /}-separated relative path, in path order.
   *
   * @return the entries, unmodifiable
   */
  public Map<String, Entry> entries() {
    return entries;
  }

  /**
   * The relative paths of the regular files.
   *
   * @return the paths, sorted
   */
  public Set<String> files() {
    Set<String> out = new TreeSet<>();
    entries.forEach(
        (k, v) -> {
          if (v.kind() == Kind.FILE) {
            out.add(k);
          }
        });
    return out;
  }

  /**
   * The relative paths of the directories.
   *
   * @return the paths, sorted
   */
  public Set<String> directories() {
    Set<String> out = new TreeSet<>();
    entries.forEach(
        (k, v) -> {
          if (v.kind() == Kind.DIRECTORY) {
            out.add(k);
          }
        });
    return out;
  }

  /**
   * The number of regular files.
   *
   * @return the count
   */
  public long fileCount() {
    return files().size();
  }

  /**
   * The bytes of all regular files together.
   *
   * @return the total size in bytes
   */
  public long totalBytes() {
    return entries.values().stream()
        .filter(e -> e.kind() == Kind.FILE)
        .mapToLong(Entry::size)
        .sum();
  }

  /**
   * Whether {@code other} shows the same tree (same as {@link #equals}).
   *
   * @param other another snapshot
   * @return true when both trees are absent, or both hold the same entries
   */
  public boolean sameAs(Snapshot other) {
    if (exists != other.exists
        || !entries.keySet().equals(other.entries.keySet())
        || !Objects.equals(fileTimes, other.fileTimes)) {
      return false;
    }
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (!e.getValue().same(other.entries.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Says how {@code actual} differs from this (expected) snapshot: one line per differing path, at
   * most ten.
   *
   * @param actual the snapshot to compare
   * @return the differences, or {@code "no differences"}
   */
  public String differences(Snapshot actual) {
    if (exists != actual.exists) {
      return exists
          ? "expected the directory to exist, it is absent"
          : "expected the directory to be absent, it exists";
    }
    if ((fileTimes == null) != (actual.fileTimes == null)) {
      return "one snapshot was taken with file times, the other without";
    }
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    Set<String> all = new TreeSet<>(entries.keySet());
    all.addAll(actual.entries.keySet());
    for (String path : all) {
      Entry e = entries.get(path);
      Entry a = actual.entries.get(path);
      String line = null;
      if (a == null) {
        line = "missing " + describe(e);
      } else if (e == null) {
        line = "unexpected " + describe(a);
      } else if (!e.same(a)) {
        line = "different: expected " + describe(e) + ", found " + describe(a);
      } else if (fileTimes != null
          && actual.fileTimes != null
          && !Objects.equals(fileTimes.get(path), actual.fileTimes.get(path))) {
        line =
            "last modified "
                + time(fileTimes.get(path))
                + " expected, found "
                + time(actual.fileTimes.get(path));
      }
      if (line != null) {
        if (shown++ < 10) {
          sb.append("\n    ").append(path.isEmpty() ? "." : path).append(": ").append(line);
        }
      }
    }
    if (shown > 10) {
      sb.append("\n    ... and ").append(shown - 10).append(" more");
    }
    return sb.length() == 0 ? "no differences" : sb.toString();
  }

  private static String time(Long millis) {
    return millis == null ? "(none)" : java.time.Instant.ofEpochMilli(millis).toString();
  }

  private static String describe(Entry e) {
    switch (e.kind()) {
      case DIRECTORY:
        return "directory";
      case LINK:
        return "link -> " + e.linkTarget();
      default:
        return "file of " + e.size() + " bytes";
    }
  }

  /**
   * Renders the tree, one indented entry a line with file sizes (at most 200 entries), for failure
   * messages.
   *
   * @return the rendering
   */
  public String render() {
    if (!exists) {
      return "  (absent)";
    }
    if (entries.isEmpty()) {
      return "  (empty)";
    }
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (n++ >= 200) {
        sb.append("  ... ").append(entries.size() - 200).append(" more entries\n");
        break;
      }
      int depth = e.getKey().isEmpty() ? 0 : e.getKey().split("/").length - 1;
      String name = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
      sb.append("  ").append("  ".repeat(depth)).append(name);
      switch (e.getValue().kind()) {
        case DIRECTORY:
          sb.append('/');
          break;
        case LINK:
          sb.append(" -> ").append(e.getValue().linkTarget());
          break;
        default:
          sb.append("  (").append(e.getValue().size()).append(" B)");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * This snapshot without the entry at {@code relativePath} and everything below it, for comparing
   * a tree apart from a part an operation was allowed to change.
   *
   * @param relativePath a {@code /}-separated relative path
   * @return the smaller snapshot (this one when there is no such entry)
   */
  public Snapshot without(String relativePath) {
    Map<String, Entry> kept = new TreeMap<>(entries);
    kept.keySet().removeIf(k -> k.equals(relativePath) || k.startsWith(relativePath + "/"));
    Map<String, Long> keptTimes = null;
    if (fileTimes != null) {
      keptTimes = new TreeMap<>(fileTimes);
      keptTimes.keySet().removeIf(k -> k.equals(relativePath) || k.startsWith(relativePath + "/"));
    }
    return new Snapshot(exists, kept, keptTimes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Snapshot && sameAs((Snapshot) o);
  }

  @Override
  public int hashCode() {
    return Objects.hash(exists, entries, fileTimes);
  }

  /** The {@link #render() rendering} of the tree. */
  @Override
  public String toString() {
    return render();
  }

  /** Says which paths were added and removed between two path sets. */
  static String pathChanges(Set<String> before, Set<String> after) {
    Set<String> added = new TreeSet<>(after);
    added.removeAll(before);
    Set<String> removed = new TreeSet<>(before);
    removed.removeAll(after);
    return "added " + added + ", removed " + removed;
  }

  /** Renders the tree at {@code root}, or says why it cannot. */
  static String render(Path root) {
    if (root == null) {
      return "  (no repository opened yet)";
    }
    try {
      return of(root).render();
    } catch (IOException | RuntimeException e) {
      return "  (cannot list " + root + ": " + e + ")";
    }
  }
}
