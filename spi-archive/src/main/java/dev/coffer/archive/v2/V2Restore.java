package dev.coffer.archive.v2;

import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Restores an opened chain into a directory: selects the entries, checks every block reference of
 * every selected file before anything is written, then writes directories, files (block by block,
 * each authenticated and its SHA-256 checked), links, times and permission bits. Owners are not
 * restored yet (the provider's {@code RestoreAttributes} will, when v2 is wired).
 */
final class V2Restore {

  private V2Restore() {}

  static long restore(V2Chain chain, Path target, List<String> paths) throws IOException {
    V2Manifest m = chain.tip().manifest();
    for (String p : paths) {
      RelativePaths.requireValid(p);
      boolean found =
          m.files().stream().anyMatch(f -> RelativePaths.isWithin(p, f.path()))
              || m.directories().stream().anyMatch(d -> RelativePaths.isWithin(p, d.path()))
              || m.links().stream().anyMatch(l -> RelativePaths.isWithin(p, l.path()));
      if (!found) {
        throw new IllegalArgumentException(
            "backup "
                + chain.tip().backupId()
                + " holds nothing at '"
                + RelativePaths.printable(p)
                + "'");
      }
    }
    List<V2Manifest.FileEntry> files = new ArrayList<>();
    List<List<BlockResolver.Location>> where = new ArrayList<>();
    for (V2Manifest.FileEntry f : m.files()) {
      if (chosen(paths, f.path())) {
        files.add(f);
        where.add(chain.check(f));
      }
    }
    prepare(target);
    boolean posix = target.getFileSystem().supportedFileAttributeViews().contains("posix");
    List<V2Manifest.Dir> dirs = new ArrayList<>();
    for (V2Manifest.Dir d : m.directories()) {
      if (chosen(paths, d.path())) {
        dirs.add(d);
        Path dir = RelativePaths.resolveForWrite(target, d.path(), true);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(dir);
        }
      }
    }
    for (int i = 0; i < files.size(); i++) {
      V2Manifest.FileEntry f = files.get(i);
      Path file = RelativePaths.resolveForWrite(target, f.path(), true);
      boolean done = false;
      try (OutputStream out =
          Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        chain.copy(f.path(), where.get(i), out);
        done = true;
      } finally {
        if (!done) {
          Files.deleteIfExists(file);
        }
      }
      Files.setLastModifiedTime(file, FileTime.from(f.mtimeNs(), TimeUnit.NANOSECONDS));
      if (posix && f.posix() != null) {
        Files.setPosixFilePermissions(file, f.posix().toAttributes().permissionSet());
      }
    }
    for (V2Manifest.Link l : m.links()) {
      if (chosen(paths, l.path())) {
        Path link = RelativePaths.resolveForWrite(target, l.path(), true);
        Files.createSymbolicLink(link, target.getFileSystem().getPath(l.target()));
      }
    }
    if (posix) {
      for (int i = dirs.size() - 1; i >= 0; i--) {
        if (dirs.get(i).posix() != null) {
          Files.setPosixFilePermissions(
              RelativePaths.resolveForWrite(target, dirs.get(i).path(), false),
              dirs.get(i).posix().toAttributes().permissionSet());
        }
      }
    }
    return files.size();
  }

  private static boolean chosen(List<String> paths, String path) {
    if (paths.isEmpty()) {
      return true;
    }
    for (String p : paths) {
      if (RelativePaths.isWithin(p, path)) {
        return true;
      }
    }
    return false;
  }

  private static void prepare(Path target) throws IOException {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(target);
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(target)) {
      if (s.iterator().hasNext()) {
        throw new DirectoryNotEmptyException(target.toString());
      }
    }
  }
}
