package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.store.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Reads a version-2 repository on an {@link dev.coffer.store.ObjectStore}: lists backups by their
 * commit objects, opens one (commit, keys through {@link Identities}, manifest), restores it
 * ({@link V2Restore}) and verifies it. Every object read is bounded before it is read and
 * authenticated before it is used. Thread-safe (it holds no mutable state).
 */
public final class V2ArchiveReader {

  private final V2Location location;
  private final Identities identities;
  private final HostPublicKey trustedHost;

  /**
   * A reader of the repository at {@code location} with the keys in {@code identities}.
   *
   * @param location the repository
   * @param identities the keys that open its key slots
   */
  public V2ArchiveReader(V2Location location, Identities identities) {
    this(location, identities, null);
  }

  private V2ArchiveReader(V2Location location, Identities identities, HostPublicKey trustedHost) {
    this.location = Objects.requireNonNull(location, "location");
    this.identities = Objects.requireNonNull(identities, "identities");
    this.trustedHost = trustedHost;
  }

  /**
   * The same reader, opening only backups whose commits (the tip's and every base's) are signed by
   * {@code host}: an unsigned commit, or one signed by another key, is a {@link
   * CorruptBackupException}. Listing is unchanged.
   *
   * @param host the host key to trust
   * @return the reader
   */
  public V2ArchiveReader trustingOnly(HostPublicKey host) {
    return new V2ArchiveReader(location, identities, Objects.requireNonNull(host, "host"));
  }

  V2Location location() {
    return location;
  }

  /**
   * Lists the backups by listing {@code commits/} and reading each commit (no key is needed). A
   * commit that is damaged, foreign or unreadable is reported in {@link V2Listing#unreadable()} and
   * does not hide the others.
   *
   * @return the backups, oldest first, and the unreadable commits
   * @throws IOException if the store cannot be listed
   */
  public V2Listing list() throws IOException {
    List<V2Summary> backups = new ArrayList<>();
    List<V2Listing.Unreadable> unreadable = new ArrayList<>();
    String prefix = location.layout().commits();
    for (ObjectInfo o : location.store().list(prefix)) {
      String id = o.key().substring(prefix.length());
      try {
        if (!CommitStatement.validBackupId(id)) {
          throw new CorruptBackupException("not a backup id", null);
        }
        CommitObject commit = readCommit(id);
        backups.add(V2Summary.decode(commit.statement().summary(), id));
      } catch (IOException e) {
        unreadable.add(
            new V2Listing.Unreadable(
                o.key(), e.getClass().getSimpleName() + ": " + e.getMessage()));
      }
    }
    backups.sort(Comparator.comparing(V2Summary::createdAt).thenComparing(V2Summary::backupId));
    return new V2Listing(backups, unreadable);
  }

  /**
   * Opens a backup: reads and decodes its commit, opens its data key with this reader's identities,
   * reads its manifest (bounded by and checked against the commit's length and SHA-256), decrypts,
   * parses and validates it.
   *
   * @param backupId the backup
   * @return the opened backup, to be closed
   * @throws NoSuchBackupException if it has no commit
   * @throws dev.coffer.WrongKeyException if no identity opens a key slot
   * @throws CorruptBackupException if an object is damaged, foreign or inconsistent
   * @throws IOException if the store cannot be read
   */
  public V2Backup open(String backupId) throws IOException {
    return open(backupId, false);
  }

  /**
   * Opens a base of a chain for its own blocks only ({@link BaseBlocks}): commit, keys and manifest
   * read and authenticated as {@link #open} does, the manifest not parsed into a {@link V2Manifest}
   * (the result's {@code manifest()} is null).
   */
  V2Backup openBlocks(String backupId) throws IOException {
    return open(backupId, true);
  }

