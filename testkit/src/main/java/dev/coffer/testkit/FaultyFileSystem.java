package dev.coffer.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
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
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A file system that wraps another one (Jimfs, or the default file system) and fails on demand, for
 * testing that a provider keeps its promises when I/O goes wrong (rules P10 and P17). Modelled on Lucene's
 * filter file systems: every {@link Path} it hands out wraps a path of the delegate, and every operation
 * goes through it, so a provider that only uses the paths it is given cannot escape it.
 *
 * <pre>{@code
 * FaultyFileSystem faulty = FaultyFileSystem.wrap(Jimfs.newFileSystem(Configuration.unix()));
 * Path repo = faulty.getPath("/repo");
 * faulty.failAt(7);                      // the 7th counted operation from now throws an IOException
 * faulty.failAt(3, Operation.FORCE);     // or: the 3rd force from now
 * faulty.diskFullAfter(10_000);          // writes fail once 10 000 more bytes have been written
 * faulty.shortReads(true);               // every read returns at most one byte
 * faulty.crashAt(12);                    // at the 12th operation: unforced data is lost, then everything fails
 * faulty.recover();                      // ...until the "machine" is back; open a fresh provider instance
 * faulty.clearFaults();
 * faulty.refuseOwnerChanges(true);       // setting an owner or group fails as for a non-root process
 * faulty.watchAttributes(p -> check(p)); // called after each create and attribute change, before each move
 * }</pre>
 *
 * <p>Counted operations ({@link Operation}): creating a file, directory or link; each write call
 * (including truncate); each force; each move or copy; each delete. {@link #operations()} counts them all,
 * so a test can run an operation once, read the count, and then fail each of them in turn.
 *
 * <p>A crash ({@link #crash()} or {@link #crashAt}) truncates every file written through this file system to
 * the length it had when its data was last forced (0 if never, or the length it had when opened without
 * truncation), then makes every operation fail until {@link #recover()}. The simplification, stated
 * exactly: names are durable at once (a create, move or delete survives a crash without a directory
 * force, as on a journaling file system), and data written over existing bytes is not rolled back, only
 * data beyond the last forced length is dropped.
 *
 * <p>Not supported: watch services, memory-mapped files, {@code Path#toFile}; {@link Path#toUri()} returns
 * the delegate's URI. Thread-safe.
 */
public final class FaultyFileSystem extends FileSystem {

  /** The kinds of counted operations. */
  public enum Operation {
    /** Creating a file (opening with CREATE or CREATE_NEW when it is absent), directory or link. */
    CREATE,
    /** One write call on a channel or stream, or a truncate. */
    WRITE,
    /** One {@code force} of a channel. */
    FORCE,
    /** A move (rename) or a copy. */
    MOVE,
    /** A delete. */
    DELETE
  }

  private final FileSystem delegate;
  private final FaultyProvider provider;

  private long operations;
  private long planned;
  private long plannedSeen;
  private Set<Operation> plannedKinds = EnumSet.allOf(Operation.class);
  private boolean plannedCrash;
  private long bytesLeft = Long.MAX_VALUE;
  private volatile boolean shortReads;
  private volatile boolean refuseOwners;
  private volatile Consumer<Path> watcher;
  private boolean crashed;
  private final Map<Path, Long> durableLength = new HashMap<>();

  private FaultyFileSystem(FileSystem delegate) {
    this.delegate = delegate;
    this.provider = new FaultyProvider(this);
  }

  /**
   * Wraps a file system. Closing the wrapper closes the delegate (unless it is the default file system).
   *
   * @param delegate the file system to wrap
   * @return the faulty file system, with no fault planned
   */
  public static FaultyFileSystem wrap(FileSystem delegate) {
    return new FaultyFileSystem(requireNonNull(delegate, "delegate"));
  }

  /**
   * Wraps a path of the delegate file system.
   *
   * @param path a path of the delegate
   * @return the same path on this file system
   * @throws ProviderMismatchException if the path is of another file system
   */
  public Path wrap(Path path) {
    if (path.getFileSystem() != delegate) {
      throw new ProviderMismatchException("not a path of the wrapped file system: " + path);
    }
    return new FaultyPath(this, path);
  }

  /**
   * Fails the {@code n}th counted operation from now (1 is the next one) of the given kinds (all kinds
   * when none is given) with an {@link IOException}; the fault then clears.
   *
   * @param n which operation to fail, from 1
   * @param kinds the kinds counted; all when empty
   */
  public synchronized void failAt(long n, Operation... kinds) {
    plan(n, false, kinds);
  }

  /**
   * Simulates a crash at the {@code n}th counted operation from now of the given kinds (all when none):
   * that operation and every later one fail until {@link #recover()}, and unforced data is dropped.
   *
   * @param n which operation crashes, from 1
   * @param kinds the kinds counted; all when empty
   */
  public synchronized void crashAt(long n, Operation... kinds) {
    plan(n, true, kinds);
  }

  private void plan(long n, boolean crash, Operation... kinds) {
    if (n < 1) {
      throw new IllegalArgumentException("operation numbers start at 1: " + n);
    }
    planned = n;
    plannedSeen = 0;
    plannedCrash = crash;
    plannedKinds = kinds.length == 0 ? EnumSet.allOf(Operation.class) : EnumSet.copyOf(List.of(kinds));
  }

  /**
   * Lets only {@code bytes} more bytes be written; the write that crosses the limit writes what fits and
   * then fails with a "No space left on device" {@link FileSystemException}, as do all later writes.
   *
   * @param bytes how many more bytes may be written
   */
  public synchronized void diskFullAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative byte count: " + bytes);
    }
    bytesLeft = bytes;
  }

  /**
   * Makes every read return at most one byte (a legal answer that careless read loops mishandle).
   *
   * @param enabled whether reads are short
   */
  public void shortReads(boolean enabled) {
    shortReads = enabled;
  }

  /**
   * Makes every change of an owner or group (through a {@link FileOwnerAttributeView}, a
   * {@link PosixFileAttributeView} or {@code setAttribute} of {@code owner}, {@code group}, {@code uid} or
   * {@code gid}) fail with a {@link FileSystemException} "Operation not permitted", as for a process that is
   * not root. Not cleared by {@link #clearFaults()}.
   *
   * @param refuse whether owner changes fail
   */
  public void refuseOwnerChanges(boolean refuse) {
    refuseOwners = refuse;
  }

  /**
   * Registers an observer of permissions and owners, for checking what a restore exposes at every moment
   * (rule P28): it is called with the path after each file, directory or link is created and after each
   * change of permissions or owner through this file system, and with the source path before each move. It
   * runs on the thread doing the operation and may read attributes; it should not throw.
   *
   * @param observer the observer, or {@code null} to remove it
   */
  public void watchAttributes(Consumer<Path> observer) {
    watcher = observer;
  }

  void changed(Path wrapped) {
    Consumer<Path> w = watcher;
    if (w != null) {
      w.accept(wrapped);
    }
  }

  void checkOwnerChange(Path path) throws IOException {
    if (refuseOwners) {
      throw new FileSystemException(path.toString(), null, "Operation not permitted (coffer-tck: refused owner change)");
    }
  }

  /** Simulates a crash now: unforced data is dropped and every operation fails until {@link #recover()}. */
  public synchronized void crash() {
    crashed = true;
    for (Map.Entry<Path, Long> e : durableLength.entrySet()) {
      try {
        if (Files.isRegularFile(e.getKey(), LinkOption.NOFOLLOW_LINKS) && Files.size(e.getKey()) > e.getValue()) {
          try (SeekableByteChannel ch = Files.newByteChannel(e.getKey(), StandardOpenOption.WRITE)) {
            ch.truncate(e.getValue());
          }
        }
      } catch (IOException ignored) {
        // the file went away: nothing to drop
      }
    }
    durableLength.clear();
  }

  /** Ends a simulated crash: operations work again (open a fresh repository instance to recover). */
  public synchronized void recover() {
    crashed = false;
  }

  /** Removes every planned fault (failure, crash, disk limit, short reads); does not end a crash. */
  public synchronized void clearFaults() {
    planned = 0;
    plannedSeen = 0;
    bytesLeft = Long.MAX_VALUE;
    shortReads = false;
  }

  /**
   * How many operations were counted since this file system was created or {@link #resetCount()}.
   *
   * @return the count
   */
  public synchronized long operations() {
    return operations;
  }

  /** Sets the operation count back to 0. */
  public synchronized void resetCount() {
    operations = 0;
  }

  /**
   * Whether a simulated crash is in effect.
   *
   * @return true between a crash and {@link #recover()}
   */
  public synchronized boolean crashed() {
    return crashed;
  }

  // --- hooks called by the wrappers ---

  synchronized void before(Operation kind, Path path) throws IOException {
    if (crashed) {
      throw new IOException("coffer-tck: simulated crash: " + kind + " " + path + " failed, the machine is down");
    }
    operations++;
    if (planned > 0 && plannedKinds.contains(kind) && ++plannedSeen == planned) {
      planned = 0;
      if (plannedCrash) {
        crash();
        throw new IOException("coffer-tck: simulated crash at " + kind + " " + path);
      }
      throw new IOException("coffer-tck: injected failure of " + kind + " " + path);
    }
  }

  synchronized void checkAlive(Path path) throws IOException {
    if (crashed) {
      throw new IOException("coffer-tck: simulated crash: cannot access " + path + ", the machine is down");
    }
  }

  /** Returns how many of {@code wanted} bytes may be written (fewer means: then fail). */
  synchronized long allowWrite(long wanted) {
    long ok = Math.min(wanted, bytesLeft);
    if (bytesLeft != Long.MAX_VALUE) {
      bytesLeft -= ok;
    }
    return ok;
  }

  synchronized void opened(Path file, boolean truncatedOrNew) throws IOException {
    if (truncatedOrNew) {
      durableLength.put(file, 0L);
    } else if (!durableLength.containsKey(file)) {
      durableLength.put(file, Files.size(file));
    }
  }

  synchronized void forced(Path file, long size) {
    durableLength.put(file, size);
  }

  synchronized void moved(Path from, Path to) {
    Map<Path, Long> moved = new HashMap<>();
    durableLength.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(from)) {
        moved.put(to.resolve(from.relativize(e.getKey())), e.getValue());
        return true;
      }
      return false;
    });
    durableLength.putAll(moved);
  }

  synchronized void deleted(Path p) {
    durableLength.remove(p);
  }

  boolean shortReadsEnabled() {
    return shortReads;
  }

  FileSystem delegate() {
    return delegate;
  }

  Path unwrap(Path p) {
    if (!(p instanceof FaultyPath) || ((FaultyPath) p).fs != this) {
      throw new ProviderMismatchException("not a path of this faulty file system: " + p);
    }
    return ((FaultyPath) p).delegate;
  }

  // --- FileSystem ---

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() throws IOException {
    if (delegate != java.nio.file.FileSystems.getDefault()) {
      delegate.close();
    }
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public boolean isReadOnly() {
    return delegate.isReadOnly();
  }

  @Override
  public String getSeparator() {
    return delegate.getSeparator();
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    List<Path> out = new ArrayList<>();
    delegate.getRootDirectories().forEach(p -> out.add(wrap(p)));
    return out;
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return delegate.getFileStores();
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return delegate.supportedFileAttributeViews();
  }

  @Override
  public Path getPath(String first, String... more) {
    return wrap(delegate.getPath(first, more));
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    PathMatcher m = delegate.getPathMatcher(syntaxAndPattern);
    return p -> m.matches(unwrap(p));
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return delegate.getUserPrincipalLookupService();
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("FaultyFileSystem has no watch service");
  }

  @Override
  public String toString() {
    return "FaultyFileSystem[" + delegate + "]";
  }

  // ---------------------------------------------------------------------------------------------------

  /** A path of the faulty file system: a delegate path, re-wrapped by every operation. */
  static final class FaultyPath implements Path {
    final FaultyFileSystem fs;
    final Path delegate;

    FaultyPath(FaultyFileSystem fs, Path delegate) {
      this.fs = fs;
      this.delegate = delegate;
    }

    private Path wrapOrNull(Path p) {
      return p == null ? null : new FaultyPath(fs, p);
    }

    @Override
    public FileSystem getFileSystem() {
      return fs;
    }

    @Override
    public boolean isAbsolute() {
      return delegate.isAbsolute();
    }

    @Override
    public Path getRoot() {
      return wrapOrNull(delegate.getRoot());
    }

    @Override
    public Path getFileName() {
      return wrapOrNull(delegate.getFileName());
    }

    @Override
    public Path getParent() {
      return wrapOrNull(delegate.getParent());
    }

    @Override
    public int getNameCount() {
      return delegate.getNameCount();
    }

    @Override
    public Path getName(int index) {
      return wrapOrNull(delegate.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
      return wrapOrNull(delegate.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
      return other instanceof FaultyPath && ((FaultyPath) other).fs == fs && delegate.startsWith(((FaultyPath) other).delegate);
    }

    @Override
    public boolean endsWith(Path other) {
      return other instanceof FaultyPath && ((FaultyPath) other).fs == fs && delegate.endsWith(((FaultyPath) other).delegate);
    }

    @Override
    public Path normalize() {
      return wrapOrNull(delegate.normalize());
    }

    @Override
    public Path resolve(Path other) {
      return wrapOrNull(delegate.resolve(fs.unwrap(other)));
    }

    @Override
    public Path relativize(Path other) {
      return wrapOrNull(delegate.relativize(fs.unwrap(other)));
    }

    @Override
    public URI toUri() {
      return delegate.toUri();
    }

    @Override
    public Path toAbsolutePath() {
      return wrapOrNull(delegate.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
      fs.checkAlive(this);
      return wrapOrNull(delegate.toRealPath(options));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
      throw new UnsupportedOperationException("FaultyFileSystem has no watch service");
    }

    @Override
    public int compareTo(Path other) {
      return delegate.compareTo(fs.unwrap(other));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FaultyPath && ((FaultyPath) o).fs == fs && ((FaultyPath) o).delegate.equals(delegate);
    }

    @Override
    public int hashCode() {
      return delegate.hashCode();
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  // ---------------------------------------------------------------------------------------------------

  /** The provider: unwraps, counts, fails, delegates, re-wraps. */
  static final class FaultyProvider extends FileSystemProvider {
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
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
      return newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
      Path p = u(path);
      boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
      boolean existed = Files.exists(p, LinkOption.NOFOLLOW_LINKS);
      if (write && (options.contains(StandardOpenOption.CREATE_NEW) || (options.contains(StandardOpenOption.CREATE) && !existed))) {
        fs.before(Operation.CREATE, path);
      } else {
        fs.checkAlive(path);
      }
      FileChannel ch = d(p).newFileChannel(p, options, attrs);
      if (write) {
        fs.opened(p, !existed || options.contains(StandardOpenOption.TRUNCATE_EXISTING));
      }
      if (write && !existed) {
        fs.changed(path);
      }
      return new FaultyChannel(fs, path, p, ch);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
      fs.checkAlive(dir);
      DirectoryStream<Path> s = d(u(dir)).newDirectoryStream(u(dir), p -> filter.accept(fs.wrap(p)));
      return new DirectoryStream<>() {
        @Override
        public Iterator<Path> iterator() {
          Iterator<Path> it = s.iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public Path next() {
              return fs.wrap(it.next());
            }
          };
        }

        @Override
        public void close() throws IOException {
          s.close();
        }
      };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
      fs.before(Operation.CREATE, dir);
      d(u(dir)).createDirectory(u(dir), attrs);
      fs.changed(dir);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
      fs.before(Operation.CREATE, link);
      d(u(link)).createSymbolicLink(u(link), target instanceof FaultyPath ? u(target) : fs.delegate.getPath(target.toString()), attrs);
      fs.changed(link);
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
      fs.before(Operation.CREATE, link);
      d(u(link)).createLink(u(link), u(existing));
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
      fs.checkAlive(link);
      return fs.wrap(d(u(link)).readSymbolicLink(u(link)));
    }

    @Override
    public void delete(Path path) throws IOException {
      fs.before(Operation.DELETE, path);
      d(u(path)).delete(u(path));
      fs.deleted(u(path));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
      fs.before(Operation.MOVE, target);
      long size = Files.isRegularFile(u(source)) ? Files.size(u(source)) : 0;
      if (fs.allowWrite(size) < size) {
        throw new FileSystemException(target.toString(), null, "No space left on device");
      }
      d(u(source)).copy(u(source), u(target), options);
      fs.opened(u(target), true);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
      fs.before(Operation.MOVE, source);
      fs.changed(source);
      d(u(source)).move(u(source), u(target), options);
      fs.moved(u(source), u(target));
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
      fs.checkAlive(path);
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
      fs.checkAlive(path);
      d(u(path)).checkAccess(u(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
      V view = d(u(path)).getFileAttributeView(u(path), type, options);
      if (view == null) {
        return null;
      }
      if (type == PosixFileAttributeView.class) {
        return type.cast(new WatchedPosixView(fs, path, (PosixFileAttributeView) view));
      }
      if (type == FileOwnerAttributeView.class) {
        return type.cast(new WatchedOwnerView(fs, path, (FileOwnerAttributeView) view));
      }
      return view;
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
        throws IOException {
      fs.checkAlive(path);
      return d(u(path)).readAttributes(u(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
      fs.checkAlive(path);
      return d(u(path)).readAttributes(u(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
      fs.checkAlive(path);
      String name = attribute.substring(attribute.indexOf(':') + 1);
      if (name.equals("owner") || name.equals("group") || name.equals("uid") || name.equals("gid")) {
        fs.checkOwnerChange(path);
      }
      d(u(path)).setAttribute(u(path), attribute, value, options);
      fs.changed(path);
    }
  }

  // ---------------------------------------------------------------------------------------------------

  /** A channel that counts writes and forces, limits bytes, shortens reads and dies with a crash. */
  static final class FaultyChannel extends FileChannel {
    private final FaultyFileSystem fs;
    private final Path shown;
    private final Path file;
    private final FileChannel delegate;

    FaultyChannel(FaultyFileSystem fs, Path shown, Path file, FileChannel delegate) {
      this.fs = fs;
      this.shown = shown;
      this.file = file;
      this.delegate = delegate;
    }

    private ByteBuffer limitRead(ByteBuffer dst) {
      if (fs.shortReadsEnabled() && dst.remaining() > 1) {
        ByteBuffer one = dst.duplicate();
        one.limit(one.position() + 1);
        return one;
      }
      return dst;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      fs.checkAlive(shown);
      ByteBuffer b = limitRead(dst);
      int n = delegate.read(b);
      if (b != dst && n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      fs.checkAlive(shown);
      ByteBuffer b = limitRead(dst);
      int n = delegate.read(b, position);
      if (b != dst && n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      for (int i = offset; i < offset + length; i++) {
        if (dsts[i].hasRemaining()) {
          return read(dsts[i]);
        }
      }
      return 0;
    }

    private int doWrite(ByteBuffer src, long position) throws IOException {
      fs.before(Operation.WRITE, shown);
      int wanted = src.remaining();
      long allowed = fs.allowWrite(wanted);
      ByteBuffer part = src;
      if (allowed < wanted) {
        part = src.duplicate();
        part.limit(part.position() + (int) allowed);
      }
      int n = 0;
      while (part.hasRemaining()) {
        n += position < 0 ? delegate.write(part) : delegate.write(part, position + n);
      }
      if (part != src) {
        src.position(src.position() + n);
        throw new FileSystemException(shown.toString(), null, "No space left on device");
      }
      return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return doWrite(src, -1);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return doWrite(src, position);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        n += doWrite(srcs[i], -1);
      }
      return n;
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      fs.checkAlive(shown);
      return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      fs.before(Operation.WRITE, shown);
      delegate.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      fs.before(Operation.FORCE, shown);
      delegate.force(metaData);
      fs.forced(file, delegate.size());
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
      long done = 0;
      while (done < count) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), count - done));
        int n = read(buf, position + done);
        if (n <= 0) {
          break;
        }
        buf.flip();
        while (buf.hasRemaining()) {
          target.write(buf);
        }
        done += n;
      }
      return done;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
      long done = 0;
      while (done < count) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), count - done));
        int n = src.read(buf);
        if (n <= 0) {
          break;
        }
        buf.flip();
        while (buf.hasRemaining()) {
          done += doWrite(buf, position + done);
        }
      }
      return done;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException("FaultyFileSystem does not map files");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      fs.checkAlive(shown);
      return new Lock(this, delegate.lock(position, size, shared));
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      fs.checkAlive(shown);
      FileLock l = delegate.tryLock(position, size, shared);
      return l == null ? null : new Lock(this, l);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }

  /** A lock whose channel is the faulty channel. */
  static final class Lock extends FileLock {
    private final FileLock delegate;

    Lock(FileChannel channel, FileLock delegate) {
      super(channel, delegate.position(), delegate.size(), delegate.isShared());
      this.delegate = delegate;
    }

    @Override
    public boolean isValid() {
      return delegate.isValid();
    }

    @Override
    public void release() throws IOException {
      delegate.release();
    }
  }

  /** An owner view that refuses owner changes on demand and reports them to the watcher. */
  private static class WatchedOwnerView implements FileOwnerAttributeView {
    final FaultyFileSystem fs;
    final Path path;
    private final FileOwnerAttributeView view;

    WatchedOwnerView(FaultyFileSystem fs, Path path, FileOwnerAttributeView view) {
      this.fs = fs;
      this.path = path;
      this.view = view;
    }

    @Override
    public String name() {
      return view.name();
    }

    @Override
    public UserPrincipal getOwner() throws IOException {
      fs.checkAlive(path);
      return view.getOwner();
    }

    @Override
    public void setOwner(UserPrincipal owner) throws IOException {
      fs.checkAlive(path);
      fs.checkOwnerChange(path);
      view.setOwner(owner);
      fs.changed(path);
    }
  }

  /** A POSIX view that refuses owner changes on demand and reports every change to the watcher. */
  private static final class WatchedPosixView extends WatchedOwnerView implements PosixFileAttributeView {
    private final PosixFileAttributeView view;

    WatchedPosixView(FaultyFileSystem fs, Path path, PosixFileAttributeView view) {
      super(fs, path, view);
      this.view = view;
    }

    @Override
    public PosixFileAttributes readAttributes() throws IOException {
      fs.checkAlive(path);
      return view.readAttributes();
    }

    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) throws IOException {
      fs.checkAlive(path);
      view.setTimes(lastModifiedTime, lastAccessTime, createTime);
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
      fs.checkAlive(path);
      view.setPermissions(perms);
      fs.changed(path);
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
      fs.checkAlive(path);
      fs.checkOwnerChange(path);
      view.setGroup(group);
      fs.changed(path);
    }
  }
}
