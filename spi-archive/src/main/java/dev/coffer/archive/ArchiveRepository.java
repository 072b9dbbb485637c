package dev.coffer.archive;

import dev.coffer.BackupId;
import dev.coffer.BackupException;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreRequest;
import dev.coffer.RepositoryInfo;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.FinishedSource;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreAttributes;
import dev.coffer.spi.support.RestoreStaging;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A repository of {@code archive} backups: a directory with a marker file and one {@code <id>.coffer} per
 * backup, written under a temporary name and renamed into place when complete. Thread-safe.
 */
final class ArchiveRepository implements dev.coffer.BackupRepository {

  static final String MARKER = "coffer-archive-repository";
  private static final byte[] MARKER_CONTENT = "coffer archive repository, format 1\n".getBytes(StandardCharsets.US_ASCII);
  static final String VERSION = "1";
  private static final int MAX_CHAIN = 1000;
  private static final Duration STALE_TEMP = Duration.ofHours(1);
  /** Warnings and clean-ups a host should see (docs/observability.md). */
  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");

  /** Everything {@code open} decided. */
  record Settings(Keyring keyring, Mode writeMode, int level, int threads, int chunkSize, Keyring.Entropy entropy,
      Clock clock, Supplier<String> ids, SecretBytes legacyManifestKey) {

    /** The same settings writing in {@code mode} (what the repository's key check decided). */
    Settings withWriteMode(Mode mode) {
      return new Settings(keyring, mode, level, threads, chunkSize, entropy, clock, ids, legacyManifestKey);
    }
  }

  private record Cached(long size, FileTime modified, BackupMetadata metadata) {}

  private final Path root;
  private final Settings settings;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  private ArchiveRepository(Path root, Settings settings) {
    this.root = root;
    this.settings = settings;
  }

