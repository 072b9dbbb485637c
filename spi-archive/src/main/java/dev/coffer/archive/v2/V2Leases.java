package dev.coffer.archive.v2;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The leases of a format-2 repository: {@code leases/<id>} says "backup {@code <id>}, based on
 * {@code <base>}, is being written until {@code <expires>}". A backup writes its lease before it
 * opens its base, renews it every third of {@link #TTL} while it runs, and removes it when it ends;
 * {@code delete} and {@code prune} never remove a backup that a live lease names as base, nor any
 * backup up that base's chain (see {@link V2Removal}). A lease that expired is ignored (its writer
 * is gone), and removed by a later {@code open} once expired for longer than the leftover age.
 *
 * <pre>
 * {"backup_id": "...", "base_backup_id": "..." or null, "expires": "2026-12-06T11:00:00Z"}
 * </pre>
 *
 * A lease is not authenticated: a forged one can only keep backups from being deleted (until it
 * expires), never make one listed. At most {@link #MAX_BYTES} bytes are read of it.
 */
final class V2Leases {

  /** The key prefix of leases. */
  static final String LEASES = "leases/";

  /** How long a lease lives without renewal. */
  static final Duration TTL = Duration.ofMinutes(15);

  static final int MAX_BYTES = 4096;

  private static final ScheduledExecutorService RENEWALS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "coffer-lease-renewal");
            t.setDaemon(true);
            return t;
          });

  /** A lease as read. */
  record Lease(String backupId, String baseBackupId, Instant expires) {}

  private final ObjectStore store;
  private final String prefix;
  private final Clock clock;

  V2Leases(ObjectStore store, V2Layout layout, Clock clock) {
    this.store = store;
    this.prefix = layout.of(LEASES);
    this.clock = clock;
  }

  /** A lease held by a running backup: renewed until closed, then removed. */
  final class Held implements Closeable {
    private final String backupId;
    private final String base;
    private final ScheduledFuture<?> renewal;

    private Held(String backupId, String base) throws IOException {
      this.backupId = backupId;
      this.base = base;
      renew();
      long every = TTL.toMillis() / 3;
      this.renewal =
          RENEWALS.scheduleWithFixedDelay(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** Writes the lease again with a new expiry. */
    void renew() throws IOException {
      ObjectNode o = V2Json.object();
      o.put("backup_id", backupId);
      o.put("base_backup_id", base);
      o.put("expires", clock.instant().plus(TTL).toString());
      store.write(prefix + backupId, new ByteArrayInputStream(V2Json.bytes(o)), WriteMode.REPLACE);
    }

    private void renewQuietly() {
      try {
        renew();
      } catch (IOException | RuntimeException e) {
        // the next renewal tries again; the lease lives TTL after its last write
      }
    }

    /** Stops renewing and removes the lease; a lease left behind expires and is ignored. */
    @Override
    public void close() {
      renewal.cancel(false);
      try {
        store.delete(prefix + backupId);
      } catch (IOException | RuntimeException e) {
        // never fails a backup that is published: the lease expires and a later open removes it
      }
    }
  }

  /**
   * Writes the lease of backup {@code backupId} based on {@code base} (null for a full backup) and
   * keeps it renewed until the returned lease is closed.
   */
  Held take(String backupId, String base) throws IOException {
    return new Held(backupId, base);
  }

  /** Every lease that reads, live or expired. */
  List<Lease> all() throws IOException {
    List<Lease> out = new ArrayList<>();
    for (ObjectInfo o : store.list(prefix)) {
      String id = o.key().substring(prefix.length());
      if (!CommitStatement.validBackupId(id)) {
        continue;
      }
      try {
        out.add(read(o.key(), id));
      } catch (NoSuchFileException | CorruptBackupException e) {
        // ended meanwhile, or not a lease: it protects nothing
      }
    }
    return out;
  }

  /** The leases that have not expired. */
  List<Lease> live() throws IOException {
    Instant now = clock.instant();
    return all().stream().filter(l -> l.expires().isAfter(now)).toList();
  }

  /**
   * The backups that must stay: the base of every live lease and, through {@code listed}, every
   * backup up each base's chain (a base whose commit is gone is still named, so that a prune that
   * just removed it can put it back).
   */
  Set<String> protectedIds(Collection<BackupMetadata> listed) throws IOException {
    return protectedIds(basesOf(listed));
  }

  /** As {@link #protectedIds(Collection)}, the chains given as backup id to base id. */
  Set<String> protectedIds(Map<String, String> baseOf) throws IOException {
    Set<String> bases = new HashSet<>();
    for (Lease l : live()) {
      if (l.baseBackupId() != null) {
        bases.add(l.baseBackupId());
      }
    }
    return upChains(bases, baseOf);
  }

  /** Each listed incremental's id to its base's id, in {@code listed}'s order. */
  static Map<String, String> basesOf(Collection<BackupMetadata> listed) {
    Map<String, String> baseOf = new java.util.LinkedHashMap<>();
    for (BackupMetadata m : listed) {
      if (m.baseBackupId() != null) {
        baseOf.put(m.backupId(), m.baseBackupId());
      }
    }
    return baseOf;
  }

  /** {@code ids} and every backup up their chains, by {@code listed}'s base ids. */
  static Set<String> upChains(Collection<String> ids, Collection<BackupMetadata> listed) {
    return upChains(ids, basesOf(listed));
  }

  /** {@code ids} and every backup up their chains, by {@code baseOf} (backup id to base id). */
  static Set<String> upChains(Collection<String> ids, Map<String, String> baseOf) {
    Set<String> out = new HashSet<>();
    for (String id : ids) {
      for (String at = id; at != null && out.add(at); ) {
        at = baseOf.get(at);
      }
    }
    return out;
  }

  /**
   * Removes the leases that expired more than {@code age} ago (their writers are gone), and returns
   * the backups of the live ones.
   */
  Set<String> removeExpired(Duration age) throws IOException {
    Instant cutoff = clock.instant().minus(age);
    Instant now = clock.instant();
    Set<String> running = new HashSet<>();
    for (Lease l : all()) {
      if (l.expires().isAfter(now)) {
        running.add(l.backupId());
      } else if (l.expires().isBefore(cutoff)) {
        store.delete(prefix + l.backupId());
      }
    }
    return running;
  }

  private Lease read(String key, String id) throws IOException {
    byte[] bytes;
    try (InputStream in = store.read(key, 0, MAX_BYTES + 1)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw new CorruptBackupException("lease " + key + " is too large", key);
    }
    Lease l =
        V2Json.parse(
            bytes,
            "lease " + key,
            n -> {
              V2Json.fields(n, "backup_id", "base_backup_id", "expires");
              try {
                return new Lease(
                    V2Json.text(n, "backup_id"),
                    V2Json.text(n, "base_backup_id"),
                    Instant.parse(String.valueOf(V2Json.text(n, "expires"))));
              } catch (DateTimeParseException e) {
                throw new V2Json.Malformed("expires is not a time");
              }
            });
    if (!id.equals(l.backupId())
        || (l.baseBackupId() != null && !CommitStatement.validBackupId(l.baseBackupId()))) {
      throw new CorruptBackupException("lease " + key + " is inconsistent", key);
    }
    return l;
  }
}
