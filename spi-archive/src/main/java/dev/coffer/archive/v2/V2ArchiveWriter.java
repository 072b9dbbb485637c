package dev.coffer.archive.v2;

import dev.coffer.archive.SecretBytes;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes one version-2 backup of a source directory to a repository on an {@link
 * dev.coffer.store.ObjectStore}: {@code data/<id>} streamed as its blocks are sealed ({@link
 * BlockStream}), then {@code manifests/<id>}, then {@code commits/<id>} last, which publishes the
 * backup: a writer that fails before it leaves no listed backup (and removes what it wrote, where
 * it still can).
 *
 * <p>An {@linkplain #incremental incremental} does not read a file whose stats equal its base
 * entry's under the racily-clean rule of {@link V2WriteOptions}, and references the base's blocks
 * instead; it reads a changed file and stores only the blocks whose SHA-256 differs from the base's
 * block at the same index. It uses its base's block size. Instances are thread-safe; each call
 * writes one backup.
 */
public final class V2ArchiveWriter {

  private final V2Location location;
  private final Recipients recipients;
  private final Optional<HostSigningKey> signer;
  private final V2WriteOptions options;
  private final BlockStream.FileOpener opener;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * A writer to the repository at {@code location}.
   *
   * @param location the repository
   * @param recipients whom each archive's data key is wrapped for
   * @param signer the host's signing key, or empty for unsigned commits
   * @param options block size, level, workers, rehash and granularity
   */
  public V2ArchiveWriter(
      V2Location location,
      Recipients recipients,
      Optional<HostSigningKey> signer,
      V2WriteOptions options) {
    this(
        location,
        recipients,
        signer,
        options,
        f -> Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS),
        Clock.systemUTC());
  }

  V2ArchiveWriter(
      V2Location location,
      Recipients recipients,
      Optional<HostSigningKey> signer,
      V2WriteOptions options,
      BlockStream.FileOpener opener,
      Clock clock) {
    this.location = Objects.requireNonNull(location, "location");
    this.recipients = Objects.requireNonNull(recipients, "recipients");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.options = Objects.requireNonNull(options, "options");
    this.opener = opener;
    this.clock = clock;
  }

  /**
   * Writes a full backup of {@code source}: every file is read.
   *
   * @param source the directory to back up (any file system)
   * @return the committed backup's summary
   * @throws dev.coffer.BackupException if the source holds an unstorable entry
   * @throws IOException if the source cannot be read or the store written; no backup is then listed
   */
  public V2Summary full(Path source) throws IOException {
    return write(source, null);
  }

  /**
   * Writes an incremental backup of {@code source} on {@code base} (opened by a {@link
   * V2ArchiveReader} of the same repository).
   *
   * @param source the directory to back up
   * @param base the base backup, opened
   * @return the committed backup's summary
   * @throws IllegalArgumentException if the base belongs to another repository
   * @throws dev.coffer.BackupException if the base's chain is already as long as a chain may be
   *     (take a full backup)
   * @throws IOException as {@link #full} throws
   */
  public V2Summary incremental(Path source, V2Backup base) throws IOException {
    Objects.requireNonNull(base, "base");
    if (!base.statement().repositoryId().equals(location.repositoryId())) {
      throw new IllegalArgumentException(
          "base " + base.backupId() + " belongs to another repository");
    }
    return write(source, base);
  }

  private V2Summary write(Path source, V2Backup base) throws IOException {
    Instant scanStart = clock.instant();
    SourceTree tree = SourceTree.scan(source);
    return write(BackupIds.newId().value(), scanStart, tree, base, new Hooks() {}, null);
  }

  /**
   * What a backup operation adds to the writer (rules P30 to P34 and the metadata object): how a
   * file is opened and checked, what was left out, the finisher's entries, progress of unchanged
   * files, and a last step before the commit. The defaults read plainly and add nothing.
   */
  interface Hooks {
    /** Opens {@code file} (of {@code entry}) for reading; the stream's close ends its read. */
    default InputStream open(V2ArchiveWriter writer, SourceEntry entry, Path file)
        throws IOException {
      return writer.opener.open(file);
    }

    /** Whether the file at {@code path} was left out after its read was attempted (vanished). */
    default boolean leftOut(String path) {
      return false;
    }

    /** A file gone before its stats were read: a warning, or a throw. */
    default void vanished(SourceEntry entry) throws IOException {
      throw new NoSuchFileException(entry.path(), null, "vanished while backed up");
    }

    /** Called once, after every source file was read: entries to add, or null. */
    default SourceTree finish() throws IOException {
      return null;
    }

    /** An unchanged file, taken from the base without reading it. */
    default void taken(SourceEntry entry, long sizeBytes) {}

    /** The modification time to record for a file read, given the one read before its read. */
    default long mtimeNs(SourceEntry entry, long statsMtimeNs) {
      return statsMtimeNs;
    }

    /** Called after the data and manifest objects, before the commit publishes the backup. */
    default void beforeCommit(V2Keys keys, V2Summary summary) throws IOException {}

    /** Called once the commit published the backup (a host state records it, issue 19). */
    default void committed(CommitStatement statement, V2Manifest manifest) {}
  }

  /**
   * Writes backup {@code backupId} of a scanned source, on {@code base} when not null; with {@code
   * copy} (whose chain's tip is {@code base}) a full backup that copies the blocks of unchanged
   * files from the chain instead of referencing them ({@link ChainCopy}).
   *
   * @param scanStart when the scan started (the racily-clean rule's reference)
   */
  V2Summary write(
      String backupId,
      Instant scanStart,
      SourceTree tree,
      V2Backup base,
      Hooks hooks,
      ChainCopy copy)
      throws IOException {
    if (base != null && copy == null && base.manifest().chainSize() >= V2Format.MAX_CHAIN - 1) {
      throw new dev.coffer.BackupException(
          "the chain of base "
              + base.backupId()
              + " is "
              + base.manifest().chainSize()
              + " archives long: take a full backup");
    }
    long scanNs = scanStart.getEpochSecond() * 1_000_000_000L + scanStart.getNano();
    int blockSize = base == null ? options.blockSizeBytes() : base.statement().blockSizeBytes();
    Map<String, V2Manifest.FileEntry> baseFiles = new HashMap<>();
    List<V2Manifest.ChainEntry> chain = new ArrayList<>();
    if (base != null) {
      for (V2Manifest.FileEntry f : base.manifest().files()) {
        baseFiles.put(f.path(), f);
      }
      if (copy == null) {
        chain.add(base.asChainEntry());
        chain.addAll(base.manifest().archives());
      }
    }
    List<Planned> plan = new ArrayList<>();
    List<BlockStream.Job> jobs = new ArrayList<>();
    Map<Path, SourceEntry> entryOf = new HashMap<>();
    for (SourceEntry e : tree.files()) {
      Path file = resolve(tree.root(), e.path());
      FileStats stats;
      try {
        stats = FileStats.read(file);
      } catch (NoSuchFileException gone) {
        hooks.vanished(e);
        continue;
      }
      V2Manifest.FileEntry old = baseFiles.get(e.path());
      List<BlockRef> oldRefs = old == null || copy != null ? List.of() : renumbered(base, old);
      boolean unchanged =
          old != null
              && !options.rehash()
              && stats.sameAs(old)
              && old.mtimeNs()
                  < base.manifest().scanStartedNs()
                      - Math.max(base.manifest().granularityNs(), options.granularity().toNanos())
              && stats.mtimeNs() < scanNs - options.granularity().toNanos();
      BlockStream.Job job = unchanged ? null : new BlockStream.Job(file, oldRefs);
      if (job != null) {
        entryOf.put(file, e);
      } else {
        job = copy == null ? null : copy.job(file, old); // consolidation: copied, not referenced
        hooks.taken(e, stats.size());
      }
      if (job != null) {
        jobs.add(job);
      }
      plan.add(new Planned(e, stats, job, unchanged && copy == null ? oldRefs : null));
    }
    List<SourceTree> added = new ArrayList<>(1);
    Iterator<BlockStream.Job> lazyJobs = new FinishingJobs(jobs, hooks, added, plan, entryOf);
    UUID archiveId = UUID.randomUUID();
    SecretBytes dataKey = V2Keys.newDataKey(random);
    byte[] salt = new byte[V2Format.SALT_BYTES];
    random.nextBytes(salt);
    V2Keys keys = V2Keys.derive(dataKey, salt, archiveId);
    V2Layout layout = location.layout();
    boolean committed = false;
    try {
      long dataLength;
      try {
        dataLength =
            writeData(
                layout.data(backupId),
                lazyJobs,
                f -> hooks.open(this, entryOf.get(f), f),
                keys,
                blockSize);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (lazyJobs.hasNext()) {
        throw new IllegalStateException("files to store after the data object was closed");
      }
      List<V2Manifest.FileEntry> files = new ArrayList<>();
      long logical = 0;
      for (Planned p : plan) {
        if (p.job() != null && hooks.leftOut(p.entry().path())) {
          continue;
        }
        List<BlockRef> refs = p.job() == null ? p.unchangedRefs() : p.job().refs;
        long size = 0;
        for (BlockRef r : refs) {
          size += r.rawLength();
        }
        logical += size;
        files.add(
            new V2Manifest.FileEntry(
                p.entry().path(),
                size,
                p.job() == null
                    ? p.stats().mtimeNs()
                    : hooks.mtimeNs(p.entry(), p.stats().mtimeNs()),
                p.stats().ctimeNs(),
                p.stats().fileKey(),
                V2Manifest.Posix.of(p.entry().posix()),
                HexFormat.of().formatHex(BlockTable.contentHash(refs)),
                BlockTable.encode(refs)));
      }
      List<V2Manifest.Dir> dirs = new ArrayList<>();
      List<V2Manifest.Link> links = new ArrayList<>();
      java.util.Set<String> seenDirs = new java.util.HashSet<>();
      List<SourceEntry> entries = new ArrayList<>(tree.entries());
      added.forEach(t -> entries.addAll(t.entries()));
      for (SourceEntry e : entries) {
        if (e.type() == SourceEntry.Type.DIRECTORY) {
          if (seenDirs.add(e.path())) {
            dirs.add(new V2Manifest.Dir(e.path(), V2Manifest.Posix.of(e.posix())));
          }
        } else if (e.type() == SourceEntry.Type.SYMLINK) {
          links.add(new V2Manifest.Link(e.path(), e.linkTarget()));
        }
      }
      String type = base == null || copy != null ? V2Manifest.FULL : V2Manifest.INCREMENTAL;
      String baseId = base == null || copy != null ? null : base.backupId();
      V2Manifest manifest =
          new V2Manifest(
              V2Manifest.FORMAT,
              backupId,
              archiveId.toString(),
              scanStart.toString(),
              type,
              baseId,
              scanNs,
              options.granularity().toNanos(),
              blockSize,
              chain,
              V2Manifest.Posix.of(tree.rootPosix()),
              dirs,
              files,
              links);
      byte[] sealed = ManifestSealer.seal(keys, V2Json.encode(manifest), options.level());
      location
          .store()
          .write(layout.manifest(backupId), new ByteArrayInputStream(sealed), WriteMode.IF_ABSENT);
      V2Summary summary =
          new V2Summary(backupId, scanStart, type, baseId, files.size(), logical, dataLength);
      CommitStatement statement =
          new CommitStatement(
              location.repositoryId(),
              archiveId,
              backupId,
              salt,
              blockSize,
              dataLength,
              sealed.length,
              ManifestSealer.hash(sealed),
              keys.commitment(),
              summary.encode());
      hooks.beforeCommit(keys, summary);
      byte[] commit = CommitObject.create(statement, dataKey, recipients, signer, random).encode();
      location
          .store()
          .write(layout.commit(backupId), new ByteArrayInputStream(commit), WriteMode.IF_ABSENT);
      committed = true;
      hooks.committed(statement, manifest);
      return summary;
    } finally {
      keys.destroy();
      dataKey.destroy();
      if (!committed) {
        removeQuietly(layout.manifest(backupId));
        removeQuietly(layout.data(backupId));
        removeQuietly(layout.meta(backupId));
      }
    }
  }

  /** A file of the backup: its scan entry and stats, and its read (null: taken from the base). */
  record Planned(
      SourceEntry entry, FileStats stats, BlockStream.Job job, List<BlockRef> unchangedRefs) {}

  private long writeData(
      String key,
      Iterator<BlockStream.Job> jobs,
      BlockStream.FileOpener open,
      V2Keys keys,
      int blockSize)
      throws IOException {
    List<BlockSealer> created = Collections.synchronizedList(new ArrayList<>());
    ThreadLocal<BlockSealer> sealers =
        ThreadLocal.withInitial(
            () -> {
              BlockSealer s = new BlockSealer(keys, blockSize, options.level());
              created.add(s);
              return s;
            });
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.threads(),
            r -> {
              Thread t = new Thread(r, "coffer-v2-seal");
              t.setDaemon(true);
              return t;
            });
    try (BlockStream data =
        new BlockStream(jobs, open, pool, sealers, blockSize, options.threads())) {
      return location.store().write(key, data, WriteMode.IF_ABSENT);
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (created) {
        for (BlockSealer s : created) {
          s.close();
        }
      }
    }
  }

  /**
   * The base entry's references as seen from an archive whose chain table is the base's, shifted by
   * one.
   */
  private static List<BlockRef> renumbered(V2Backup base, V2Manifest.FileEntry old)
      throws IOException {
    List<BlockRef> out = new ArrayList<>();
    for (BlockRef r : old.refs(base.manifest().chainSize(), base.manifest().blockSize())) {
      out.add(r.withArchiveIndex(r.archiveIndex() + 1));
    }
    return out;
  }

  static Path resolve(Path root, String relative) {
    Path p = root;
    for (String part : relative.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  private void removeQuietly(String key) {
    try {
      location.store().delete(key);
    } catch (IOException | RuntimeException e) {
      // Best effort: an uncommitted object is invisible and a later clean-up removes it.
    }
  }

  @Override
  public String toString() {
    return "V2ArchiveWriter[" + location.store().uri() + location.prefix() + "]";
  }
}
