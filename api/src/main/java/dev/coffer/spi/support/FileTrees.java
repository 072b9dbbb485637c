package dev.coffer.spi.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Small file-tree operations that providers need and must not write twice. Works on any file
 * system.
 */
public final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes {@code root} and everything below it, never following symbolic links (a link is
   * deleted, not what it points to). A missing root is not an error.
   *
   * @param root the file, link or directory to delete
   * @throws IOException if something cannot be deleted
   */
  public static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw exc;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            if (exc != null) {
              throw exc;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * Whether {@code dir} is a directory (not a link to one) with no entries.
   *
   * @param dir the path to test
   * @return true for an empty directory
   * @throws IOException if the directory cannot be read
   */
  public static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  /**
   * Whether {@code path} exists (a link is not followed) under exactly its own name. On a file
   * system that looks names up case-insensitively (macOS, Windows; Jimfs osX and windows) {@code
   * ABC} finds an entry named {@code abc}; a provider looking a backup up by id must not take one
   * for the other (rule P24), or {@code delete("ABC")} deletes backup {@code abc}.
   *
   * @param path the path whose last name must match an entry exactly
   * @return true if the entry exists and its stored name equals {@code path}'s last name
   * @throws IOException if the file system cannot be read
   */
  public static boolean existsWithExactName(Path path) throws IOException {
    Path name = path.getFileName();
    if (name == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Path real;
    try {
      real = path.toRealPath(LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException gone) {
      return false;
    }
    Path realName = real.getFileName();
    return realName != null && realName.toString().equals(name.toString());
  }
}
