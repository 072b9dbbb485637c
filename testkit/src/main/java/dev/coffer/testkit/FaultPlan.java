package dev.coffer.testkit;

import dev.coffer.testkit.FaultyFileSystem.Operation;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The faults of a {@link FaultyFileSystem}, apart from the forwarding that reaches them: it counts
 * operations, fails or crashes the planned one, limits the bytes written, shortens reads, refuses
 * owner changes, tells a watcher about attribute changes, and keeps each written file's durable
 * length for a crash. The forwarding classes ({@code FaultyProvider}, {@code FaultyChannel}, {@code
 * FaultyPath}) call its hooks before or after each operation; it knows nothing of how paths are
 * wrapped, so it works (and is tested) on the plain paths of any file system. Thread-safe.
 */
final class FaultPlan {

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

  /** An action to run just before a counted operation (a directory swapped in: issue #16). */
  private long actionLeft;

  private Runnable action;

  /** Actions to run after the nth read of a file, by delegate path (rule P34's tests). */
  private final Map<Path, ReadAction> readActions = new HashMap<>();

  /** What {@link #beforeOpenForReading} planned, by delegate path: runs at the next such open. */
  private final Map<Path, Consumer<Path>> openActions = new HashMap<>();

  /** What {@link #afterReads} planned for one file: how many reads are left before it runs. */
  private static final class ReadAction {
    long left;
    final Consumer<Path> action;

    ReadAction(long left, Consumer<Path> action) {
      this.left = left;
      this.action = action;
    }
  }

  /**
   * The length each file written since the last crash keeps when the machine crashes, by delegate
   * path.
   */
  private final Map<Path, Long> durableLength = new HashMap<>();

  // --- planning ---

  /** Fails the {@code n}th counted operation from now of the given kinds (all when none). */
  synchronized void failAt(long n, Operation... kinds) {
    plan(n, false, kinds);
  }

  /** Crashes at the {@code n}th counted operation from now of the given kinds (all when none). */
  synchronized void crashAt(long n, Operation... kinds) {
    plan(n, true, kinds);
  }

  private void plan(long n, boolean crash, Operation... kinds) {
    if (n < 1) {
      throw new IllegalArgumentException("operation numbers start at 1: " + n);
    }
    planned = n;
    plannedSeen = 0;
    plannedCrash = crash;
    plannedKinds =
        kinds.length == 0 ? EnumSet.allOf(Operation.class) : EnumSet.copyOf(List.of(kinds));
  }

  /**
   * Runs {@code action} with {@code file} once, right after the {@code n}th read call from now on a
   * channel of {@code file} returns (on the reading thread); a later plan for the same file
   * replaces it.
   */
  synchronized void afterReads(Path file, long n, Consumer<Path> action) {
    if (n < 1) {
      throw new IllegalArgumentException("read numbers start at 1: " + n);
    }
    readActions.put(file, new ReadAction(n, action));
  }

  synchronized void beforeOpenForReading(Path file, Consumer<Path> action) {
    openActions.put(file, action);
  }

  /**
   * Runs {@code action} once, just before the {@code n}th counted operation from now is done (on
   * the thread doing it); a later plan replaces this one.
   */
  synchronized void beforeOperation(long n, Runnable action) {
    if (n < 1) {
      throw new IllegalArgumentException("operation numbers start at 1: " + n);
    }
    actionLeft = n;
    this.action = action;
  }

