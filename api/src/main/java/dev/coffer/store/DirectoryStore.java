package dev.coffer.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The built-in store: one file per object under a root directory, on any file system. A write goes
 * to a temporary name in the object's own directory (a leading dot, which no key has), is forced to
 * disk, and is then renamed over the key atomically ({@code REPLACE}) or linked to it without
 * replacing ({@code IF_ABSENT}), so readers and listings never see a partial object.
 */
final class DirectoryStore implements ObjectStore {

  private static final int BUFFER_BYTES = 64 * 1024;

  /** A concurrent delete may remove an empty parent between createDirectories and the temp file. */
  private static final int CREATE_ATTEMPTS = 5;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;
  private final boolean fsync;

  private DirectoryStore(Path root, boolean fsync) {
    this.root = root;
    this.fsync = fsync;
  }

  static DirectoryStore open(Path root, boolean fsync) throws IOException {
    Files.createDirectories(root);
    return new DirectoryStore(root, fsync);
  }

  @Override
  public URI uri() {
    return root.toUri();
  }

  private Path path(String key) {
    ObjectKeys.check(key);
    Path p = root;
    for (String segment : key.split("/")) {
      p = p.resolve(segment);
    }
    return p;
  }

  @Override
  public long write(String key, InputStream data, WriteMode mode) throws IOException {
    Path target = path(key);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    Path dir = target.getParent();
    Path temp =
        dir.resolve(
            ".tmp-" + HexFormat.of().toHexDigits(RANDOM.nextLong()) + "-" + target.getFileName());
    FileChannel channel = createTemp(dir, temp);
    boolean published = false;
    try {
      long written;
      try (FileChannel ch = channel) {
        written = copy(data, ch);
        if (fsync) {
          ch.force(true);
        }
      }
      if (mode == WriteMode.REPLACE) {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        publishIfAbsent(temp, target);
      }
      published = true;
      if (fsync) {
        forceDirectory(dir);
      }
      return written;
    } finally {
      if (!published) {
        Files.deleteIfExists(temp);
      } else if (mode == WriteMode.IF_ABSENT) {
        try {
          Files.deleteIfExists(temp); // the hard link's other name
        } catch (IOException e) {
          // The object is published (rule S3: a write that throws leaves no object, so this one
          // must not throw); the temporary name is never listed and its owner removes it later.
        }
      }
    }
  }

  private FileChannel createTemp(Path dir, Path temp) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Files.createDirectories(dir);
      try {
        return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (NoSuchFileException e) {
        if (attempt == CREATE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static long copy(InputStream data, FileChannel ch) throws IOException {
    byte[] buffer = new byte[BUFFER_BYTES];
    long total = 0;
    for (int n; (n = data.read(buffer)) >= 0; ) {
      ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
      while (bb.hasRemaining()) {
        ch.write(bb);
      }
      total += n;
    }
    return total;
  }

  /**
   * A hard link never replaces; where links are missing, a move without REPLACE_EXISTING is the
   * fallback.
   */
  private static void publishIfAbsent(Path temp, Path target) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString(), null, "object exists");
    }
    try {
      Files.createLink(target, temp);
    } catch (UnsupportedOperationException e) {
      Files.move(temp, target);
    } catch (FileSystemException e) {
      if (e instanceof FileAlreadyExistsException) {
        throw e;
      }
      // Some file systems (FAT, some network mounts) refuse hard links: fall back to a plain move.
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(target.toString(), null, "object exists");
      }
      Files.move(temp, target);
    }
  }

  /** Makes the rename durable; file systems that cannot open a directory for force are skipped. */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows and some providers cannot open directories; the file itself is already forced.
    }
  }

  @Override
  public InputStream read(String key) throws IOException {
    return read(key, 0, Long.MAX_VALUE);
  }

  @Override
  public InputStream read(String key, long offset, long length) throws IOException {
    Path p = path(key);
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(key, null, "no such object");
    }
    FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
    try {
      long size = ch.size();
      long start = Math.min(offset, size);
      ch.position(start);
      return new Limited(Channels.newInputStream(ch), Math.min(length, size - start));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    try {
      BasicFileAttributes a =
          Files.readAttributes(path(key), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isRegularFile()
          ? Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()))
          : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    ObjectKeys.checkPrefix(prefix);
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : path(prefix.substring(0, slash));
    List<ObjectInfo> found = new ArrayList<>();
    if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              String key = keyOf(file);
              if (key != null && key.startsWith(prefix)) {
                found.add(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult
                  .CONTINUE; // deleted while we walked: not there, as a listing may say
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return List.copyOf(found);
  }

  /**
   * The key of a file under the root, or null for names that are not keys (temporary files, foreign
   * names).
   */
  private String keyOf(Path file) {
    Path relative = root.relativize(file);
    StringBuilder sb = new StringBuilder();
    for (Path name : relative) {
      sb.append(sb.length() > 0 ? "/" : "").append(name);
    }
    String key = sb.toString();
    return ObjectKeys.isValid(key) ? key : null;
  }

  @Override
  public void delete(String key) throws IOException {
    Path p = path(key);
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return; // a directory is not an object: there is nothing to delete
    }
    Files.deleteIfExists(p);
    // Remove parents left empty, so a store holds no trace of deleted keys.
    for (Path dir = p.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
      try {
        Files.delete(dir);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        return;
      } catch (IOException e) {
        return; // best effort: an empty directory left behind is harmless
      }
    }
  }

  @Override
  public void close() {
    // nothing held between calls
  }

  @Override
  public String toString() {
    return "DirectoryStore[" + root.toUri() + "]";
  }

  /** Returns at most {@code remaining} bytes of the stream it wraps. */
  static final class Limited extends FilterInputStream {
    private long remaining;

    Limited(InputStream in, long remaining) {
      super(in);
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(Math.min(n, remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
