package dev.coffer.local;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupRepository;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import dev.coffer.spi.support.RelativePaths;

/** Test helpers: file systems to run on, tree snapshots, small sources. */
final class Trees {

  private Trees() {}

  /** The file systems tests are parameterized over. */
  enum Fs {
    DEFAULT, JIMFS_UNIX, JIMFS_OSX, JIMFS_WINDOWS;

    /** A fresh directory on this file system ({@code tmp} is used for the real disk). */
    Path root(Path tmp) throws IOException {
      if (this == DEFAULT) {
        return tmp;
      }
      Configuration c = switch (this) {
        case JIMFS_UNIX -> Configuration.unix();
        case JIMFS_OSX -> Configuration.osX();
        default -> Configuration.windows();
      };
      FileSystem fs = Jimfs.newFileSystem(c);
      Path root = fs.getRootDirectories().iterator().next().resolve("work");
      return Files.createDirectories(root);
    }
  }

  static BackupRepository open(Path repo) throws IOException {
    return new LocalBackupProvider().open(repo, Map.of("fsync", "false"));
  }

  static Path write(Path root, String rel, byte[] content) throws IOException {
    Path p = LocalRepository.under(root, rel);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  static Path write(Path root, String rel, String content) throws IOException {
    return write(root, rel, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The seed's populate_source. */
  static Path populate(Path source) throws IOException {
    Files.createDirectories(LocalRepository.under(source, "subdir"));
    write(source, "file1.dat", "hello world");
    write(source, "file2.dat", "test data 1234567890");
    write(source, "subdir/nested.dat", "nested content");
    return source;
  }

  /**
   * A comparable picture of a tree: every entry's relative path mapped to "dir", "link:target" or the
   * hex of the file's content (and its mtime in millis when {@code withTimes}).
   */
  static Map<String, String> snapshot(Path root, boolean withTimes) throws IOException {
    Map<String, String> out = new TreeMap<>(RelativePaths.ORDER);
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      out.put("", "absent");
      return out;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (!dir.equals(root)) {
          out.put(RelativePaths.relativize(root, dir), "dir");
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String rel = RelativePaths.relativize(root, file);
        if (attrs.isSymbolicLink()) {
          out.put(rel, "link:" + Files.readSymbolicLink(file));
        } else {
          byte[] b = Files.readAllBytes(file);
          String v = b.length > 4096 ? b.length + ":" + java.util.Arrays.hashCode(b) : HexFormat.of().formatHex(b);
          out.put(rel, withTimes ? v + "@" + attrs.lastModifiedTime().toMillis() : v);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return out;
  }

  /** Copies a tree (files and directories) between any two file systems. */
  static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Path d = dir.equals(from) ? to : LocalRepository.under(to, RelativePaths.relativize(from, dir));
        Files.createDirectories(d);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.write(LocalRepository.under(to, RelativePaths.relativize(from, file)), Files.readAllBytes(file));
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