  /** Lets only {@code bytes} more bytes be written. */
  synchronized void diskFullAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative byte count: " + bytes);
    }
    bytesLeft = bytes;
  }

  void shortReads(boolean enabled) {
    shortReads = enabled;
  }

  void refuseOwnerChanges(boolean refuse) {
    refuseOwners = refuse;
  }

  void watchAttributes(Consumer<Path> observer) {
    watcher = observer;
  }

  /** Drops unforced data now and fails every operation until {@link #recover()}. */
  synchronized void crash() {
    crashed = true;
    for (Map.Entry<Path, Long> e : durableLength.entrySet()) {
      try {
        if (Files.isRegularFile(e.getKey(), LinkOption.NOFOLLOW_LINKS)
            && Files.size(e.getKey()) > e.getValue()) {
          try (SeekableByteChannel ch =
              Files.newByteChannel(e.getKey(), StandardOpenOption.WRITE)) {
            ch.truncate(e.getValue());
          }
        }
      } catch (IOException ignored) {
        // the file went away: nothing to drop
      }
    }
    durableLength.clear();
  }

  synchronized void recover() {
    crashed = false;
  }

  /** Removes the planned failure or crash, the disk limit and short reads; does not end a crash. */
  synchronized void clearFaults() {
    planned = 0;
    plannedSeen = 0;
    bytesLeft = Long.MAX_VALUE;
    shortReads = false;
    readActions.clear();
    openActions.clear();
    action = null;
  }

  synchronized long operations() {
    return operations;
  }

  synchronized void resetCount() {
    operations = 0;
  }

  synchronized boolean crashed() {
    return crashed;
  }

  // --- hooks called by the forwarding classes ---

  /**
   * Counts an operation of {@code kind} on {@code path} (shown in messages); fails it if it is the
   * planned one.
   */
  synchronized void before(Operation kind, Path path) throws IOException {
    if (crashed) {
      throw new IOException(
          "coffer-tck: simulated crash: " + kind + " " + path + " failed, the machine is down");
    }
    operations++;
    if (action != null && --actionLeft == 0) {
      Runnable run = action;
      action = null;
      run.run(); // under the lock: the action works on the delegate's paths, not through this plan
    }
    if (planned > 0 && plannedKinds.contains(kind) && ++plannedSeen == planned) {
      planned = 0;
      if (plannedCrash) {
        crash();
        throw new IOException("coffer-tck: simulated crash at " + kind + " " + path);
      }
      throw new IOException("coffer-tck: injected failure of " + kind + " " + path);
    }
  }

  /** A read call on {@code file} returned: runs its planned action if this was the one. */
  void read(Path file) {
    Consumer<Path> run = null;
    synchronized (this) {
      ReadAction a = readActions.get(file);
      if (a != null && --a.left == 0) {
        readActions.remove(file);
        run = a.action;
      }
    }
    if (run != null) {
      run.accept(file); // outside the lock: the action may use the file system
    }
  }

  /** {@code file} is about to be opened for reading: runs its planned action, once. */
  void openingForReading(Path file) {
    Consumer<Path> run;
    synchronized (this) {
      run = openActions.remove(file);
    }
    if (run != null) {
      run.accept(file); // outside the lock: the action may use the file system
    }
  }

  /** Fails an uncounted access (a read, a listing, an attribute) while crashed. */
  synchronized void checkAlive(Path path) throws IOException {
    if (crashed) {
      throw new IOException(
          "coffer-tck: simulated crash: cannot access " + path + ", the machine is down");
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

  /**
   * A file was opened for writing: new or truncated files keep nothing in a crash, others their
   * length.
   */
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

  /** A file or directory moved: what was written below {@code from} is tracked below {@code to}. */
  synchronized void moved(Path from, Path to) {
    Map<Path, Long> moved = new HashMap<>();
    durableLength
        .entrySet()
        .removeIf(
            e -> {
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

  /** Tells the watcher, if any, that {@code path}'s attributes may have changed. */
  void changed(Path path) {
    Consumer<Path> w = watcher;
    if (w != null) {
      w.accept(path);
    }
  }

  /** Fails an owner or group change when owner changes are refused. */
  void checkOwnerChange(Path path) throws IOException {
    if (refuseOwners) {
      throw new FileSystemException(
          path.toString(), null, "Operation not permitted (coffer-tck: refused owner change)");
    }
  }
}
