package dev.coffer.local;

import dev.coffer.BackupRepository;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.testkit.BackupProviderConformance;
import dev.coffer.testkit.JimfsRoots;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/** Test helpers: file systems to run on, tree snapshots, small sources. */
final class Trees {

  private Trees() {}

  /** The file systems tests are parameterized over. */
  enum Fs {
    DEFAULT,
    JIMFS_UNIX,
    JIMFS_OSX,
    JIMFS_WINDOWS;

    /** A fresh directory on this file system ({@code tmp} is used for the real disk). */
    Path root(Path tmp) throws IOException {
      if (this == DEFAULT) {
        return tmp;
      }
      return JimfsRoots.of(
          switch (this) {
            case JIMFS_UNIX -> BackupProviderConformance.Fs.UNIX;
            case JIMFS_OSX -> BackupProviderConformance.Fs.OSX;
            default -> BackupProviderConformance.Fs.WINDOWS;
          });
    }
  }

  static BackupRepository open(Path repo) throws IOException {
    return new LocalBackupProvider().open(repo, Map.of("fsync", "false"));
  }

  static Path write(Path root, String rel, byte[] content) throws IOException {
    Path p = Layout.under(root, rel);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  static Path write(Path root, String rel, String content) throws IOException {
    return write(root, rel, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The seed's populate_source. */
  static Path populate(Path source) throws IOException {
    Files.createDirectories(Layout.under(source, "subdir"));
    write(source, "file1.dat", "hello world");
    write(source, "file2.dat", "test data 1234567890");
    write(source, "subdir/nested.dat", "nested content");
    return source;
  }

  /** Copies a tree (files and directories) between any two file systems. */
  static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path d = dir.equals(from) ? to : Layout.under(to, RelativePaths.relativize(from, dir));
            Files.createDirectories(d);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.write(
                Layout.under(to, RelativePaths.relativize(from, file)), Files.readAllBytes(file));
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
