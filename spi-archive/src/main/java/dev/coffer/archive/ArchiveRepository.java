package dev.coffer.archive;

import dev.coffer.BackupId;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.ProgressListener;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.aedb.AedbArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A repository of {@code archive} backups: a directory with a marker file and one {@code
 * <id>.coffer} per backup (names: {@link RepositoryLayout}), written under a temporary name and
 * renamed into place when complete; aedb's {@code <id>.aedbarc} archives are listed, restored and
 * verified beside them. Each request finds its {@link StoredBackup} once and hands over to the
 * operation: {@link ArchiveBackup}, {@link ArchiveRestore}, {@link ArchiveVerify}, or the aedb
 * reader. Thread-safe.
 */
final class ArchiveRepository implements dev.coffer.BackupRepository {

  /** Warnings and clean-ups a host should see (docs/observability.md). */
  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");

  /** The listing entry of an archive file as it was when read. */
  private record Cached(long size, FileTime modified, BackupMetadata metadata) {}

  private final RepositoryLayout layout;
  private final ArchiveSettings settings;
  private final RepositoryInfo info;
  private final Map<Path, Cached> cache = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  private ArchiveRepository(
      RepositoryLayout layout, ArchiveSettings settings, RepositoryInfo info) {
    this.layout = layout;
    this.settings = settings;
    this.info = info;
  }

  /**
   * Prepares the directory, checks (or records) the repository's key and mode before this instance
   * writes or trusts anything, and removes temporary files of backups that did not finish.
   *
   * @param info what {@link #info()} tells, made by the provider (which the repository does not
   *     know)
   */
  static ArchiveRepository open(
      Path location, ArchiveSettings settings, boolean explicitMode, RepositoryInfo info)
      throws IOException {
    RepositoryLayout layout = RepositoryLayout.prepare(location);
    Mode mode =
        KeyCheck.verifyOrCreate(
            location, settings.keyring(), settings.writeMode(), explicitMode, settings.entropy());
    ArchiveRepository repo = new ArchiveRepository(layout, settings.withWriteMode(mode), info);
    layout.removeStaleTemporaries(settings.clock());
    return repo;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("repository " + layout + " is closed");
    }
  }

  /** The backup {@code id} names: its Coffer archive, else aedb's archive of that id. */
  private Optional<StoredBackup> stored(String id) {
    Optional<Path> aedb = layout.findAedbArchive(id);
    if (aedb.isPresent()) {
      return Optional.of(
          new AedbArchive(
              id,
              aedb.get(),
              settings.keyring()::aedbKey,
              settings.aedbManifestKey(),
              Format.PROVIDER,
              Format.PROVIDER_VERSION));
    }
    return layout.findArchive(id).map(file -> new CofferArchive(layout, settings, id, file));
  }

  private StoredBackup lookup(String id) throws NoSuchBackupException {
    return stored(id).orElseThrow(() -> new NoSuchBackupException(String.valueOf(id)));
  }

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    ensureOpen();
    return new ArchiveBackup(layout, settings).run(request);
  }

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    ensureOpen();
    Objects.requireNonNull(request, "request");
    return lookup(request.backupId().value()).restore(request);
  }

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, ProgressListener.NONE);
  }

  @Override
  public VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
    ensureOpen();
    return lookup(backupId.value()).verify(listener);
  }

  // ---------------------------------------------------------------- metadata

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

  /**
   * Reads every archive's metadata: what authenticates goes to {@code listed}, the others' ids to
   * {@code unlisted}.
   */
  private void catalog(List<BackupMetadata> listed, List<String> unlisted) throws IOException {
    Map<String, String> names = new java.util.LinkedHashMap<>();
    layout.archiveIds().forEach(id -> names.put(id, id + Format.FILE_SUFFIX));
    layout.aedbArchiveIds().forEach(id -> names.putIfAbsent(id, id + AedbArchive.FILE_SUFFIX));
    for (Map.Entry<String, String> e : names.entrySet()) {
      try {
        listed.add(metadata(lookup(e.getKey())));
      } catch (CorruptBackupException
          | WrongKeyException
          | NoSuchFileException
          | NoSuchBackupException skipped) {
        // An archive that does not authenticate is not a complete backup of this repository
        // (damaged, planted,
        // or written with another key: the repository's own key was checked at open): verify(id)
        // reports it.
        LOG.log(
            System.Logger.Level.WARNING,
            "archive {0} left out of the listing: {1}",
            e.getValue(),
            skipped.toString());
        unlisted.add(e.getKey());
      }
    }
  }

  /** The metadata of {@code backup}, read again only when its file's size or time changed. */
  private BackupMetadata metadata(StoredBackup backup) throws IOException {
    Path p = backup.file();
    long size = Files.size(p);
    FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
    Cached c = cache.get(p);
    if (c != null && c.size() == size && c.modified().equals(modified)) {
      return c.metadata();
    }
    BackupMetadata md = backup.metadata();
    cache.put(p, new Cached(size, modified, md));
    return md;
  }

  @Override
  public Optional<BackupMetadata> find(BackupId requested) throws IOException {
    ensureOpen();
    Optional<StoredBackup> backup = stored(requested.value());
    if (backup.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(metadata(backup.get()));
    } catch (NoSuchBackupException | NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  @Override
  public long storedBytes(BackupId requested) throws IOException {
    ensureOpen();
    return lookup(requested.value()).storedBytes();
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void delete(BackupId requested) throws IOException {
    ensureOpen();
    String backupId = requested.value();
    synchronized (lifecycle) {
      StoredBackup backup = lookup(backupId);
      List<String> dependents = new ArrayList<>();
      for (BackupMetadata b : list()) {
        if (backupId.equals(b.baseBackupId())) {
          dependents.add(b.backupId());
        }
      }
      if (!dependents.isEmpty()) {
        throw new BackupInUseException(backupId, dependents);
      }
      Files.delete(backup.file());
      cache.remove(backup.file());
    }
  }

  @Override
  public RepositoryInfo info() {
    return info;
  }

  @Override
  public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    ensureOpen();
    Objects.requireNonNull(policy, "policy");
    synchronized (lifecycle) {
      List<BackupMetadata> doomed = pruneCandidates(policy);
      // newest first: a dependent goes before its base
      for (BackupMetadata b : doomed) {
        Path file =
            stored(b.backupId()).map(StoredBackup::file).orElse(layout.archiveOf(b.backupId()));
        Files.deleteIfExists(file);
        cache.remove(file);
      }
      return doomed;
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "ArchiveRepository["
        + layout
        + ", "
        + settings.writeMode()
        + ", "
        + settings.keyring()
        + "]";
  }
}
