package dev.coffer.testkit;

import dev.coffer.testkit.FaultyFileSystem.Operation;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Iterator;
import java.util.Set;

/**
 * A directory of the faulty file system held open, where the delegate has {@link
 * SecureDirectoryStream} (Jimfs unix, the default file system on Linux and macOS): operations
 * relative to it are counted, failed and watched like those by name, so a provider that writes
 * through a handle (a restore's staging directory) meets the same faults.
 */
final class FaultySecureDirectoryStream implements SecureDirectoryStream<Path> {

  private final FaultyFileSystem fs;
  private final Path dir;
  private final SecureDirectoryStream<Path> delegate;

  FaultySecureDirectoryStream(FaultyFileSystem fs, Path dir, SecureDirectoryStream<Path> delegate) {
    this.fs = fs;
    this.dir = dir;
    this.delegate = delegate;
  }

  /** The delegate's relative path for {@code p}, a path of the faulty file system. */
  private Path u(Path p) {
    return fs.unwrap(p);
  }

  /** The path shown in messages and to watchers: where the entry was when this was opened. */
  private Path shown(Path p) {
    return dir.resolve(p);
  }

  @Override
  public Iterator<Path> iterator() {
    return fs.wrapping(delegate.iterator());
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public SecureDirectoryStream<Path> newDirectoryStream(Path path, LinkOption... options)
      throws IOException {
    fs.plan.checkAlive(shown(path));
    return new FaultySecureDirectoryStream(
        fs, shown(path), delegate.newDirectoryStream(u(path), options));
  }

  @Override
  public SeekableByteChannel newByteChannel(
      Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    Path shown = shown(path);
    boolean write =
        options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
    boolean existed = exists(path);
    if (write
        && (options.contains(StandardOpenOption.CREATE_NEW)
            || (options.contains(StandardOpenOption.CREATE) && !existed))) {
      fs.plan.before(Operation.CREATE, shown);
    } else {
      fs.plan.checkAlive(shown);
    }
    SeekableByteChannel ch = delegate.newByteChannel(u(path), options, attrs);
    if (write) {
      fs.plan.opened(u(shown), !existed || options.contains(StandardOpenOption.TRUNCATE_EXISTING));
    }
    if (write && !existed) {
      fs.plan.changed(shown);
    }
    return ch instanceof FileChannel fc ? new FaultyChannel(fs, shown, u(shown), fc) : ch;
  }

  private boolean exists(Path path) throws IOException {
    try {
      delegate
          .getFileAttributeView(u(path), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes();
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public void deleteFile(Path path) throws IOException {
    fs.plan.before(Operation.DELETE, shown(path));
    delegate.deleteFile(u(path));
    fs.plan.deleted(u(shown(path)));
  }

  @Override
  public void deleteDirectory(Path path) throws IOException {
    fs.plan.before(Operation.DELETE, shown(path));
    delegate.deleteDirectory(u(path));
    fs.plan.deleted(u(shown(path)));
  }

  @Override
  public void move(Path srcpath, SecureDirectoryStream<Path> targetdir, Path targetpath)
      throws IOException {
    if (!(targetdir instanceof FaultySecureDirectoryStream other)) {
      throw new ProviderMismatchException("not a directory of this faulty file system");
    }
    fs.plan.before(Operation.MOVE, shown(srcpath));
    fs.plan.changed(shown(srcpath));
    delegate.move(u(srcpath), other.delegate, u(targetpath));
    fs.plan.moved(u(shown(srcpath)), u(other.shown(targetpath)));
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(Class<V> type) {
    return watched(dir, delegate.getFileAttributeView(type), type);
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(
      Path path, Class<V> type, LinkOption... options) {
    return watched(shown(path), delegate.getFileAttributeView(u(path), type, options), type);
  }

  /** Owner and POSIX views refuse owner changes and tell the watcher, as those by name do. */
  private <V extends FileAttributeView> V watched(Path shown, V view, Class<V> type) {
    if (view == null) {
      return null;
    }
    if (type == PosixFileAttributeView.class) {
      return type.cast(new WatchedViews.PosixView(fs, shown, (PosixFileAttributeView) view));
    }
    if (type == FileOwnerAttributeView.class) {
      return type.cast(new WatchedViews.OwnerView(fs, shown, (FileOwnerAttributeView) view));
    }
    return view;
  }
}
