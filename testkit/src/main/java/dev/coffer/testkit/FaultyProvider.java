package dev.coffer.testkit;

import dev.coffer.testkit.FaultyFileSystem.Operation;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** The provider: unwraps, counts, fails, delegates, re-wraps. */
final class FaultyProvider extends FileSystemProvider {
  private final FaultyFileSystem fs;

  FaultyProvider(FaultyFileSystem fs) {
    this.fs = fs;
  }

  private Path u(Path p) {
    return fs.unwrap(p);
  }

  private static FileSystemProvider d(Path delegatePath) {
    return delegatePath.getFileSystem().provider();
  }

  @Override
  public String getScheme() {
    return "coffer-faulty";
  }

  @Override
  public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
    throw new UnsupportedOperationException("create a FaultyFileSystem with FaultyFileSystem.wrap");
  }

  @Override
  public FileSystem getFileSystem(URI uri) {
    throw new UnsupportedOperationException("FaultyFileSystem is not reachable by URI");
  }

  @Override
  public Path getPath(URI uri) {
    throw new UnsupportedOperationException("FaultyFileSystem is not reachable by URI");
  }

  @Override
  public SeekableByteChannel newByteChannel(
      Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    return newFileChannel(path, options, attrs);
  }

  @Override
  public FileChannel newFileChannel(
      Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    Path p = u(path);
    boolean write =
        options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
    if (!write) {
      fs.plan.openingForReading(p);
    }
    boolean existed = Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    if (write
        && (options.contains(StandardOpenOption.CREATE_NEW)
            || (options.contains(StandardOpenOption.CREATE) && !existed))) {
      fs.plan.before(Operation.CREATE, path);
    } else {
      fs.plan.checkAlive(path);
    }
    FileChannel ch = d(p).newFileChannel(p, options, attrs);
    if (write) {
      fs.plan.opened(p, !existed || options.contains(StandardOpenOption.TRUNCATE_EXISTING));
    }
    if (write && !existed) {
      fs.plan.changed(path);
    }
    return new FaultyChannel(fs, path, p, ch);
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(
      Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
    fs.plan.checkAlive(dir);
    DirectoryStream<Path> s = d(u(dir)).newDirectoryStream(u(dir), p -> filter.accept(fs.wrap(p)));
    if (s instanceof SecureDirectoryStream<Path> secure) {
      return new FaultySecureDirectoryStream(fs, dir, secure);
    }
    return new DirectoryStream<>() {
      @Override
      public Iterator<Path> iterator() {
        return fs.wrapping(s.iterator());
      }

      @Override
      public void close() throws IOException {
        s.close();
      }
    };
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    fs.plan.before(Operation.CREATE, dir);
    d(u(dir)).createDirectory(u(dir), attrs);
    fs.plan.changed(dir);
  }

  @Override
  public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs)
      throws IOException {
    fs.plan.before(Operation.CREATE, link);
    d(u(link))
        .createSymbolicLink(
            u(link),
            target instanceof FaultyPath ? u(target) : fs.delegate().getPath(target.toString()),
            attrs);
    fs.plan.changed(link);
  }

  @Override
  public void createLink(Path link, Path existing) throws IOException {
    fs.plan.before(Operation.CREATE, link);
    d(u(link)).createLink(u(link), u(existing));
  }

  @Override
  public Path readSymbolicLink(Path link) throws IOException {
    fs.plan.checkAlive(link);
    return fs.wrap(d(u(link)).readSymbolicLink(u(link)));
  }

  @Override
  public void delete(Path path) throws IOException {
    fs.plan.before(Operation.DELETE, path);
    d(u(path)).delete(u(path));
    fs.plan.deleted(u(path));
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    fs.plan.before(Operation.MOVE, target);
    long size = Files.isRegularFile(u(source)) ? Files.size(u(source)) : 0;
    if (fs.plan.allowWrite(size) < size) {
      throw new FileSystemException(target.toString(), null, "No space left on device");
    }
    d(u(source)).copy(u(source), u(target), options);
    fs.plan.opened(u(target), true);
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    fs.plan.before(Operation.MOVE, source);
    fs.plan.changed(source);
    d(u(source)).move(u(source), u(target), options);
    fs.plan.moved(u(source), u(target));
  }

  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    fs.plan.checkAlive(path);
    if (!(path2 instanceof FaultyPath)) {
      return false;
    }
    return d(u(path)).isSameFile(u(path), u(path2));
  }

  @Override
  public boolean isHidden(Path path) throws IOException {
    return d(u(path)).isHidden(u(path));
  }

  @Override
  public FileStore getFileStore(Path path) throws IOException {
    return d(u(path)).getFileStore(u(path));
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    fs.plan.checkAlive(path);
    d(u(path)).checkAccess(u(path), modes);
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(
      Path path, Class<V> type, LinkOption... options) {
    V view = d(u(path)).getFileAttributeView(u(path), type, options);
    if (view == null) {
      return null;
    }
    if (type == PosixFileAttributeView.class) {
      return type.cast(new WatchedViews.PosixView(fs, path, (PosixFileAttributeView) view));
    }
    if (type == FileOwnerAttributeView.class) {
      return type.cast(new WatchedViews.OwnerView(fs, path, (FileOwnerAttributeView) view));
    }
    return view;
  }

  @Override
  public <A extends BasicFileAttributes> A readAttributes(
      Path path, Class<A> type, LinkOption... options) throws IOException {
    fs.plan.checkAlive(path);
    return d(u(path)).readAttributes(u(path), type, options);
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    fs.plan.checkAlive(path);
    return d(u(path)).readAttributes(u(path), attributes, options);
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
      throws IOException {
    fs.plan.checkAlive(path);
    String name = attribute.substring(attribute.indexOf(':') + 1);
    if (name.equals("owner") || name.equals("group") || name.equals("uid") || name.equals("gid")) {
      fs.plan.checkOwnerChange(path);
    }
    d(u(path)).setAttribute(u(path), attribute, value, options);
    fs.plan.changed(path);
  }
}
