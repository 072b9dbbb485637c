package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The entries found under a data directory, links never followed, each kind sorted by path. */
final class StoredTree {
  /** Regular files and their sizes. */
  final Map<String, Long> files = new TreeMap<>(RelativePaths.ORDER);

  final Set<String> directories = new TreeSet<>(RelativePaths.ORDER);

  /** Anything else (links, special files, malformed names), with what it is. */
  final Map<String, String> others = new TreeMap<>(RelativePaths.ORDER);

  static StoredTree walk(Path data) throws IOException {
    StoredTree s = new StoredTree();
    if (!Files.exists(data, NOFOLLOW_LINKS)) {
      return s;
    }
    if (!Files.isDirectory(data, NOFOLLOW_LINKS)) {
      s.others.put(Layout.DATA, "not a directory");
      return s;
    }
    Files.walkFileTree(
        data,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (!d.equals(data)) {
              String rel = RelativePaths.relativize(data, d);
              if (RelativePaths.basicProblem(rel).isPresent()) {
                s.others.put(rel, "malformed name");
                return FileVisitResult.SKIP_SUBTREE;
              }
              s.directories.add(rel);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            String rel = RelativePaths.relativize(data, f);
            if (RelativePaths.basicProblem(rel).isPresent()) {
              s.others.put(rel, "malformed name");
            } else if (attrs.isRegularFile()) {
              s.files.put(rel, attrs.size());
            } else {
              s.others.put(rel, attrs.isSymbolicLink() ? "symbolic link" : "special file");
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return s;
  }
}
