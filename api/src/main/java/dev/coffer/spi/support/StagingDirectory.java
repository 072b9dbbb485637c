package dev.coffer.spi.support;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.coffer.BackupException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The staging directory of one restore, reached through a handle rather than its name: a process
 * that can write the target's parent may rename the staging directory away and put a link to its
 * own directory in its place, and nothing the restore writes may then land there (issue #16).
 *
 * <p>Where the file system has a {@link SecureDirectoryStream} (the default file system on Linux
 * and macOS, Jimfs unix), files are created, timed, given modes and owners, and deleted relative to
 * the open directory ({@code openat}), so a swap of the name changes nothing they reach. Java has
 * no {@code mkdirat} or {@code symlinkat}: a directory or a link is created by name, after checking
 * that the name still leads to this directory, and then looked up through the handle; when it is
 * not there (it was made in a directory swapped in meanwhile), it is removed again by the same name
 * and the restore fails.
 *
 * <p>Without a secure directory stream (Jimfs osX and windows, Windows) every operation goes by
 * name, checked before and after: the name must still be this directory (same {@code fileKey}, or
 * creation time where the file system has no keys) and not a link. A swap is then found at the next
 * check, what was created through the swapped name is removed again, and the restore fails; a file
 * written at the very moment of a swap may be seen in the other directory while it is written.
 *
 * <p>Paths are the relative {@code /}-separated paths of {@link RelativePaths}. Thread-safe.
 */
final class StagingDirectory implements AutoCloseable {

  private static final Set<OpenOption> CREATE_FILE = Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS);

  private final Path path;
  private final Object key;
  private final FileTime created;
  private final SecureDirectoryStream<Path> handle; // null: checked names only
  private boolean handleKeepsModes; // else files with creation attributes go by checked names

  private StagingDirectory(
      Path path, BasicFileAttributes attributes, SecureDirectoryStream<Path> handle) {
    this.path = path;
    this.key = attributes.fileKey();
    this.created = attributes.creationTime();
    this.handle = handle;
  }

  /**
   * Creates the directory {@code path} (owner-only where the file system has POSIX permissions),
   * records its identity and opens a handle on it.
   */
  static StagingDirectory create(Path path) throws IOException {
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectory(
          path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(path);
    }
    BasicFileAttributes attributes = null;
    StagingDirectory dir = null;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS);
      if (!attributes.isDirectory() || attributes.isSymbolicLink()) {
        throw replaced(path); // replaced as it was created
      }
      DirectoryStream<Path> stream = Files.newDirectoryStream(path);
      SecureDirectoryStream<Path> handle = null;
      if (stream instanceof SecureDirectoryStream<Path> secure) {
        handle = secure;
      } else {
        stream.close();
      }
      dir = new StagingDirectory(path, attributes, handle);
      if (handle != null
          && !dir.same(
              handle.getFileAttributeView(BasicFileAttributeView.class).readAttributes())) {
        throw replaced(path); // the name led elsewhere by the time it was opened
      }
      dir.verify();
      dir.handleKeepsModes = dir.keepsModes();
      return dir;
    } catch (IOException | RuntimeException e) {
      try (StagingDirectory created = dir) {
        if (created != null) {
          created.deleteAll();
        } else if (attributes != null && attributes.isDirectory()) {
          Files.delete(path); // still empty: nothing was made in it
        }
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /** The directory's name (for reading; writes go through the methods below). */
  Path path() {
    return path;
  }

  /** Whether operations go through a handle (a {@link SecureDirectoryStream}). */
  boolean secure() {
    return handle != null;
  }

  /**
   * Checks that the name still leads to this directory.
   *
   * @throws BackupException if it does not (moved, replaced, or a link now)
   */
  void verify() throws IOException {
    if (!isAt(path)) {
      throw replaced(path);
    }
  }

  /** Whether {@code name} is this directory itself (not a link to it). */
  boolean isAt(Path name) throws IOException {
    try {
      return same(Files.readAttributes(name, BasicFileAttributes.class, NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private boolean same(BasicFileAttributes a) {
    return a.isDirectory()
        && !a.isSymbolicLink()
        && (key != null ? key.equals(a.fileKey()) : created.equals(a.creationTime()));
  }

  /** The attributes of {@code rel} (links not followed), or null when there is nothing there. */
  BasicFileAttributes attributes(String rel) throws IOException {
    try {
      if (handle != null) {
        return handle
            .getFileAttributeView(relative(rel), BasicFileAttributeView.class, NOFOLLOW_LINKS)
            .readAttributes();
      }
      verify();
      return Files.readAttributes(resolve(rel), BasicFileAttributes.class, NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Creates every missing parent of {@code rel}, refusing a parent that is a link or not a
   * directory.
   */
  void createParents(String rel) throws IOException {
    RelativePaths.checkStored(rel, "(restore)");
    for (int slash = rel.indexOf('/'); slash >= 0; slash = rel.indexOf('/', slash + 1)) {
      String parent = rel.substring(0, slash);
      BasicFileAttributes a = attributes(parent);
      if (a == null) {
        try {
          createDirectory(parent);
          continue;
        } catch (FileAlreadyExistsException e) {
          a = attributes(parent); // made meanwhile by another thread of this restore
          if (a == null) {
            throw e;
          }
        }
      }
      if (a.isSymbolicLink()) {
        throw RelativePaths.throughLink(rel, parent.substring(parent.lastIndexOf('/') + 1));
      }
      if (!a.isDirectory()) {
        throw RelativePaths.parentNotDirectory(rel, parent.substring(parent.lastIndexOf('/') + 1));
      }
    }
  }

  /** Creates the directory {@code rel}, whose parent exists. */
  void createDirectory(String rel, FileAttribute<?>... attributes) throws IOException {
    Path p = resolve(rel);
    verify();
    Files.createDirectory(p, attributes);
    confirmCreated(rel, p);
  }

  /** Creates the link {@code rel} to {@code target}, whose parent exists. */
  void createSymbolicLink(String rel, String target) throws IOException {
    Path p = resolve(rel);
    Path linkTarget = p.getFileSystem().getPath(target);
    verify();
    Files.createSymbolicLink(p, linkTarget);
    confirmCreated(rel, p);
  }

  /** Creates and opens the new file {@code rel} for writing, whose parent exists. */
  FileChannel newFile(String rel, FileAttribute<?>... attributes) throws IOException {
    if (handle != null && (attributes.length == 0 || handleKeepsModes)) {
      SeekableByteChannel ch = handle.newByteChannel(relative(rel), CREATE_FILE, attributes);
      if (ch instanceof FileChannel fc) {
        return fc;
      }
      ch.close(); // a handle without file channels: go by the checked name
      handle.deleteFile(relative(rel));
    }
    Path p = resolve(rel);
    verify();
    FileChannel ch = FileChannel.open(p, CREATE_FILE, attributes);
    try {
      confirmCreated(rel, p);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return ch;
  }

  /**
   * Whether a file created through the handle gets the mode it is created with: Jimfs drops it, and
   * a restore's files must never be more open than owner-only, not even for a moment. The probe
   * also checks that the directory belongs to whoever creates files here: one swapped in under the
   * name between its creation and its first look-up would be another owner's.
   */
  boolean keepsModes() throws IOException {
    if (handle == null || !path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return true;
    }
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    String probe = ".coffer-probe-" + System.nanoTime();
    handle
        .newByteChannel(
            relative(probe), CREATE_FILE, PosixFilePermissions.asFileAttribute(ownerOnly))
        .close();
    try {
      PosixFileAttributes created = posixView(probe, false).readAttributes();
      if (!created.owner().equals(posixView(null, false).readAttributes().owner())) {
        throw replaced(path);
      }
      return ownerOnly.containsAll(created.permissions());
    } finally {
      handle.deleteFile(relative(probe));
    }
  }

  /** Sets the last-modified time of {@code rel} (links not followed). */
  void setLastModifiedTime(String rel, FileTime time) throws IOException {
    basicView(rel).setTimes(time, null, null);
  }

  private BasicFileAttributeView basicView(String rel) throws IOException {
    if (handle != null) {
      return handle.getFileAttributeView(
          relative(rel), BasicFileAttributeView.class, NOFOLLOW_LINKS);
    }
    verify();
    return Files.getFileAttributeView(resolve(rel), BasicFileAttributeView.class, NOFOLLOW_LINKS);
  }

  /**
   * The POSIX view of {@code rel}, or of the directory itself for null. A link's view is reached by
   * its checked name: a handle opens what it changes, and a link cannot be opened.
   */
  PosixFileAttributeView posixView(String rel, boolean link) throws IOException {
    if (handle != null && rel == null) {
      return handle.getFileAttributeView(PosixFileAttributeView.class);
    }
    if (handle != null && !link) {
      return handle.getFileAttributeView(
          relative(rel), PosixFileAttributeView.class, NOFOLLOW_LINKS);
    }
    verify();
    return Files.getFileAttributeView(
        rel == null ? path : resolve(rel), PosixFileAttributeView.class, NOFOLLOW_LINKS);
  }

  /**
   * Sets the {@code unix:mode} of {@code rel} (or of the directory itself for null), by its checked
   * name: no handle can set the set-user-id, set-group-id and sticky bits.
   */
  void setUnixMode(String rel, int mode) throws IOException {
    Path p = rel == null ? path : resolve(rel);
    verify();
    Files.setAttribute(p, "unix:mode", mode, NOFOLLOW_LINKS);
    verify();
  }

  /** Deletes the file, link or empty directory {@code rel}. */
  void delete(String rel, boolean directory) throws IOException {
    if (handle != null) {
      if (directory) {
        handle.deleteDirectory(relative(rel));
      } else {
        handle.deleteFile(relative(rel));
      }
      return;
    }
    verify();
    Files.delete(resolve(rel));
  }

  /**
   * Removes everything in this directory and then the directory itself, as long as its name still
   * leads to it (a directory moved away by another process is emptied where it is and left there).
   */
  void deleteAll() throws IOException {
    if (handle != null) {
      empty(handle);
      if (isAt(path)) {
        Files.delete(path);
      }
    } else if (isAt(path)) {
      FileTrees.deleteRecursively(path);
    }
  }

  private static void empty(SecureDirectoryStream<Path> dir) throws IOException {
    List<Path> names = new ArrayList<>();
    for (Path entry : dir) {
      names.add(entry.getFileName());
    }
    for (Path name : names) {
      BasicFileAttributes a =
          dir.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW_LINKS)
              .readAttributes();
      if (a.isDirectory()) {
        try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, NOFOLLOW_LINKS)) {
          empty(sub);
        }
        dir.deleteDirectory(name);
      } else {
        dir.deleteFile(name);
      }
    }
  }

  /** Closes the handle. */
  @Override
  public void close() throws IOException {
    if (handle != null) {
      handle.close();
    }
  }

  /**
   * After creating {@code rel} by its name: checks that it was made in this directory, else removes
   * it again (from wherever the name led) and fails.
   */
  private void confirmCreated(String rel, Path p) throws IOException {
    boolean here;
    if (handle != null) {
      here = attributes(rel) != null;
    } else {
      here = isAt(path);
    }
    if (!here) {
      BackupException e = replaced(path);
      try {
        Files.deleteIfExists(p);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private Path resolve(String rel) {
    Path p = path;
    for (String part : rel.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  private Path relative(String rel) {
    String[] parts = rel.split("/");
    return path.getFileSystem().getPath(parts[0], Arrays.copyOfRange(parts, 1, parts.length));
  }

  static BackupException replaced(Path path) {
    return new BackupException(
        "restore stopped: its staging directory "
            + path
            + " was moved or replaced by another process; the target is left as it was");
  }
}
