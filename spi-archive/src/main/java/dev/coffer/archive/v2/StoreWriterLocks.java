package dev.coffer.archive.v2;

import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The writer locks of a repository in an object store, where no process can hold a lock: a writer
 * is gone when every object of its backup is older than {@link #STALE}. A backup being written has
 * no visible object until its data object is complete (a store write is complete or absent), then
 * writes its manifest, metadata and commit within seconds; so the objects of a backup without a
 * commit that are all older than a day are those of a writer that died. Nothing is written for a
 * lock: {@link #begin} costs no request.
 */
public final class StoreWriterLocks implements WriterLocks {

  /**
   * How old every object of a backup without a commit is, by default, before it counts as abandoned
   * (option {@code leftover-hours}).
   */
  public static final Duration STALE = Duration.ofHours(24);

  /** The least leftover age: more than a lease's life, so a running backup is never collected. */
  public static final Duration MIN_AGE = Duration.ofHours(1);

  /** The greatest leftover age (a year). */
  public static final Duration MAX_AGE = Duration.ofDays(365);

  private final ObjectStore store;
  private final Clock clock;
  private final Duration age;
  private final V2Layout layout = new V2Layout("");

  /**
   * The locks of the repository at the root of {@code store}, with the default leftover age.
   *
   * @param store the repository's store
   * @param clock the clock that tells an object's age (the store's times are its server's)
   */
  public StoreWriterLocks(ObjectStore store, Clock clock) {
    this(store, clock, STALE);
  }

  /**
   * The locks of the repository at the root of {@code store}.
   *
   * @param store the repository's store
   * @param clock the clock that tells an object's age (the store's times are its server's)
   * @param age how old every object of a backup without a commit is before it counts as abandoned,
   *     from {@link #MIN_AGE} to {@link #MAX_AGE}
   */
  public StoreWriterLocks(ObjectStore store, Clock clock, Duration age) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (age.compareTo(MIN_AGE) < 0 || age.compareTo(MAX_AGE) > 0) {
      throw new IllegalArgumentException("leftover age " + age + " is not from 1 hour to 365 days");
    }
    this.age = age;
  }

  @Override
  public Duration leftoverAge() {
    return age;
  }

  /** A writer on a store holds no lock: it is judged gone by the age of its objects. */
  @Override
  public boolean seesRunningWriters() {
    return false;
  }

  @Override
  public Closeable begin(String backupId) {
    return () -> {};
  }

  @Override
  public boolean abandoned(String backupId) throws IOException {
    Instant cutoff = clock.instant().minus(age);
    for (String key :
        List.of(layout.data(backupId), layout.manifest(backupId), layout.meta(backupId))) {
      Optional<ObjectInfo> o = store.stat(key);
      if (o.isPresent() && !o.get().lastModified().isBefore(cutoff)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<String> lockedIds() {
    return List.of();
  }

  @Override
  public String toString() {
    return "StoreWriterLocks[" + store.uri() + ", stale after " + age + "]";
  }
}