  static ArchiveRepository open(Path location, Settings settings, boolean explicitMode) throws IOException {
    Path marker = location.resolve(MARKER);
    if (!Files.exists(location, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(location);
    }
    if (!Files.isDirectory(location)) {
      throw new NotDirectoryException(location + " (an archive repository is a directory)");
    }
    if (!Files.exists(marker)) {
      boolean empty;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(location)) {
        empty = !ds.iterator().hasNext();
      }
      if (!empty && !KeyCheck.holdsSeedArchives(location)) {
        throw new IOException(location + " is not an empty directory and holds no " + MARKER + " file: not an "
            + "archive repository");
      }
      try {
        Files.write(marker, MARKER_CONTENT, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // another instance created it at the same moment
      }
    }
    // the repository's key and mode are checked before this instance writes or trusts anything
    Mode mode = KeyCheck.verifyOrCreate(location, settings.keyring(), settings.writeMode(), explicitMode,
        settings.entropy());
    ArchiveRepository repo = new ArchiveRepository(location, settings.withWriteMode(mode));
    repo.removeStaleTemporaries();
    return repo;
  }

  private void removeStaleTemporaries() throws IOException {
    FileTime cutoff = FileTime.from(settings.clock().instant().minus(STALE_TEMP));
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Format.TEMP_PREFIX + "*")) {
      for (Path p : ds) {
        try {
          if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) < 0 && Files.deleteIfExists(p)) {
            LOG.log(System.Logger.Level.INFO, "removed {0}, the temporary file of a backup that did not finish", p);
          }
        } catch (IOException ignored) {
          // another instance may be removing it too
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("repository " + root + " is closed");
    }
  }

  private Path archiveOf(String id) {
    return root.resolve(id + Format.FILE_SUFFIX);
  }

  private Path existingArchive(String id) throws NoSuchBackupException {
    if (!BackupId.isValid(id)) {
      throw new NoSuchBackupException(String.valueOf(id));
    }
    Path p = archiveOf(id);
    if (!isArchiveFile(p)) {
      throw new NoSuchBackupException(id);
    }
    return p;
  }

  /** A regular file (not a link) stored under exactly this name: "ABC.coffer" must not find "abc.coffer". */
  private static boolean isArchiveFile(Path p) {
    try {
      return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && FileTrees.existsWithExactName(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** The seed archive of {@code id}, if there is one and no new-format archive of that id. */
  private Optional<Path> seedArchive(String id) {
    if (!BackupId.isValid(id) || Files.exists(archiveOf(id), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Path p = root.resolve(id + LegacyArchiveReader.FILE_SUFFIX);
    return isArchiveFile(p) ? Optional.of(p) : Optional.empty();
  }

  // ---------------------------------------------------------------- backup

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    ensureOpen();
    java.util.Objects.requireNonNull(request, "request");
    if (settings.writeMode() == null) {
      throw new IllegalArgumentException("provider 'archive' has no key configured: give key, key-file, passphrase "
          + "or passphrase-file, or choose mode=plain explicitly for unencrypted archives");
    }
    SourceTree tree = SourceTree.scan(request.source(), ScanOptions.of(request));
    refuseUnportable(tree);
    // Names differing only in case are legitimate on the source's file system; a restore onto a file system
    // that conflates them refuses them (see restore). Portability problems are refused here already.
    Manifest base = null;
    String baseHash = null;
    if (request.incremental()) {
      Path baseFile = existingArchive(request.baseBackupId().value());
      try (ArchiveReader r = ArchiveReader.open(baseFile, request.baseBackupId().value(), settings.keyring())) {
        base = r.manifest();
      }
      baseHash = sha256Hex(baseFile);
    }
    String id = settings.ids().get();
    Path temp = root.resolve(Format.TEMP_PREFIX + id);
    try {
      Manifest m = write(tree, request, id, temp, base, baseHash);
      move(temp, archiveOf(id));
      return m.metadata();
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private Manifest write(SourceTree tree, BackupRequest request, String id, Path temp, Manifest base, String baseHash)
      throws IOException {
    Keyring.WriteKey wk = settings.keyring().forWriting(settings.entropy());
    byte[] salt = new byte[32];
    settings.entropy().nextBytes(salt);
    ArchiveHeader header = new ArchiveHeader(settings.writeMode(), wk.argon2(), wk.argon2Salt(), salt,
        settings.chunkSize(), id);
    ArchiveKeys keys = ArchiveKeys.derive(wk.master(), header);
    Map<String, Manifest.FileEntry> baseFiles = new HashMap<>();
    Set<String> basePaths = new TreeSet<>(RelativePaths.ORDER);
    if (base != null) {
      base.files().forEach(f -> baseFiles.put(f.path(), f));
      basePaths.addAll(baseFiles.keySet());
      basePaths.addAll(base.directories());
      base.linkList().forEach(l -> basePaths.add(l.path()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(settings.threads(), daemonThreads());
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        BlockCompressor compressor = new BlockCompressor(settings.level())) {
      ArchiveWriter writer = new ArchiveWriter(ch, header, keys, compressor, pool, settings.threads());
      List<String> dirs = new ArrayList<>();
      List<Manifest.FileEntry> files = new ArrayList<>();
      List<Manifest.Link> links = new ArrayList<>();
      // in scan order, the root first: the manifest's bytes do not depend on hashing
      Map<String, Manifest.Posix> posix = new LinkedHashMap<>();
      if (tree.rootPosix() != null) {
        posix.put(Manifest.ROOT, Manifest.Posix.of(tree.rootPosix()));
      }
      Map<String, long[]> offsets = new HashMap<>();
      long filesTotal = tree.files().size();
      long bytesTotal = tree.totalBytes();
      long filesDone = 0;
      long bytesDone = 0;
      for (SourceEntry e : tree.entries()) {
        if (e.posix() != null) {
          posix.put(e.path(), Manifest.Posix.of(e.posix())); // from this scan, also for unchanged files
        }
        if (e.type() == SourceEntry.Type.DIRECTORY) {
          dirs.add(e.path());
          writer.directory(e.path());
          continue;
        }
        if (e.type() == SourceEntry.Type.SYMLINK) {
          links.add(new Manifest.Link(e.path(), e.linkTarget())); // the manifest holds all a link is
          continue;
        }
        long mtime = e.lastModified().toEpochMilli();
        Path src = resolveSource(tree.root(), e.path());
        Manifest.FileEntry old = baseFiles.get(e.path());
        Manifest.FileEntry entry = null;
        if (old != null && old.size() == e.sizeBytes() && old.sha256().equals(sha256Hex(src))) {
          entry = new Manifest.FileEntry(e.path(), old.size(), mtime, old.sha256(), old.archive(), old.offset());
        }
        if (entry == null) {
          long[] at = new long[1];
          offsets.put(e.path(), at);
          ArchiveWriter.FileResult r;
          try (SeekableByteChannel in = Files.newByteChannel(src, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            r = writer.file(e.path(), in, off -> at[0] = off);
          }
          entry = new Manifest.FileEntry(e.path(), r.size(), mtime, FileHasher.hex(r.sha256()), id, -1);
        }
        files.add(entry);
        filesDone++;
        bytesDone += entry.size();
        request.progress().onProgress(new Progress(Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone,
            bytesTotal, e.path()));
      }
      FinishedSource finished = FinishedSource.finish(request, tree); // after the copy, before the manifest (P33)
      addFinished(finished.tree(), request, id, writer, dirs, files, links, posix, offsets, bytesTotal);
      writer.flush();
      List<Manifest.FileEntry> resolved = new ArrayList<>(files.size());
      long totalBytes = 0;
      for (Manifest.FileEntry f : files) {
        long[] at = offsets.get(f.path());
        resolved.add(at == null ? f : new Manifest.FileEntry(f.path(), f.size(), f.mtimeMillis(), f.sha256(),
            f.archive(), at[0]));
        totalBytes += f.size();
      }
      List<String> deleted = new ArrayList<>();
      if (base != null) {
        Set<String> now = new HashSet<>(dirs);
        files.forEach(f -> now.add(f.path()));
        links.forEach(l -> now.add(l.path()));
        for (String p : basePaths) {
          if (!now.contains(p)) {
            deleted.add(p);
          }
        }
      }
      Manifest m = new Manifest(Manifest.FORMAT, id, settings.clock().instant().toString(),
          base == null ? BackupType.FULL.name() : BackupType.INCREMENTAL.name(),
          base == null ? null : base.backupId(), baseHash, request.source().toString(), ArchiveBackupProvider.NAME,
          VERSION, new TreeMap<>(finished.labels()), resolved.size(), totalBytes, dirs, resolved, deleted,
          links.isEmpty() ? null : links, posix.isEmpty() ? null : posix,
          tree.skipped().isEmpty() ? null : tree.skipped().stream().map(Manifest.Warning::of).toList());
      byte[] json = ManifestCodec.encode(m);
      if (json.length > Format.MAX_MANIFEST_BYTES) {
        throw new BackupException("manifest of backup " + id + " would exceed " + Format.MAX_MANIFEST_BYTES + " bytes");
      }
      writer.finish(json, ManifestCodec.mac(keys.manifestMac, json));
      ch.force(true);
      return m;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void refuseUnportable(SourceTree tree) throws BackupException {
    for (SourceEntry e : tree.entries()) {
      Optional<String> problem = RelativePaths.portableProblem(e.path());
      if (problem.isPresent()) {
        throw new BackupException("cannot back up '" + RelativePaths.printable(e.path()) + "' in " + tree.root() + ": "
            + problem.get());
      }
    }
  }

  /**
   * Appends the entries a finisher added (rule P33) after the source's: always new records (never taken from
   * a base), in the same lists as the source's; progress goes on with totals that now count them.
   */
  private static void addFinished(SourceTree added, BackupRequest request, String id, ArchiveWriter writer,
      List<String> dirs, List<Manifest.FileEntry> files, List<Manifest.Link> links, Map<String, Manifest.Posix> posix,
      Map<String, long[]> offsets, long sourceBytes) throws IOException {
    refuseUnportable(added);
    long filesDone = files.size();
    long bytesDone = files.stream().mapToLong(Manifest.FileEntry::size).sum();
    long filesTotal = filesDone + added.files().size();
    long bytesTotal = sourceBytes + added.totalBytes();
    for (SourceEntry e : added.entries()) {
      if (e.posix() != null) {
        posix.put(e.path(), Manifest.Posix.of(e.posix()));
      }
      switch (e.type()) {
        case DIRECTORY -> {
          dirs.add(e.path());
          writer.directory(e.path());
        }
        case SYMLINK -> links.add(new Manifest.Link(e.path(), e.linkTarget()));
        case FILE -> {
          long[] at = new long[1];
          offsets.put(e.path(), at);
          ArchiveWriter.FileResult r;
          Path src = resolveSource(added.root(), e.path());
          try (SeekableByteChannel in = Files.newByteChannel(src, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            r = writer.file(e.path(), in, off -> at[0] = off);
          }
          files.add(new Manifest.FileEntry(e.path(), r.size(), e.lastModified().toEpochMilli(),
              FileHasher.hex(r.sha256()), id, -1));
          filesDone++;
          bytesDone += r.size();
          request.progress().onProgress(new Progress(Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone,
              bytesTotal, e.path()));
        }
        default -> throw new IllegalStateException("unknown entry type " + e.type());
      }
    }
  }

  private static Path resolveSource(Path root, String rel) {
    Path p = root;
    for (String part : rel.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "coffer-archive-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  static String sha256Hex(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
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
    java.util.Collections.sort(out);
    return out.stream().map(BackupId::of).toList();
  }

  /** Reads every archive's metadata: what authenticates goes to {@code listed}, the others' ids to {@code unlisted}. */
  private void catalog(List<BackupMetadata> listed, List<String> unlisted) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "*" + Format.FILE_SUFFIX)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        String id = name.substring(0, name.length() - Format.FILE_SUFFIX.length());
        if (!BackupId.isValid(id)) {
          continue;
        }
        try {
          listed.add(metadata(id));
        } catch (CorruptBackupException | WrongKeyException | NoSuchFileException | NoSuchBackupException skipped) {
          // An archive that does not authenticate is not a complete backup of this repository (damaged, planted,
          // or written with another key: the repository's own key was checked at open): verify(id) reports it.
          LOG.log(System.Logger.Level.WARNING, "archive {0} left out of the listing: {1}", name, skipped.toString());
          unlisted.add(id);
        }
      }
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "*" + LegacyArchiveReader.FILE_SUFFIX)) {
      for (Path p : ds) {
        Optional<String> id = LegacyArchiveInfo.idOf(p);
        if (id.isEmpty() || seedArchive(id.get()).isEmpty()) {
          continue;
        }
        try {
          listed.add(SeedArchives.metadata(p));
        } catch (CorruptBackupException | NoSuchFileException skipped) {
          // not a complete seed archive: verify(id) reports it
          LOG.log(System.Logger.Level.WARNING, "archive {0} left out of the listing: {1}", p.getFileName(),
              skipped.toString());
          unlisted.add(id.get());
        }
      }
    }
  }

  private BackupMetadata metadata(String id) throws IOException {
    Path p = existingArchive(id);
    long size = Files.size(p);
    FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
    Cached c = cache.get(id);
    if (c != null && c.size() == size && c.modified().equals(modified)) {
      return c.metadata();
    }
    BackupMetadata md;
    try (ArchiveReader r = ArchiveReader.open(p, id, settings.keyring())) {
      md = r.manifest().metadata();
    }
    cache.put(id, new Cached(size, modified, md));
    return md;
  }

  @Override
  public Optional<BackupMetadata> find(BackupId requested) throws IOException {
    ensureOpen();
    String backupId = requested.value();
    Optional<Path> seed = seedArchive(backupId);
    if (seed.isPresent()) {
      return Optional.of(SeedArchives.metadata(seed.get()));
    }
    if (!isArchiveFile(archiveOf(backupId))) {
      return Optional.empty();
    }
    try {
      return Optional.of(metadata(backupId));
    } catch (NoSuchBackupException | NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  @Override
  public long storedBytes(BackupId requested) throws IOException {
    ensureOpen();
    String backupId = requested.value();
    Optional<Path> seed = seedArchive(backupId);
    return Files.size(seed.isPresent() ? seed.get() : existingArchive(backupId));
  }

  // ---------------------------------------------------------------- chains

  /** An archive with its authenticated manifest, part of a resolved chain. */
  private record Link(String id, ArchiveReader reader, Manifest manifest) {}

  /** Opens {@code id} and every base it needs, verifying each link's archive hash. Caller closes readers. */
  private Map<String, Link> openChain(String id, ExecutorService pool) throws IOException {
    Map<String, Link> chain = new LinkedHashMap<>();
    try {
      String current = id;
      String expectedHash = null;
      while (current != null) {
        if (chain.containsKey(current) || chain.size() >= MAX_CHAIN) {
          throw new CorruptBackupException("backup " + id + " has a cyclic or overlong base chain", null);
        }
        Path file;
        try {
          file = existingArchive(current);
        } catch (NoSuchBackupException e) {
          throw new CorruptBackupException("base backup " + current + " of backup " + id + " is missing", null);
        }
        if (expectedHash != null) {
          String actual = sha256Hex(file);
          if (!MessageDigest.isEqual(actual.getBytes(StandardCharsets.US_ASCII),
              expectedHash.getBytes(StandardCharsets.US_ASCII))) {
            throw new CorruptBackupException("base backup " + current + " of backup " + id
                + " is not the archive it was taken from: sha256 " + actual + ", recorded " + expectedHash, null);
          }
        }
        ArchiveReader r = ArchiveReader.open(file, current, settings.keyring(), pool, 2 * settings.threads());
        Manifest m;
        try {
          m = r.manifest();
        } catch (IOException | RuntimeException e) {
          r.close();
          throw e;
        }
        chain.put(current, new Link(current, r, m));
        expectedHash = m.baseArchiveSha256();
        current = m.baseBackupId();
      }
      return chain;
    } catch (IOException | RuntimeException e) {
      closeAll(chain);
      throw e;
    }
  }

  private static void closeAll(Map<String, Link> chain) {
    for (Link l : chain.values()) {
      try {
        l.reader().close();
      } catch (IOException ignored) {
        // read-only channel
      }
    }
  }

  /** Checks every path of a manifest before anything is written (portable, no collisions, parents are dirs). */
  private static void checkPaths(Manifest m) throws CorruptBackupException {
    List<String> all = new ArrayList<>();
    Set<String> dirs = new HashSet<>(m.directories());
    for (String d : m.directories()) {
      all.add(d);
    }
    for (Manifest.FileEntry f : m.files()) {
      all.add(f.path());
    }
    for (Manifest.Link l : m.linkList()) {
      all.add(l.path());
    }
    // every parent must be a recorded directory: nothing is ever written below a file or through a link
    for (String p : all) {
      Optional<String> problem = RelativePaths.portableProblem(p);
      if (problem.isPresent()) {
        throw new CorruptBackupException("hostile or malformed path '" + RelativePaths.printable(p) + "' in backup "
            + m.backupId() + ": " + problem.get(), p);
      }
      for (String a : RelativePaths.ancestors(p)) {
        if (!dirs.contains(a)) {
          throw new CorruptBackupException("path '" + RelativePaths.printable(p) + "' in backup " + m.backupId()
              + " has a parent that is not a recorded directory: '" + RelativePaths.printable(a) + "'", p);
        }
      }
    }
  }

  /**
   * Refuses paths that the target's file system would conflate (case- or normalization-insensitive lookups),
   * probed in the staging directory before anything is restored.
   */
  private static void checkCollisions(Path stage, Manifest m, List<String> paths) throws IOException {
    if (!conflatesNames(stage)) {
      return; // exact duplicates were refused when the manifest was read
    }
    Optional<String> collision = RelativePaths.findCollision(paths);
    if (collision.isPresent()) {
      throw new CorruptBackupException("backup " + m.backupId() + " cannot be restored onto this file system: "
          + collision.get(), null);
    }
  }

  /** Refuses, before anything is written, a link whose target this file system cannot represent. */
  private static void checkLinkTargets(Path stage, Manifest m, List<Manifest.Link> links)
      throws CorruptBackupException {
    for (Manifest.Link l : links) {
      try {
        stage.getFileSystem().getPath(l.target());
      } catch (java.nio.file.InvalidPathException e) {
        throw new CorruptBackupException("backup " + m.backupId() + " cannot be restored onto this file system: the "
            + "target of link '" + RelativePaths.printable(l.path()) + "' is not a valid path here", l.path());
      }
    }
  }

  private static boolean conflatesNames(Path dir) throws IOException {
    return probe(dir, ".coffer-probe-a", ".COFFER-PROBE-A")
        || probe(dir, ".coffer-probe-\u00e9", ".coffer-probe-e\u0301")
        || probe(dir, ".coffer-probe-\u00e9", ".coffer-probe-\u00c9");
  }

  private static boolean probe(Path dir, String name, String variant) throws IOException {
    Path probe = dir.resolve(name);
    Files.createFile(probe);
    try {
      return Files.exists(dir.resolve(variant), LinkOption.NOFOLLOW_LINKS);
    } finally {
      Files.delete(probe);
    }
  }

  /** Checks that an entry stored in another archive of the chain is that archive's own entry. */
  private static void checkForeignEntry(Map<String, Link> chain, Manifest.FileEntry f, String id)
      throws CorruptBackupException {
    Link holder = chain.get(f.archive());
    if (holder == null) {
      throw new CorruptBackupException("'" + f.path() + "' in backup " + id + " refers to backup " + f.archive()
          + ", which is not in its base chain", f.path());
    }
    for (Manifest.FileEntry h : holder.manifest().files()) {
      if (h.path().equals(f.path())) {
        if (h.archive().equals(holder.id()) && h.offset() == f.offset() && h.sha256().equals(f.sha256())
            && h.size() == f.size()) {
          return;
        }
        break;
      }
    }
    throw new CorruptBackupException("'" + f.path() + "' in backup " + id + " does not match its entry in backup "
        + f.archive(), f.path());
  }

  // ---------------------------------------------------------------- restore

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    ensureOpen();
    java.util.Objects.requireNonNull(request, "request");
    String id = request.backupId().value();
    Optional<Path> seed = seedArchive(id);
    if (seed.isPresent()) {
      return SeedArchives.restore(seed.get(), id, request, settings.keyring(), settings.legacyManifestKey());
    }
    existingArchive(id);
    ExecutorService pool = Executors.newFixedThreadPool(settings.threads(), daemonThreads());
    try {
      return restore(request, id, pool);
    } finally {
      pool.shutdown(); // not shutdownNow: an interrupt would close a channel still being read
    }
  }

  private BackupMetadata restore(RestoreRequest request, String id, ExecutorService pool) throws IOException {
    Map<String, Link> chain = openChain(id, pool);
    try {
      Manifest m = chain.get(id).manifest();
      checkPaths(m);
      Map<String, Manifest.FileEntry> byPath = new HashMap<>();
      m.files().forEach(f -> byPath.put(f.path(), f));
      Set<String> dirSet = new HashSet<>(m.directories());
      Set<String> linkSet = new HashSet<>();
      m.linkList().forEach(l -> linkSet.add(l.path()));
      for (String p : request.paths()) {
        if (!byPath.containsKey(p) && !dirSet.contains(p) && !linkSet.contains(p)) {
          throw new NoSuchFileException(p, null, "not in backup " + id);
        }
      }
      List<Manifest.FileEntry> files = new ArrayList<>();
      Set<String> dirs = new TreeSet<>(RelativePaths.ORDER);
      for (Manifest.FileEntry f : m.files()) {
        if (request.selects(f.path())) {
          if (!f.archive().equals(id)) {
            checkForeignEntry(chain, f, id);
          }
          files.add(f);
          dirs.addAll(RelativePaths.ancestors(f.path()));
        }
      }
      for (String d : m.directories()) {
        if (request.selects(d)) {
          dirs.add(d);
          dirs.addAll(RelativePaths.ancestors(d));
        }
      }
      List<Manifest.Link> links = new ArrayList<>();
      for (Manifest.Link l : m.linkList()) {
        if (request.selects(l.path())) {
          links.add(l);
          dirs.addAll(RelativePaths.ancestors(l.path()));
        }
      }
      // read each archive front to back: sequential chunks are decrypted once
      files.sort(Comparator.comparing(Manifest.FileEntry::archive).thenComparingLong(Manifest.FileEntry::offset));
      long bytesTotal = files.stream().mapToLong(Manifest.FileEntry::size).sum();
      try (RestoreStaging staging = RestoreStaging.begin(request)) {
        Path stage = staging.directory();
        // created owner-only, given their recorded modes (and owners) by commit, deepest first
        RestoreAttributes attributes = staging.attributes();
        attributes.recordRoot(m.posixOf(Manifest.ROOT));
        List<String> restored = new ArrayList<>(dirs);
        files.forEach(f -> restored.add(f.path()));
        links.forEach(l -> restored.add(l.path()));
        checkCollisions(stage, m, restored);
        checkLinkTargets(stage, m, links);
        for (String d : dirs) {
          Path dir = RelativePaths.resolveForWrite(stage, d, true);
          PosixAttributes recorded = m.posixOf(d);
          if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir, attributes.directoryAttributes(recorded));
          }
          attributes.record(d, SourceEntry.Type.DIRECTORY, recorded);
        }
        long filesDone = 0;
        long bytesDone = 0;
        // this thread authenticates, decodes and hashes; the write stage creates and writes the files
        try (FileWriterStage writer = new FileWriterStage()) {
          for (Manifest.FileEntry f : files) {
            Path out = RelativePaths.resolveForWrite(stage, f.path(), true);
            ArchiveReader r = chain.get(f.archive()).reader();
            PosixAttributes recorded = m.posixOf(f.path());
            writer.open(out, attributes.fileAttributes(recorded));
            attributes.record(f.path(), SourceEntry.Type.FILE, recorded);
            ArchiveReader.Record rec = r.readFile(f.offset(), f.path(), f.size(), writer::write);
            if (!FileHasher.hex(rec.sha256()).equals(f.sha256())) {
              throw new CorruptBackupException("sha256 mismatch for '" + f.path() + "' in backup " + id
                  + ": manifest " + f.sha256() + ", archive " + FileHasher.hex(rec.sha256()), f.path());
            }
            writer.finish(out, f.mtimeMillis());
            filesDone++;
            bytesDone += f.size();
            request.progress().onProgress(new Progress(Progress.Phase.RESTORE, filesDone, files.size(), bytesDone,
                bytesTotal, f.path()));
          }
          writer.await();
        }
        // links last, so no file of this restore is ever written through one
        for (Manifest.Link l : links) {
          Path link = RelativePaths.resolveForWrite(stage, l.path(), true);
          Files.createSymbolicLink(link, link.getFileSystem().getPath(l.target()));
          attributes.record(l.path(), SourceEntry.Type.SYMLINK, m.posixOf(l.path()));
        }
        staging.commit();
      }
      return m.metadata();
    } finally {
      closeAll(chain);
    }
  }

  // ---------------------------------------------------------------- verify

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, ProgressListener.NONE);
  }

  @Override
  public VerifyReport verify(BackupId requested, ProgressListener listener) throws IOException {
    ensureOpen();
    String backupId = requested.value();
    Optional<Path> seed = seedArchive(backupId);
    if (seed.isPresent()) {
      if (listener != ProgressListener.NONE) { // seed archives report start and end only
        return BackupRepository.super.verify(requested, listener);
      }
      return SeedArchives.verify(seed.get(), backupId, settings.keyring(), settings.legacyManifestKey());
    }
    Path file = existingArchive(backupId);
    return new Verifier(backupId, file, listener).run();
  }

  /** One verification; collects problems instead of throwing, except for a wrong key. */
  private final class Verifier {
    private final String id;
    private final Path file;
    private final ProgressListener listener;
    private final List<VerifyReport.Problem> problems = new ArrayList<>();
    private long filesChecked;
    private long bytesChecked;
    private long filesTotal = -1;
    private long bytesTotal = -1;

    Verifier(String id, Path file, ProgressListener listener) {
      this.id = id;
      this.file = file;
      this.listener = listener;
    }

    private void progress(String path) {
      listener.onProgress(new Progress(Progress.Phase.VERIFY, filesChecked, filesTotal, bytesChecked, bytesTotal,
          path));
    }

    private void problem(String path, VerifyReport.Kind kind, String detail) {
      problems.add(new VerifyReport.Problem(path, kind, detail));
    }

    VerifyReport run() throws IOException {
      ExecutorService pool = Executors.newFixedThreadPool(settings.threads(), daemonThreads());
      try {
        return runWith(pool);
      } finally {
        pool.shutdown();
      }
    }

    private VerifyReport runWith(ExecutorService pool) throws IOException {
      try (ArchiveReader r = ArchiveReader.open(file, id, settings.keyring(), pool, 2 * settings.threads())) {
        Manifest m;
        try {
          m = r.manifest();
        } catch (CorruptBackupException e) {
          problem("(manifest)", VerifyReport.Kind.METADATA, e.getMessage());
          scan(r, null);
          return report();
        }
        try {
          checkPaths(m);
        } catch (CorruptBackupException e) {
          problem(e.path().orElse("(manifest)"), VerifyReport.Kind.METADATA, e.getMessage());
        }
        scan(r, m);
        checkChain(m);
      } catch (WrongKeyException e) {
        if (settings.writeMode() == null) {
          throw e; // the repository's key was not checked at open: this may be the caller's key
        }
        // the key opened the repository's key check, so this archive is damaged, planted or foreign
        problem("(header)", VerifyReport.Kind.METADATA, "archive " + file.getFileName() + " does not authenticate "
            + "with this repository's key (a damaged header, or an archive written with another key): " + e.getMessage());
      } catch (CorruptBackupException e) {
        problem(e.path().orElse("(archive)"), VerifyReport.Kind.CORRUPT, e.getMessage());
      }
      return report();
    }

    private VerifyReport report() {
      return new VerifyReport(id, problems, filesChecked, bytesChecked);
    }

    /** Reads every record front to back; on a failure, falls back to reading each file at its offset. */
    private void scan(ArchiveReader r, Manifest m) throws IOException {
      Map<String, Manifest.FileEntry> own = new LinkedHashMap<>();
      Set<String> dirs = new HashSet<>();
      if (m != null) {
        m.files().stream().filter(f -> f.archive().equals(id)).forEach(f -> own.put(f.path(), f));
        dirs.addAll(m.directories());
        filesTotal = own.size();
        bytesTotal = own.values().stream().mapToLong(Manifest.FileEntry::size).sum();
      }
      progress("");
      Set<String> seenFiles = new HashSet<>();
      Set<String> seenDirs = new HashSet<>();
      try {
        r.rewind();
        while (true) {
          ArchiveReader.Record rec = r.nextRecord(raw -> { });
          if (rec.type() == Format.REC_MANIFEST) {
            break;
          }
          if (rec.type() == Format.REC_DIR) {
            if (!dirs.contains(rec.path()) && m != null) {
              problem(rec.path(), VerifyReport.Kind.UNEXPECTED, "directory record not in the manifest");
            }
            seenDirs.add(rec.path());
            continue;
          }
          filesChecked++;
          bytesChecked += rec.size();
          progress(rec.path());
          seenFiles.add(rec.path());
          Manifest.FileEntry f = own.get(rec.path());
          if (m == null) {
            continue;
          }
          if (f == null || f.offset() != rec.offset()) {
            problem(rec.path(), VerifyReport.Kind.UNEXPECTED, "file record not in the manifest");
          } else if (f.size() != rec.size() || !f.sha256().equals(FileHasher.hex(rec.sha256()))) {
            problem(rec.path(), VerifyReport.Kind.CORRUPT, "content does not match the manifest's sha256 "
                + f.sha256());
          }
        }
      } catch (CorruptBackupException e) {
        problem(e.path().orElse("(archive)"), VerifyReport.Kind.CORRUPT, e.getMessage());
        // try every file the scan did not reach, so the report names each damaged path
        for (Manifest.FileEntry f : own.values()) {
          if (seenFiles.contains(f.path())) {
            continue;
          }
          seenFiles.add(f.path());
          try {
            ArchiveReader.Record rec = r.readFile(f.offset(), f.path(), raw -> { });
            filesChecked++;
            bytesChecked += rec.size();
            progress(f.path());
            if (f.size() != rec.size() || !f.sha256().equals(FileHasher.hex(rec.sha256()))) {
              problem(f.path(), VerifyReport.Kind.CORRUPT, "content does not match the manifest");
            }
          } catch (CorruptBackupException again) {
            problem(f.path(), VerifyReport.Kind.CORRUPT, again.getMessage());
          }
        }
        return;
      }
      for (String p : own.keySet()) {
        if (!seenFiles.contains(p)) {
          problem(p, VerifyReport.Kind.MISSING, "file listed in the manifest has no record");
        }
      }
      for (String d : dirs) {
        if (!seenDirs.contains(d)) {
          problem(d, VerifyReport.Kind.MISSING, "directory listed in the manifest has no record");
        }
      }
    }

    private void checkChain(Manifest m) throws IOException {
      if (m.baseBackupId() == null) {
        for (Manifest.FileEntry f : m.files()) {
          if (!f.archive().equals(id)) {
            problem(f.path(), VerifyReport.Kind.METADATA, "a full backup refers to another archive");
          }
        }
        return;
      }
      Map<String, Link> chain;
      try {
        chain = openChain(id, null);
      } catch (CorruptBackupException e) {
        problem("(base " + m.baseBackupId() + ")", VerifyReport.Kind.METADATA, e.getMessage());
        return;
      }
      try {
        for (Manifest.FileEntry f : m.files()) {
          if (!f.archive().equals(id)) {
            try {
              checkForeignEntry(chain, f, id);
            } catch (CorruptBackupException e) {
              problem(f.path(), VerifyReport.Kind.METADATA, e.getMessage());
            }
          }
        }
      } finally {
        closeAll(chain);
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void delete(BackupId requested) throws IOException {
    ensureOpen();
    String backupId = requested.value();
    synchronized (lifecycle) {
      Optional<Path> seed = seedArchive(backupId);
      if (seed.isPresent()) {
        Files.delete(seed.get());
        return;
      }
      Path file = existingArchive(backupId);
      List<String> dependents = new ArrayList<>();
      for (BackupMetadata b : list()) {
        if (backupId.equals(b.baseBackupId())) {
          dependents.add(b.backupId());
        }
      }
      if (!dependents.isEmpty()) {
        throw new BackupInUseException(backupId, dependents);
      }
      Files.delete(file);
      cache.remove(backupId);
    }
  }

  @Override
  public RepositoryInfo info() {
    return RepositoryInfo.of(new ArchiveBackupProvider(), root);
  }

  @Override
  public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    ensureOpen();
    java.util.Objects.requireNonNull(policy, "policy");
    synchronized (lifecycle) {
      List<BackupMetadata> doomed = pruneCandidates(policy);
      // newest first: a dependent goes before its base
      for (BackupMetadata b : doomed) {
        Optional<Path> seed = seedArchive(b.backupId());
        Files.deleteIfExists(seed.isPresent() ? seed.get() : archiveOf(b.backupId()));
        cache.remove(b.backupId());
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
    return "ArchiveRepository[" + root + ", " + settings.writeMode() + ", " + settings.keyring() + "]";
  }
}