  private V2Backup open(String backupId, boolean blocksOnly) throws IOException {
    if (!CommitStatement.validBackupId(backupId)) {
      throw new IllegalArgumentException("not a backup id: " + backupId);
    }
    CommitObject commit = readCommit(backupId);
    if (trustedHost != null) {
      commit.verifySignature(trustedHost);
    }
    CommitStatement s = commit.statement();
    V2Summary summary = V2Summary.decode(s.summary(), backupId);
    V2Keys keys = commit.openKeys(identities);
    try {
      byte[] sealed =
          readBounded(location.layout().manifest(backupId), s.manifestLengthBytes(), backupId);
      byte[] json = ManifestSealer.open(keys, s, sealed);
      if (blocksOnly) {
        return new V2Backup(commit, keys, null, summary, BaseBlocks.of(json, s));
      }
      V2Manifest m = V2Json.manifest(json, backupId);
      if (!m.archiveUuid().equals(s.archiveId()) || m.blockSize() != s.blockSizeBytes()) {
        throw new CorruptBackupException(
            "manifest of backup " + backupId + " disagrees with its commit", null);
      }
      return new V2Backup(commit, keys, m, summary, null);
    } catch (IOException | RuntimeException e) {
      keys.destroy();
      throw e;
    }
  }

  /** Reads and decodes the commit of {@code backupId} (no key needed). */
  CommitObject commit(String backupId) throws IOException {
    return readCommit(backupId);
  }

  private CommitObject readCommit(String backupId) throws IOException {
    return V2Commits.object(location, backupId);
  }

  private byte[] readBounded(String key, long length, String backupId) throws IOException {
    byte[] bytes;
    try (InputStream in = location.store().read(key, 0, length + 1)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, length + 1));
    } catch (NoSuchFileException e) {
      throw new CorruptBackupException("manifest of backup " + backupId + " is missing", null);
    }
    return bytes;
  }

  /**
   * Restores a whole backup into {@code target} (see {@link V2Restore#restore}).
   *
   * @param backupId the backup
   * @param target an empty or missing directory
   * @return the number of files written
   * @throws IOException as {@link V2Restore#restore} throws
   */
  public long restore(String backupId, Path target) throws IOException {
    return restore(backupId, target, List.of());
  }

  /**
   * Restores the chosen paths of a backup (every entry at or below one of them; all when empty)
   * into {@code target}. Every block reference of every chosen file is checked against the chain
   * before anything is written; each block is authenticated and its SHA-256 checked as it is read.
   *
   * @param backupId the backup
   * @param target an empty or missing directory
   * @param paths the chosen relative paths, empty for all
   * @return the number of files written
   * @throws IllegalArgumentException if a chosen path names nothing in the backup
   * @throws java.nio.file.DirectoryNotEmptyException if the target is not empty
   * @throws CorruptBackupException if an object of the chain is damaged
   * @throws IOException if the store or the target cannot be used
   */
  public long restore(String backupId, Path target, List<String> paths) throws IOException {
    try (V2Chain chain = V2Chain.open(this, open(backupId))) {
      return V2Restore.restore(chain, target, paths);
    }
  }

  /**
   * Verifies a backup: opens its chain, checks every reference, reads and authenticates every block
   * its files reference and checks every block and content hash.
   *
   * @param backupId the backup
   * @return how many blocks were read and checked
   * @throws CorruptBackupException at the first damage found
   * @throws IOException if the store cannot be read
   */
  public long verify(String backupId) throws IOException {
    try (V2Chain chain = V2Chain.open(this, open(backupId))) {
      List<List<BlockResolver.Location>> checked = new ArrayList<>();
      for (V2Manifest.FileEntry f : chain.tip().manifest().files()) {
        checked.add(chain.check(f));
      }
      long blocks = 0;
      List<V2Manifest.FileEntry> files = chain.tip().manifest().files();
      for (int i = 0; i < files.size(); i++) {
        blocks += chain.copy(files.get(i).path(), checked.get(i), OutputStream.nullOutputStream());
      }
      return blocks;
    }
  }

  @Override
  public String toString() {
    return "V2ArchiveReader[" + location.store().uri() + location.prefix() + "]";
  }
}
