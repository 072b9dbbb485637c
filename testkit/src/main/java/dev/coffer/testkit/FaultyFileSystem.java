package dev.coffer.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A file system that wraps another one (Jimfs, or the default file system) and fails on demand, for
 * testing that a provider keeps its promises when I/O goes wrong (rules P10 and P17). Modelled on
 * Lucene's filter file systems: every {@link Path} it hands out wraps a path of the delegate, and
 * every operation goes through it, so a provider that only uses the paths it is given cannot escape
 * it.
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
 * faulty.beforeOperation(5, () -> swap());  // another process acts just before the 5th operation
 * }</pre>
 *
 * <p>Counted operations ({@link Operation}): creating a file, directory or link; each write call
 * (including truncate); each force; each move or copy; each delete. {@link #operations()} counts
 * them all, so a test can run an operation once, read the count, and then fail each of them in
 * turn.
 *
 * <p>A crash ({@link #crash()} or {@link #crashAt}) truncates every file written through this file
 * system to the length it had when its data was last forced (0 if never, or the length it had when
 * opened without truncation), then makes every operation fail until {@link #recover()}. The
 * simplification, stated exactly: names are durable at once (a create, move or delete survives a
 * crash without a directory force, as on a journaling file system), and data written over existing
 * bytes is not rolled back, only data beyond the last forced length is dropped.
 *
 * <p>Where the delegate has {@link java.nio.file.SecureDirectoryStream} (Jimfs unix, the default
 * file system on Linux and macOS), {@code Files.newDirectoryStream} returns one too, whose creates,
 * deletes, moves and attribute views are counted, failed and watched like those by name.
 *
 * <p>Not supported: watch services, memory-mapped files, {@code Path#toFile}; {@link Path#toUri()}
 * returns the delegate's URI. Thread-safe.
 *
 * <p>Two layers, as Okio keeps its forwarding file system apart from what it adds: the forwarding
 * layer (this class, {@code FaultyPath}, {@code FaultyProvider}, {@code FaultyChannel}) unwraps,
 * delegates and re-wraps; the fault plan ({@code FaultPlan}) decides what fails, counts and tracks
 * durable lengths.
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
  final FaultPlan plan = new FaultPlan();

  private FaultyFileSystem(FileSystem delegate) {
    this.delegate = delegate;
    this.provider = new FaultyProvider(this);
  }

  /**
   * Wraps a file system. Closing the wrapper closes the delegate (unless it is the default file
   * system).
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

  /** A directory listing of the delegate, each entry {@linkplain #wrap(Path) wrapped}. */
  Iterator<Path> wrapping(Iterator<Path> entries) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return entries.hasNext();
      }

      @Override
      public Path next() {
        return wrap(entries.next());
      }
    };
  }

  /**
   * Fails the {@code n}th counted operation from now (1 is the next one) of the given kinds (all
   * kinds when none is given) with an {@link IOException}; the fault then clears.
   *
   * @param n which operation to fail, from 1
   * @param kinds the kinds counted; all when empty
   */
  public void failAt(long n, Operation... kinds) {
    plan.failAt(n, kinds);
  }

  /**
   * Simulates a crash at the {@code n}th counted operation from now of the given kinds (all when
   * none): that operation and every later one fail until {@link #recover()}, and unforced data is
   * dropped.
   *
   * @param n which operation crashes, from 1
   * @param kinds the kinds counted; all when empty
   */
  public void crashAt(long n, Operation... kinds) {
    plan.crashAt(n, kinds);
  }

  /**
   * Lets only {@code bytes} more bytes be written; the write that crosses the limit writes what
   * fits and then fails with a "No space left on device" {@link FileSystemException}, as do all
   * later writes.
   *
   * @param bytes how many more bytes may be written
   */
  public void diskFullAfter(long bytes) {
    plan.diskFullAfter(bytes);
  }

  /**
   * Runs {@code action} once, right after the {@code n}th read call from now on a channel of {@code
   * file} returns, on the thread that read: a file that changes while a provider reads it (rule
   * P34). The action gets the path of the wrapped file system, so it changes the file without
   * counting operations or meeting faults. A later plan for the same file replaces this one; {@link
   * #clearFaults()} removes it.
   *
   * @param file a path of this file system
   * @param n which read runs the action, from 1
   * @param action what to do to the file, such as append to it or truncate it; should not throw
   * @throws ProviderMismatchException if the path is of another file system
   * @throws IllegalArgumentException if {@code n} is below 1
   */
  public void afterReads(Path file, long n, Consumer<Path> action) {
    plan.afterReads(unwrap(file), n, requireNonNull(action, "action"));
  }

  /**
   * Runs {@code action} once, the next time {@code file} is opened for reading, just before the
   * open reaches the wrapped file system: the file a backup scanned is deleted or replaced (renamed
   * over by another) between the scan and the read (rule P34), whatever a provider does between the
   * two. The action gets the path of the wrapped file system, so it changes the file without
   * counting operations or meeting faults. A later plan for the same file replaces this one; {@link
   * #clearFaults()} removes it.
   *
   * @param file a path of this file system
   * @param action what to do to the file, such as delete or replace it; should not throw
   * @throws ProviderMismatchException if the path is of another file system
   */
  public void beforeOpenForReading(Path file, Consumer<Path> action) {
    plan.beforeOpenForReading(unwrap(file), requireNonNull(action, "action"));
  }

  /**
   * Runs {@code action} once, just before the {@code n}th counted operation from now is done, on
   * the thread doing it: another process acting in the middle of an operation, such as one that
   * swaps a restore's staging directory for a link (rule P21). The action should work on the
   * wrapped file system's own paths, so it neither counts operations nor meets faults; it should
   * not throw. {@link #clearFaults()} removes it.
   *
   * @param n which operation the action precedes, from 1
   * @param action what the other process does
   * @throws IllegalArgumentException if {@code n} is below 1
   */
  public void beforeOperation(long n, Runnable action) {
    plan.beforeOperation(n, requireNonNull(action, "action"));
  }

  /**
   * Makes every read return at most one byte (a legal answer that careless read loops mishandle).
   *
   * @param enabled whether reads are short
   */
  public void shortReads(boolean enabled) {
    plan.shortReads(enabled);
  }

  /**
   * Makes every change of an owner or group (through a {@link FileOwnerAttributeView}, a {@link
   * PosixFileAttributeView} or {@code setAttribute} of {@code owner}, {@code group}, {@code uid} or
   * {@code gid}) fail with a {@link FileSystemException} "Operation not permitted", as for a
   * process that is not root. Not cleared by {@link #clearFaults()}.
   *
   * @param refuse whether owner changes fail
   */
  public void refuseOwnerChanges(boolean refuse) {
    plan.refuseOwnerChanges(refuse);
  }

  /**
   * Registers an observer of permissions and owners, for checking what a restore exposes at every
   * moment (rule P28): it is called with the path after each file, directory or link is created and
   * after each change of permissions or owner through this file system, and with the source path
   * before each move. It runs on the thread doing the operation and may read attributes; it should
   * not throw.
   *
   * @param observer the observer, or {@code null} to remove it
   */
  public void watchAttributes(Consumer<Path> observer) {
    plan.watchAttributes(observer);
  }

  /**
   * Simulates a crash now: unforced data is dropped and every operation fails until {@link
   * #recover()}.
   */
  public void crash() {
    plan.crash();
  }

  /**
   * Ends a simulated crash: operations work again (open a fresh repository instance to recover).
   */
  public void recover() {
    plan.recover();
  }

  /**
   * Removes every planned fault (failure, crash, disk limit, short reads); does not end a crash.
   */
  public void clearFaults() {
    plan.clearFaults();
  }

  /**
   * How many operations were counted since this file system was created or {@link #resetCount()}.
   *
   * @return the count
   */
  public long operations() {
    return plan.operations();
  }

  /** Sets the operation count back to 0. */
  public void resetCount() {
    plan.resetCount();
  }

  /**
   * Whether a simulated crash is in effect.
   *
   * @return true between a crash and {@link #recover()}
   */
  public boolean crashed() {
    return plan.crashed();
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
}
