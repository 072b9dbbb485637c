package dev.coffer.archive.v2;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.ProgressListener;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A format-2 {@code archive} repository in a directory ({@code coffer:archive:<dir>?format=2}) or
 * an object store ({@code coffer:archive:s3://bucket/prefix?format=2}), opened by {@link V2Places}:
 * a {@code coffer-repository} config object and, per backup, {@code data/<id>}, {@code
 * manifests/<id>}, {@code meta/<id>} and {@code commits/<id>} (written last: a backup exists when
 * its commit does) on a {@link dev.coffer.store.ObjectStore}. Each operation is a class of its own:
 * {@link V2BackupOperation}, {@link V2RestoreOperation}, {@link V2VerifyOperation}; this class
 * opens the repository, lists and deletes. Thread-safe.
 *
 * <p>{@link #list()} lists {@code commits/} and reads, per backup, its commit (the summary: counts,
 * sizes, type, base) and its small sealed metadata object (labels, warnings, source), both cached
 * per instance by object size and time, so a repeated listing costs one listing and one stat-free
 * pass over the cache; no manifest and no key slot is opened.
 */
public final class V2Repository implements BackupRepository {

  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");

  private record Cached(long size, java.time.Instant modified, BackupMetadata metadata) {}

  /** The repository directory, or null for a repository in an object store ({@link #where}). */
  final Path location;

  /** Where the repository is, for messages: its directory or its store's URI. */
  final String where;

  final ObjectStore store;
  final V2Settings settings;
  final V2Location v2;
  private final V2ArchiveReader reader;
  private final V2ArchiveWriter writer;
  private final SecretBytes metaKey;
  private final SecretBytes previousMetaKey;
  private final RepositoryConfig config;
  final V2Catalog catalog;
  final V2Leases leases;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;
  private volatile boolean rekeyed;

  private V2Repository(
      Path location,
      String where,
      ObjectStore store,
      V2Settings settings,
      RepositoryConfig config) {
    this.location = location;
    this.where = where;
    this.store = store;
    this.settings = settings;
    this.v2 = new V2Location(store, "", config.repositoryId());
    this.config = config;
    SecretBytes master = config.master();
    Identities identities =
        master != null
            ? Identities.symmetric(master)
            : settings.identities.isEmpty() ? null : Identities.x25519(settings.identities);
    if (identities != null && config.previous() != null) {
      identities = identities.withPrevious(config.previous()); // an unfinished rekey
    }
    Recipients recipients =
        master != null
            ? Recipients.symmetric(master)
            : settings.recipients.isEmpty() ? null : Recipients.x25519(settings.recipients);
    V2ArchiveReader r = identities == null ? null : new V2ArchiveReader(v2, identities);
    this.reader =
        r == null || settings.trustedHost == null ? r : r.trustingOnly(settings.trustedHost);
    this.writer =
        recipients == null
            ? null
            : new V2ArchiveWriter(
                v2,
                recipients,
                Optional.ofNullable(settings.signer),
                settings.writeOptions(),
                f -> Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS),
                settings.clock);
    this.metaKey = master == null ? null : V2Metadata.key(master, config.repositoryId());
    this.previousMetaKey =
        config.previous() == null ? null : V2Metadata.key(config.previous(), config.repositoryId());
    this.catalog = V2Catalog.of(v2, master, settings);
    this.leases = new V2Leases(store, v2.layout(), settings.clock);
  }

  /**
   * The reader of backups; a write-only host (recipients, no identity) has none.
   *
   * @throws WrongKeyException on a write-only host
   */
  V2ArchiveReader reader() throws WrongKeyException {
    if (reader == null) {
      throw new WrongKeyException(
          "repository "
              + where
              + " is write-only here: reading its backups needs option identity-file");
    }
    return reader;
  }

  /** Whether this host can open backups (a write-only host, recipients and no identity, cannot). */
  boolean canRead() {
    return reader != null;
  }

  /** The writer of backups; a reader given identities only has none. */
  V2ArchiveWriter writer() {
    if (writer == null) {
      throw new IllegalArgumentException(
          "backing up to write-only repository "
              + where
              + " needs option recipient or "
              + "recipients-file");
    }
    return writer;
  }

  /** The key that seals the metadata object of the archive with {@code keys}. */
  SecretBytes metaKey(V2Keys keys) {
    return metaKey != null ? metaKey : V2Metadata.archiveKey(keys);
  }

  /**
   * Opens the format-2 repository in {@code store} ({@link V2Places} checks where it is first):
   * checks the key and mode against its {@code coffer-repository} object before anything else is
   * written, then removes the objects of backups whose writer is gone.
   *
   * @param location the repository directory the store is over, or null for an object store
   * @param where the directory or the store's URI, for messages
   */
  static V2Repository open(
      ObjectStore store, Path location, String where, V2Settings settings, String requestedMode)
      throws IOException {
    RepositoryConfig config = RekeyState.openConfig(store, where, settings, requestedMode);
    V2Repository repo = new V2Repository(location, where, store, settings, config);
    new V2Leftovers(repo).remove();
    return repo;
  }

  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("repository " + where + " is closed");
    }
    if (rekeyed) {
      throw new IllegalStateException(
          "repository " + where + " was rekeyed: open it again with the new keys");
    }
  }

  /**
   * Key rotation ({@link V2Rekey}): re-wraps every archive's data key to {@code newKeys} (the key
   * options of {@code open}), writing key slots and sealed metadata only. This instance is retired
   * afterwards: open the repository again with the new keys.
   */
  @Override
  public dev.coffer.RekeyReport rekey(
      Map<String, String> newKeys, java.util.function.Consumer<dev.coffer.RekeyReport> progress)
      throws IOException {
    ensureOpen();
    Objects.requireNonNull(progress, "progress");
    V2Settings next = settings.newKeys(Objects.requireNonNull(newKeys, "newKeys"));
    synchronized (lifecycle) {
      dev.coffer.RekeyReport report = new V2Rekey(this, config).run(next, progress);
      rekeyed = true;
      cache.clear();
      return report;
    }
  }

  V2Layout layout() {
    return v2.layout();
  }

  /** Whether {@code id} can name a backup here (store keys are lowercase). */
  static boolean storable(BackupId id) {
    return CommitStatement.validBackupId(id.value())
        && dev.coffer.store.ObjectKeys.isValid(V2Layout.COMMITS + id.value());
  }

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    ensureOpen();
    Objects.requireNonNull(request, "request");
    return new V2BackupOperation(this).run(request);
  }

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    ensureOpen();
    Objects.requireNonNull(request, "request");
    requireExisting(request.backupId());
    // not the listing's cache: a store's times have whole seconds, and a same-size rewrite within
    // that second would be taken for the cached object (P17)
    BackupMetadata m = readMetadata(request.backupId().value());
    new V2RestoreOperation(this).run(request);
    return m;
  }

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, ProgressListener.NONE);
  }

  @Override
  public VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
    ensureOpen();
    requireExisting(backupId);
    return new V2VerifyOperation(this, backupId.value(), listener).run();
  }

  private void requireExisting(BackupId id) throws IOException {
    if (!storable(id) || store.stat(layout().commit(id.value())).isEmpty()) {
      throw new NoSuchBackupException(id.value());
    }
  }

  @Override
  public List<BackupMetadata> list() throws IOException {
    ensureOpen();
    List<BackupMetadata> out = new ArrayList<>();
    catalog(out, new ArrayList<>());
    out.sort(BackupMetadata.NEWEST_FIRST);
    return out;
  }

  @Override
  public List<BackupId> unlisted() throws IOException {
    ensureOpen();
    List<String> out = new ArrayList<>();
    catalog(new ArrayList<>(), out);
    Collections.sort(out);
    return out.stream().map(BackupId::of).toList();
  }

  private void catalog(List<BackupMetadata> listed, List<String> unlisted) throws IOException {
    String prefix = layout().commits();
    List<ObjectInfo> commits = store.list(prefix);
    Map<String, BackupMetadata> known = catalog.entries(); // only commits listed count
    for (ObjectInfo o : commits) {
      String id = o.key().substring(prefix.length());
      if (!CommitStatement.validBackupId(id)) {
        continue;
      }
      BackupMetadata k = known.get(id);
      if (k != null) {
        listed.add(k);
        continue;
      }
      try {
        listed.add(metadata(id, o));
      } catch (CorruptBackupException | NoSuchFileException | NoSuchBackupException skipped) {
        // a commit or metadata object that does not authenticate is not a complete backup of this
        // repository: verify(id) reports it
        LOG.log(
            System.Logger.Level.WARNING,
            "backup {0} left out of the listing: {1}",
            id,
            skipped.toString());
        unlisted.add(id);
      }
    }
  }

  /** The metadata of backup {@code id}: its commit's summary and its metadata object. */
  BackupMetadata metadata(String id) throws IOException {
    Optional<ObjectInfo> commit = store.stat(layout().commit(id));
    if (commit.isEmpty()) {
      throw new NoSuchBackupException(id);
    }
    return metadata(id, commit.get());
  }

  private BackupMetadata metadata(String id, ObjectInfo commitInfo) throws IOException {
    Optional<ObjectInfo> meta = store.stat(layout().meta(id));
    if (meta.isEmpty()) {
      throw new CorruptBackupException("metadata object of backup " + id + " is missing", null);
    }
    long size = commitInfo.sizeBytes() * 31 + meta.get().sizeBytes();
    java.time.Instant modified =
        commitInfo.lastModified().isAfter(meta.get().lastModified())
            ? commitInfo.lastModified()
            : meta.get().lastModified();
    Cached c = cache.get(id);
    if (c != null && c.size() == size && c.modified().equals(modified)) {
      return c.metadata();
    }
    BackupMetadata m = readMetadata(id);
    cache.put(id, new Cached(size, modified, m));
    return m;
  }

  /** Reads and opens backup {@code id}'s commit and metadata object, trusting no cache. */
  BackupMetadata readMetadata(String id) throws IOException {
    CommitObject commit = reader().commit(id);
    if (settings.trustedHost != null) {
      commit.verifySignature(settings.trustedHost); // listed only when signed by the trusted host
    }
    V2Summary summary = V2Summary.decode(commit.statement().summary(), id);
    byte[] stored;
    try (InputStream in = store.read(layout().meta(id), 0, V2Metadata.MAX_BYTES + 1)) {
      stored = in.readNBytes(V2Metadata.MAX_BYTES + 1);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CorruptBackupException("metadata object of backup " + id + " is missing", null, e);
    }
    UUID archiveId = commit.statement().archiveId();
    if (metaKey != null && previousMetaKey != null) {
      try {
        return V2Metadata.open(metaKey, v2.repositoryId(), archiveId, summary, stored);
      } catch (CorruptBackupException notYetRekeyed) {
        return V2Metadata.open(previousMetaKey, v2.repositoryId(), archiveId, summary, stored);
      }
    }
    if (metaKey != null) {
      return V2Metadata.open(metaKey, v2.repositoryId(), archiveId, summary, stored);
    }
    V2Keys keys = commit.openKeys(Identities.x25519(settings.identities));
    SecretBytes key = V2Metadata.archiveKey(keys);
    try {
      return V2Metadata.open(key, v2.repositoryId(), archiveId, summary, stored);
    } finally {
      key.destroy();
      keys.destroy();
    }
  }

  @Override
  public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
    ensureOpen();
    if (!storable(backupId)) {
      return Optional.empty();
    }
    try {
      return Optional.of(metadata(backupId.value()));
    } catch (NoSuchBackupException | NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  @Override
  public long storedBytes(BackupId backupId) throws IOException {
    ensureOpen();
    requireExisting(backupId);
    String id = backupId.value();
    long total = 0;
    for (String key :
        List.of(layout().data(id), layout().manifest(id), layout().meta(id), layout().commit(id))) {
      total += store.stat(key).map(ObjectInfo::sizeBytes).orElse(0L);
    }
    return total;
  }

  @Override
  public void delete(BackupId backupId) throws IOException {
    ensureOpen();
    synchronized (lifecycle) {
      requireExisting(backupId);
      new V2Removal(this).delete(backupId.value()); // never a base a listed backup or lease needs
    }
  }

  /** Drops what this instance remembers of backup {@code id}. */
  void forget(String id) {
    cache.remove(id);
  }

  /** Deletes a backup's objects, its commit first: a half-deleted backup is never listed. */
  void remove(String id) throws IOException {
    store.delete(layout().commit(id));
    cache.remove(id);
    store.delete(layout().meta(id));
    store.delete(layout().manifest(id));
    store.delete(layout().data(id));
  }

  @Override
  public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    ensureOpen();
    Objects.requireNonNull(policy, "policy");
    synchronized (lifecycle) {
      return new V2Removal(this).prune(policy); // keeps what a kept backup or a live lease needs
    }
  }

  @Override
  public RepositoryInfo info() {
    return settings.info;
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      store.close();
    }
  }

  @Override
  public String toString() {
    return "V2Repository["
        + where
        + ", format 2, "
        + (metaKey != null ? "encrypted" : "recipients")
        + "]";
  }
}
