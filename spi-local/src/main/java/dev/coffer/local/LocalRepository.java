package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.util.Objects.requireNonNull;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.NoSuchBackupException;
import dev.coffer.ProgressListener;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A repository directory of the {@code local} provider ({@link Layout}): finds, lists and deletes
 * backups itself and hands backup, restore and verify to {@link LocalBackup}, {@link LocalRestore}
 * and {@link LocalVerify}, each given the backup's {@link StoredBackup} for its format.
 *
 * <p>Thread-safe: an instance holds no mutable state besides its closed flag, its manifest cache
 * and its copy buffers (both thread-safe); every operation works on its own files, and backups get
 * distinct ids.
 */
final class LocalRepository implements BackupRepository {

  /**
   * Created on first use, not with the class: on JDK 25 a SecureRandom initialises the JCA provider
   * tables (javax.crypto classes among them), which a `list` never needs (docs/benchmarks.md, "Cold
   * start").
   */
  private static final class Randomness {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  private final Layout layout;
  private final Settings settings;
  private final RepositoryInfo info;
  private final MetadataFiles metadata = new MetadataFiles();
  private final BufferPool buffers = new BufferPool();
  private final ParallelCopy copies;
  private volatile boolean closed;

  private LocalRepository(Layout layout, Settings settings, RepositoryInfo info) {
    this.layout = layout;
    this.settings = settings;
    this.info = info;
    this.copies = new ParallelCopy(buffers, settings.threads(), settings.fsync());
  }

  /**
   * Opens the repository at {@code location}, which {@code openedBy} describes in {@link #info()}.
   */
  static LocalRepository open(Path location, Settings settings, BackupProvider openedBy)
      throws IOException {
    if (Files.exists(location, NOFOLLOW_LINKS) && !Files.isDirectory(location)) {
      throw new NotDirectoryException(location + " (repository location is not a directory)");
    }
    Files.createDirectories(location);
    Layout layout = new Layout(location.toAbsolutePath().normalize());
    LocalRepository repo =
        new LocalRepository(layout, settings, RepositoryInfo.of(openedBy, layout.root()));
    Staging.removeLeftovers(layout);
    return repo;
  }

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    requireNonNull(request, "request");
    ensureOpen();
    StoredBackup base = request.incremental() ? stored(request.baseBackupId()) : null;
    return new LocalBackup(layout, settings, metadata, buffers, copies).run(request, base);
  }

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    requireNonNull(request, "request");
    ensureOpen();
    return new LocalRestore(copies, settings.fsync()).run(request, stored(request.backupId()));
  }

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, ProgressListener.NONE);
  }

  @Override
  public VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
    ensureOpen();
    return new LocalVerify(metadata, copies)
        .run(layout.backupDir(backupId), backupId.value(), listener);
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

  /**
   * Backup directories whose metadata reads go to {@code listed}; the ids of the others to {@code
   * unlisted}.
   */
  private void catalog(List<BackupMetadata> listed, List<String> unlisted) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.root())) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!BackupId.isValid(name) || !Files.isDirectory(p, NOFOLLOW_LINKS)) {
          continue; // dot-names (staging, deleting, locks) are never valid ids
        }
        Optional<BackupMetadata> m = metadata.forListing(p, name);
        if (m.isPresent()) {
          listed.add(m.get());
        } else {
          unlisted.add(name);
        }
      }
    }
  }

  @Override
  public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
    ensureOpen();
    Path dir = layout.existing(backupId);
    return dir == null ? Optional.empty() : metadata.forListing(dir, backupId.value());
  }

  @Override
  public void delete(BackupId backupId) throws IOException {
    ensureOpen();
    Path dir = layout.backupDir(backupId);
    byte[] random = new byte[6];
    Randomness.RANDOM.nextBytes(random);
    Path doomed = layout.deleting(backupId.value(), HexFormat.of().formatHex(random));
    try {
      // renamed first, so a half-deleted backup is never listed; open() finishes leftovers
      Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      throw new NoSuchBackupException(backupId);
    }
    FileTrees.deleteRecursively(doomed);
  }

  @Override
  public long storedBytes(BackupId backupId) throws IOException {
    ensureOpen();
    Path dir = layout.backupDir(backupId);
    StoredBackup backup = metadata.open(dir, backupId.value());
    return Disk.sizeIfExists(dir.resolve(Layout.METADATA))
        + Disk.sizeIfExists(dir.resolve(Layout.SIDECAR))
        + backup.storedDataBytes();
  }

  @Override
  public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    requireNonNull(policy, "policy");
    ensureOpen();
    List<BackupMetadata> doomed = pruneCandidates(policy);
    for (BackupMetadata b : doomed) {
      try {
        delete(b.id());
      } catch (NoSuchBackupException gone) {
        // deleted concurrently: the policy's outcome holds
      }
    }
    return doomed;
  }

  @Override
  public RepositoryInfo info() {
    return info;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "LocalRepository[" + layout + ", " + settings + "]";
  }

  /** The buffers this repository's copies use (tests look at what they give back). */
  BufferPool buffers() {
    return buffers;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("repository " + layout + " is closed");
    }
  }

  /** An existing backup, its metadata read and checked. */
  private StoredBackup stored(BackupId id) throws IOException {
    return metadata.open(layout.backupDir(id), id.value());
  }
}
