package dev.coffer.spi;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * A deterministic listing of a source directory, the one walk every provider uses: entries sorted by
 * {@link RelativePaths#ORDER} (a directory before its contents), symbolic links reported as links and never
 * followed, nothing outside the root ever visited.
 *
 * <p>The root itself may be a symbolic link to a directory (a data directory is often one); it is resolved
 * once, and nothing below it is followed. A name that breaks the {@linkplain RelativePaths basic rules} (for
 * example one containing a backslash), or an entry that is neither a file, a directory nor a link (a socket,
 * a device), fails the scan with a {@link BackupException} naming it: a backup never skips anything
 * silently.
 *
 * @param root the scanned root directory
 * @param entries every entry below the root, sorted
 */
public record SourceTree(Path root, List<SourceEntry> entries) {

  /**
   * Validates and copies the components.
   *
   * @param root as described on the record
   * @param entries as described on the record
   * @throws NullPointerException if a component is null
   */
  public SourceTree {
    requireNonNull(root, "root");
    entries = List.copyOf(entries);
  }

  /**
   * Scans {@code root}.
   *
   * @param root the source directory
   * @return the sorted listing
   * @throws NoSuchFileException if the root does not exist
   * @throws NotDirectoryException if the root is not a directory
   * @throws BackupException if an entry has an unstorable name or type
   * @throws IOException if a directory cannot be read
   */
  public static SourceTree scan(Path root) throws IOException {
    requireNonNull(root, "root");
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "backup source does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new NotDirectoryException(root.toString());
    }
    Path real = Files.isSymbolicLink(root) ? root.toRealPath() : root;
    List<SourceEntry> entries = new ArrayList<>();
    // the relative names of the directories being walked, innermost on top: a name is its parent's plus one
    // component, which is much cheaper than relativizing every path against the root
    Deque<String> parents = new ArrayDeque<>();
    Files.walkFileTree(real, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (parents.isEmpty()) {
          parents.push("");
        } else {
          String rel = name(real, parents.peek(), dir);
          entries.add(new SourceEntry(rel, SourceEntry.Type.DIRECTORY, 0, attrs.lastModifiedTime().toInstant(), null));
          parents.push(rel);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        parents.pop();
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String rel = name(real, parents.peek(), file);
        if (attrs.isSymbolicLink()) {
          String target = Files.readSymbolicLink(file).toString();
          entries.add(new SourceEntry(rel, SourceEntry.Type.SYMLINK, 0, attrs.lastModifiedTime().toInstant(), target));
        } else if (attrs.isRegularFile()) {
          entries.add(new SourceEntry(rel, SourceEntry.Type.FILE, attrs.size(), attrs.lastModifiedTime().toInstant(), null));
        } else {
          throw new BackupException("cannot back up '" + rel + "' in " + real
              + ": not a regular file, directory or symbolic link");
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        throw exc;
      }
    });
    entries.sort((a, b) -> RelativePaths.ORDER.compare(a.path(), b.path()));
    return new SourceTree(real, entries);
  }

  private static String name(Path root, String parent, Path p) throws BackupException {
    Path fileName = p.getFileName();
    String rel = parent.isEmpty() ? fileName.toString() : parent + "/" + fileName;
    Optional<String> problem = RelativePaths.basicProblem(rel);
    if (problem.isPresent()) {
      throw new BackupException("cannot back up '" + RelativePaths.printable(rel) + "' in " + root + ": " + problem.get());
    }
    return rel;
  }

  /**
   * The regular files, in order.
   *
   * @return the file entries
   */
  public List<SourceEntry> files() {
    return entries.stream().filter(e -> e.type() == SourceEntry.Type.FILE).toList();
  }

  /**
   * The symbolic links, in order.
   *
   * @return the link entries
   */
  public List<SourceEntry> symlinks() {
    return entries.stream().filter(e -> e.type() == SourceEntry.Type.SYMLINK).toList();
  }

  /**
   * The sum of the scanned sizes of the regular files.
   *
   * @return the total in bytes
   */
  public long totalBytes() {
    return entries.stream().mapToLong(SourceEntry::sizeBytes).sum();
  }

  /**
   * Fails if the tree holds a symbolic link, for providers without the {@link Capability#SYMLINKS}
   * capability (rule P9: a link is refused by name, never skipped silently).
   *
   * @throws BackupException naming the first link
   */
  public void refuseSymlinks() throws BackupException {
    for (SourceEntry e : entries) {
      if (e.type() == SourceEntry.Type.SYMLINK) {
        throw new BackupException("cannot back up symbolic link '" + RelativePaths.printable(e.path()) + "' in " + root
            + ": this provider does not store symbolic links");
      }
    }
  }
}
