package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The small file operations every stage shares: capped reads, new small files, forced directories.
 */
final class Disk {

  private Disk() {}

  /** Reads a whole small file, refusing links and anything larger than {@code max} bytes. */
  static byte[] readCapped(Path file, long max, String id) throws IOException {
    try (FileChannel ch = FileChannel.open(file, READ, NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > max) {
        throw new CorruptBackupException(
            file.getFileName()
                + " of backup "
                + id
                + " is "
                + size
                + " bytes, more than the limit of "
                + max,
            null);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          break;
        }
      }
      byte[] out = new byte[buf.position()];
      buf.flip();
      buf.get(out);
      return out;
    } catch (FileSystemException e) {
      if (e instanceof NoSuchFileException) {
        throw e;
      }
      if (Files.isSymbolicLink(file)) {
        throw new CorruptBackupException(
            file.getFileName() + " of backup " + id + " is a symbolic link", null, e);
      }
      throw e;
    }
  }

  /** Creates {@code file} with {@code bytes}, forced to disk when {@code fsync}. */
  static void writeNew(Path file, byte[] bytes, boolean fsync) throws IOException {
    try (FileChannel ch = FileChannel.open(file, CREATE_NEW, WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (fsync) {
        ch.force(true);
      }
    }
  }

  static long sizeIfExists(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW_LINKS).size();
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  /** Forces a directory's entries to disk where the file system lets a directory be opened. */
  static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException notSupported) {
      // some file systems (Windows, Jimfs) cannot open directories; their metadata is durable
      // otherwise
    }
  }
}
