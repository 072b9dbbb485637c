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

  /** How old every object of a backup without a commit is before it counts as abandoned. */
  public static final Duration STALE = Duration.ofHours(24);

  private final ObjectStore store;
  private final Clock clock;
  private final V2Layout layout = new V2Layout("");

  /**
   * The locks of the repository at the root of {@code store}.
   *
   * @param store the repository's store
   * @param clock the clock that tells an object's age (the store's times are its server's)
   */
  public StoreWriterLocks(ObjectStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Closeable begin(String backupId) {
    return () -> {};
  }

  @Override
  public boolean abandoned(String backupId) throws IOException {
    Instant cutoff = clock.instant().minus(STALE);
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
    return "StoreWriterLocks[" + store.uri() + ", stale after " + STALE + "]";
  }
}
