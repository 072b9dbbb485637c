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
 * The complete state of a directory tree: every directory, file (with its bytes) and symbolic link (with
 * its target text), by {@code /}-separated relative path. Links are never followed. Two snapshots are equal
 * when the trees hold the same names, types, bytes and link targets; timestamps are ignored.
 */
final class Snapshot {

  /** What one entry is. */
  enum Kind { DIRECTORY, FILE, LINK }

  /** One entry: a kind and, for files, the bytes, for links, the target text. */
  record Entry(Kind kind, byte[] bytes, String linkTarget) {
    long size() {
      return bytes == null ? 0 : bytes.length;
    }

    boolean same(Entry other) {
      return kind == other.kind && Arrays.equals(bytes, other.bytes) && Objects.equals(linkTarget, other.linkTarget);
    }
  }

  private final boolean exists;
  private final Map<String, Entry> entries;

  private Snapshot(boolean exists, Map<String, Entry> entries) {
    this.exists = exists;
    this.entries = Collections.unmodifiableMap(entries);
  }

  /**
   * Takes a snapshot of {@code root}; an absent root gives an "absent" snapshot, which differs from an
   * empty directory.
   */
  static Snapshot of(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return new Snapshot(false, new TreeMap<>());
    }
    Map<String, Entry> out = new TreeMap<>();
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      out.put("", read(root, Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
      return new Snapshot(true, out);
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (!dir.equals(root)) {
          out.put(rel(root, dir), new Entry(Kind.DIRECTORY, null, null));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        try {
          out.put(rel(root, file), read(file, attrs));
        } catch (NoSuchFileException e) {
          // vanished while we walked (a concurrent writer's temporary file): not part of the state
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
    return new Snapshot(true, out);
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

  boolean exists() {
    return exists;
  }

  Map<String, Entry> entries() {
    return entries;
  }

  /** The relative paths of the regular files. */
  Set<String> files() {
    Set<String> out = new TreeSet<>();
    entries.forEach((k, v) -> {
      if (v.kind() == Kind.FILE) {
        out.add(k);
      }
    });
    return out;
  }

  /** The relative paths of the directories. */
  Set<String> directories() {
    Set<String> out = new TreeSet<>();
    entries.forEach((k, v) -> {
      if (v.kind() == Kind.DIRECTORY) {
        out.add(k);
      }
    });
    return out;
  }

  long fileCount() {
    return files().size();
  }

  long totalBytes() {
    return entries.values().stream().filter(e -> e.kind() == Kind.FILE).mapToLong(Entry::size).sum();
  }

  boolean sameAs(Snapshot other) {
    if (exists != other.exists || !entries.keySet().equals(other.entries.keySet())) {
      return false;
    }
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (!e.getValue().same(other.entries.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Says how {@code actual} differs from this (expected) snapshot, at most a few lines. */
  String differences(Snapshot actual) {
    if (exists != actual.exists) {
      return exists ? "expected the directory to exist, it is absent" : "expected the directory to be absent, it exists";
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

  /** Renders the tree, one entry a line with sizes, for failure messages. */
  String render() {
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
