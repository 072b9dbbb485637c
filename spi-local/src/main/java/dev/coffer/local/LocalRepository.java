package dev.coffer.local;

import dev.coffer.BackupId;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

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
import dev.coffer.VerifyReport.Kind;
import dev.coffer.VerifyReport.Problem;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.FinishedSource;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RestoreAttributes;
import dev.coffer.spi.support.RestoreStaging;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * A repository directory of the {@code local} provider. Layout:
 *
 * <pre>
 * &lt;repo&gt;/&lt;backupId&gt;/data/...                 the source's files and directories
 * &lt;repo&gt;/&lt;backupId&gt;/metadata.json            the seed's fields plus Coffer's ({@link Manifest})
 * &lt;repo&gt;/&lt;backupId&gt;/metadata.json.crc32c     CRC32C of metadata.json, 8 hex digits
 * &lt;repo&gt;/.staging-&lt;id&gt;/, .lock-&lt;id&gt;          a backup being written, and its owner's lock
 * &lt;repo&gt;/.deleting-&lt;id&gt;-&lt;random&gt;/            a backup being deleted
 * </pre>
 *
 * <p>Thread-safe: an instance holds no mutable state besides its closed flag; every operation works on
 * its own files, and backups get distinct ids.
 */
final class LocalRepository implements BackupRepository {

  /** The parsed options. */
  record Settings(boolean fsync, boolean compareCrc, boolean hardlinks, int threads) {
    Settings {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1");
      }
    }
  }

  private static final String DATA = "data";
  private static final String STAGING = ".staging-";
  private static final String LOCK = ".lock-";
  private static final String DELETING = ".deleting-";
  /** Warnings and clean-ups a host should see (docs/observability.md). */
  private static final System.Logger LOG = System.getLogger("dev.coffer.local");
  private static final int MAX_SIDECAR_BYTES = 64;
  /**
   * Lock files of the backups running in this JVM. Checked before touching a lock file, because closing
   * any channel on a file drops the process's POSIX lock on it.
   */
  private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();
  /**
   * Created on first use, not with the class: on JDK 25 a SecureRandom initialises the JCA provider tables
   * (javax.crypto classes among them), which a `list` never needs (docs/benchmarks.md, "Cold start").
   */
  private static final class Randomness {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  private final Path root;
  private final Settings settings;
  private final ManifestCache manifests = new ManifestCache();
  private volatile boolean closed;

  private LocalRepository(Path root, Settings settings) {
    this.root = root;
    this.settings = settings;
  }

  static LocalRepository open(Path location, Settings settings) throws IOException {
    if (Files.exists(location, NOFOLLOW_LINKS) && !Files.isDirectory(location)) {
      throw new NotDirectoryException(location + " (repository location is not a directory)");
    }
    Files.createDirectories(location);
    LocalRepository repo = new LocalRepository(location.toAbsolutePath().normalize(), settings);
    repo.removeLeftovers();
    return repo;
  }

  // ---------------------------------------------------------------- backup

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    requireNonNull(request, "request");
    ensureOpen();
    Manifest base = null;
    Path baseData = null;
    if (request.incremental()) {
      Path baseDir = backupDir(request.baseBackupId());
      base = readManifest(baseDir, request.baseBackupId().value());
      baseData = baseDir.resolve(DATA);
    }
    String id = BackupIds.newId().value();
    Instant createdAt = Instant.now();
    Path lockFile = root.resolve(LOCK + id);
    Path staging = root.resolve(STAGING + id);
    ACTIVE.add(lockFile);
    try {
      try (FileChannel lockChannel = FileChannel.open(lockFile, CREATE_NEW, WRITE)) {
        lock(lockChannel);
        if (!Files.exists(lockFile, NOFOLLOW_LINKS)) {
          // another instance's open() removed it as abandoned before we locked it: start over cleanly
          throw new IOException("lock file " + lockFile + " was removed concurrently; retry the backup");
        }
        Files.createDirectory(staging);
        Prelink prelink = null;
        try {
          Path data = Files.createDirectory(staging.resolve(DATA));
          if (base != null && base.coffer() && settings.hardlinks()) {
            prelink = Prelink.start(base, baseData, data); // links while the source is scanned
          }
          SourceTree tree = SourceTree.scan(request.source(), ScanOptions.of(request));
          Prelink.Made made = prelink == null ? Prelink.Made.NOTHING : prelink.finish();
          Manifest manifest = writeBackup(tree, request, id, createdAt, staging, base, made);
          Files.move(staging, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
          if (settings.fsync()) {
            forceDirectory(root);
          }
          return manifest.metadata();
        } catch (Throwable t) {
          if (prelink != null) {
            prelink.close(); // nothing may still write into the staging directory while it is removed
          }
          try {
            FileTrees.deleteRecursively(staging);
          } catch (IOException again) {
            t.addSuppressed(again);
          }
          throw t;
        }
      } finally {
        try {
          Files.deleteIfExists(lockFile);
        } catch (IOException ignored) {
          // a stray lock file is harmless and never listed; the next open removes it
        }
      }
    } finally {
      ACTIVE.remove(lockFile);
    }
  }

  private Manifest writeBackup(SourceTree tree, BackupRequest request, String id, Instant createdAt, Path staging,
      Manifest base, Prelink.Made made) throws IOException {
    Path data = staging.resolve(DATA);
    Map<String, FileEntry> baseFiles = new HashMap<>();
    if (base != null) {
      base.files().forEach(f -> baseFiles.put(f.path(), f));
    }
    ProgressListener listener = request.progress();
    long filesTotal = tree.files().size();
    long bytesTotal = tree.totalBytes();
    listener.onProgress(new Progress(Progress.Phase.BACKUP, 0, filesTotal, 0, bytesTotal, ""));
    ByteBuffer buffer = settings.compareCrc() // only compare-crc reads unchanged files
        ? Checksums.buffer(tree.files().stream().mapToLong(SourceEntry::sizeBytes).max().orElse(0)) : null;
    Plan plan = new Plan(new Under(tree.root()), new Under(data), baseFiles, made, buffer, listener,
        (int) filesTotal, bytesTotal);
    // keep the base's links for the files that are unchanged; undo the rest of what Prelink made
    for (SourceEntry e : tree.entries()) {
      plan.sortOut(e);
    }
    if (buffer != null) {
      Checksums.release(buffer); // kept for the copies' threads (a failure above leaves it to the GC)
    }
    for (String p : made.files()) {
      plan.unlinkUnless(p);
    }
    for (int i = made.directories().size() - 1; i >= 0; i--) { // children before their parents
      plan.removeUnless(made.directories().get(i));
    }
    // the tree's shape and the linked files first, in order; then the copies, in parallel
    for (SourceEntry e : tree.entries()) {
      plan.place(e);
    }
    ParallelCopy.run(plan.copies, settings.threads(), settings.fsync(), plan::copying, plan::copied);
    FinishedSource finished = FinishedSource.finish(request, tree); // after the copy, before the manifest (P33)
    List<FileEntry> files = addFinished(finished.tree(), plan, data);
    long whole = 0;
    for (FileEntry entry : files) {
      whole = Checksums.appendFile(whole, entry.path(), entry.crc32(), entry.size());
    }
    long bytesDone = plan.bytesDone;
    if (settings.fsync()) {
      for (Path d : plan.createdDirs) {
        forceDirectory(d);
      }
      forceDirectory(data);
    }
    BackupMetadata metadata = new BackupMetadata(id, createdAt, request.source().toString(), files.size(), bytesDone,
        request.incremental() ? BackupType.INCREMENTAL : BackupType.FULL,
        request.incremental() ? request.baseBackupId().value() : null, LocalBackupProvider.NAME, LocalBackupProvider.VERSION, finished.labels(), tree.skipped());
    Manifest manifest = new Manifest(metadata, whole, true, files, plan.directories, plan.symlinks,
        plan.directoryTimes, plan.directoryAttributes, tree.rootPosix());
    byte[] json = manifest.toJson();
    manifests.put(id, json, manifest); // the next incremental on this backup need not parse it again
    writeNew(staging.resolve(Manifest.FILE_NAME), json);
    writeNew(staging.resolve(Manifest.SIDECAR_NAME), sidecar(json));
    if (settings.fsync()) {
      forceDirectory(staging);
    }
    return manifest;
  }

  /**
   * Stores the entries a finisher added (rule P33) as the source's were stored, folds them into
   * {@code plan} in path order and returns every file entry. Progress goes on from where the source's
   * copies left it, with totals that now count the added files.
   */
  private List<FileEntry> addFinished(SourceTree added, Plan plan, Path data) throws IOException {
    if (added.entries().isEmpty()) {
      return List.of(plan.entries);
    }
    int addedFiles = added.files().size();
    long filesBefore = plan.filesDone;
    long bytesBefore = plan.bytesDone;
    long filesTotal = plan.filesTotal + addedFiles;
    long bytesTotal = plan.bytesTotal + added.totalBytes();
    ProgressListener onwards = p -> plan.listener.onProgress(new Progress(Progress.Phase.BACKUP,
        filesBefore + p.filesDone(), filesTotal, bytesBefore + p.bytesDone(), bytesTotal, p.currentPath()));
    Plan more = new Plan(new Under(added.root()), new Under(data), Map.of(), Prelink.Made.NOTHING, null, onwards,
        addedFiles, added.totalBytes());
    for (SourceEntry e : added.entries()) {
      more.place(e);
    }
    ParallelCopy.run(more.copies, settings.threads(), settings.fsync(), more::copying, more::copied);
    plan.bytesDone += more.bytesDone;
    plan.directories.addAll(more.directories);
    plan.directories.sort(RelativePaths.ORDER);
    inDirectoryOrder(plan.directoryTimes, more.directoryTimes, plan.directories);
    inDirectoryOrder(plan.directoryAttributes, more.directoryAttributes, plan.directories);
    plan.symlinks.addAll(more.symlinks);
    plan.symlinks.sort(Comparator.comparing(Symlink::path, RelativePaths.ORDER));
    plan.createdDirs.addAll(more.createdDirs);
    List<FileEntry> files = new ArrayList<>(Arrays.asList(plan.entries));
    files.addAll(Arrays.asList(more.entries));
    files.sort(Comparator.comparing(FileEntry::path, RelativePaths.ORDER));
    return files;
  }

  /** Adds {@code added} to {@code into}, keeping it in the order of {@code directories}, as the manifest lists it. */
  private static <V> void inDirectoryOrder(Map<String, V> into, Map<String, V> added, List<String> directories) {
    Map<String, V> all = new HashMap<>(into);
    all.putAll(added);
    into.clear();
    for (String d : directories) {
      V v = all.get(d);
      if (v != null) {
        into.put(d, v);
      }
    }
  }

  /**
   * What a backup does with each scanned entry, decided one entry per call. The work for every file is
   * in methods of its own because the JIT compiles a method called a thousand times per backup during
   * the first backup, while a method called once per backup runs its loops interpreted until on-stack
   * replacement compiles them (-XX:+PrintCompilation: writeBackup was still not compiled after eight
   * backups of a 1,013-file tree).
   */
  private final class Plan {
    final Under ins;
    final Under outs;
    final Map<String, FileEntry> baseFiles;
    final Prelink.Made made;
    final ByteBuffer buffer;
    final ProgressListener listener;
    final long filesTotal;
    final long bytesTotal;
    /** The source files whose link from the base stays, with their base entries. */
    final Map<String, FileEntry> keep = new HashMap<>();
    final Set<String> sourceDirs = new HashSet<>();
    /** The directories Prelink made that the source still has. */
    final Set<String> keptDirs;
    final List<String> directories = new ArrayList<>();
    final Map<String, Instant> directoryTimes = new LinkedHashMap<>();
    final Map<String, PosixAttributes> directoryAttributes = new LinkedHashMap<>();
    final List<Symlink> symlinks = new ArrayList<>();
    final List<Path> createdDirs = new ArrayList<>();
    /** The manifest's file entries in source order; the copies fill theirs in as they finish. */
    final FileEntry[] entries;
    final List<SourceEntry> sourceFiles = new ArrayList<>();
    final List<ParallelCopy.Job> copies = new ArrayList<>();
    final List<Integer> copyIndex = new ArrayList<>();
    long filesDone;
    long bytesDone;

    Plan(Under ins, Under outs, Map<String, FileEntry> baseFiles, Prelink.Made made, ByteBuffer buffer,
        ProgressListener listener, int filesTotal, long bytesTotal) {
      this.ins = ins;
      this.outs = outs;
      this.baseFiles = baseFiles;
      this.made = made;
      this.buffer = buffer;
      this.listener = listener;
      this.filesTotal = filesTotal;
      this.bytesTotal = bytesTotal;
      this.keptDirs = new HashSet<>(made.directories());
      this.entries = new FileEntry[filesTotal];
    }

    /** Notes a source directory, or a file whose base copy was linked and may stay. */
    void sortOut(SourceEntry e) throws IOException {
      if (e.type() == SourceEntry.Type.DIRECTORY) {
        sourceDirs.add(e.path());
      } else if (e.type() == SourceEntry.Type.FILE && made.files().contains(e.path())) {
        FileEntry prior = baseFiles.get(e.path());
        if (unchanged(prior, e, ins.resolve(e.path()), buffer)) {
          keep.put(e.path(), prior);
        }
      }
    }

    /** Removes a link Prelink made unless the file keeps it. */
    void unlinkUnless(String linked) throws IOException {
      if (!keep.containsKey(linked)) {
        Files.delete(outs.resolve(linked));
      }
    }

    /** Removes a directory Prelink made (its children first) unless the source has it. */
    void removeUnless(String dir) throws IOException {
      if (!sourceDirs.contains(dir)) {
        Files.delete(outs.resolve(dir));
        keptDirs.remove(dir);
      }
    }

    /** Makes a directory, records a link, takes a kept file's entry or queues the file's copy. */
    void place(SourceEntry e) throws IOException {
      switch (e.type()) {
        case DIRECTORY -> {
          Path out = outs.resolve(e.path());
          if (!keptDirs.contains(e.path())) {
            Files.createDirectory(out);
          }
          directories.add(e.path());
          if (e.lastModified() != null) {
            directoryTimes.put(e.path(), e.lastModified());
          }
          if (e.posix() != null) {
            directoryAttributes.put(e.path(), e.posix());
          }
          createdDirs.add(out);
        }
        case SYMLINK -> symlinks.add(new Symlink(e.path(), e.linkTarget(), e.posix()));
        case FILE -> {
          int index = sourceFiles.size();
          sourceFiles.add(e);
          FileEntry prior = keep.get(e.path());
          if (prior != null) {
            // the bytes are the base's, the attributes this scan's: a mode change alone keeps the link
            entries[index] = new FileEntry(prior.path(), prior.size(), prior.crc32c(), prior.crc32(),
                e.lastModified(), true, e.posix());
            filesDone++;
            bytesDone += prior.size();
            listener.onProgress(new Progress(Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone, bytesTotal,
                e.path()));
          } else {
            copies.add(new ParallelCopy.Job(ins.resolve(e.path()), outs.resolve(e.path()), e.sizeBytes(), true));
            copyIndex.add(index);
          }
        }
        default -> throw new IllegalStateException("unknown entry type " + e.type());
      }
    }

    /** Progress within copy {@code k}, {@code bytes} into it. */
    void copying(int k, long bytes) {
      listener.onProgress(new Progress(Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone + bytes, bytesTotal,
          sourceFiles.get(copyIndex.get(k)).path()));
    }

    /** Copy {@code k} is done: its entry, with the sums of the bytes it copied. */
    void copied(int k, Checksums.Sums sums) {
      SourceEntry e = sourceFiles.get(copyIndex.get(k));
      entries[copyIndex.get(k)] = new FileEntry(e.path(), sums.size(), sums.crc32c(), sums.crc32(),
          e.lastModified(), false, e.posix());
      filesDone++;
      bytesDone += sums.size();
      listener.onProgress(new Progress(Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone, bytesTotal,
          e.path()));
    }
  }

  /** Whether a source file may reuse its base's copy: same size and time, and same CRC32C if asked. */
  private boolean unchanged(FileEntry prior, SourceEntry e, Path in, ByteBuffer buffer) throws IOException {
    if (prior == null || prior.size() != e.sizeBytes() || prior.crc32() < 0 || prior.crc32c() < 0
        || !e.lastModified().equals(prior.lastModified())) {
      return false;
    }
    if (settings.compareCrc()) {
      try (FileChannel src = FileChannel.open(in, READ, NOFOLLOW_LINKS)) {
        Checksums.Sums sums = Checksums.copy(src, null, buffer, Checksums.ByteCounter.NONE, false);
        return sums.size() == prior.size() && sums.crc32c() == prior.crc32c();
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- restore

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    requireNonNull(request, "request");
    ensureOpen();
    String id = request.backupId().value();
    Path dir = backupDir(request.backupId());
    Manifest manifest = readManifest(dir, id);
    Path data = dir.resolve(DATA);
    Contents contents = contents(manifest, data, id);
    if (request.partial()) {
      for (String p : request.paths()) {
        if (!contents.has(p)) {
          throw new NoSuchFileException(p, null, "not in backup " + id);
        }
      }
    }
    ProgressListener listener = request.progress();
    List<FileEntry> selected = contents.files.stream().filter(f -> request.selects(f.path())).toList();
    long filesTotal = selected.size();
    long bytesTotal = selected.stream().mapToLong(FileEntry::size).sum();
    try (RestoreStaging staging = RestoreStaging.begin(request)) {
      Path out = staging.directory();
      RestoreAttributes attributes = staging.attributes();
      attributes.recordRoot(manifest.rootAttributes());
      listener.onProgress(new Progress(Progress.Phase.RESTORE, 0, filesTotal, 0, bytesTotal, ""));
      List<Path> dirs = new ArrayList<>();
      List<String> dirNames = new ArrayList<>();
      for (String d : contents.directories) {
        if (request.selects(d)) {
          PosixAttributes posix = manifest.directoryAttributes().get(d);
          dirs.add(makeDirectory(out, d, id, attributes.directoryAttributes(posix)));
          dirNames.add(d);
          attributes.record(d, SourceEntry.Type.DIRECTORY, posix);
        }
      }
      // a seed backup is checked only as a whole, so a partial restore of one still reads every file
      List<FileEntry> jobFiles = new ArrayList<>();
      List<ParallelCopy.Job> jobs = new ArrayList<>();
      for (FileEntry f : contents.files) {
        boolean wanted = request.selects(f.path());
        if (wanted || !manifest.coffer()) {
          Path stored = storedFile(data, f.path(), id);
          Path target = wanted ? RelativePaths.resolveForWrite(out, f.path(), true) : null;
          jobFiles.add(f);
          jobs.add(new ParallelCopy.Job(stored, target, f.size(), !manifest.coffer(),
              attributes.fileAttributes(f.posix()), f.size())); // never more than the manifest's size + 1
        }
      }
      long[] whole = {0};
      long[] done = {0, 0}; // files, bytes
      ParallelCopy.run(jobs, settings.threads(), settings.fsync(),
          (k, n) -> {
            if (jobs.get(k).target() != null) {
              listener.onProgress(new Progress(Progress.Phase.RESTORE, done[0], filesTotal, done[1] + n, bytesTotal,
                  jobFiles.get(k).path()));
            }
          },
          (k, sums) -> {
            FileEntry f = jobFiles.get(k);
            Path target = jobs.get(k).target();
            if (target != null) {
              check(f, sums, id);
              if (f.lastModified() != null) {
                Files.setLastModifiedTime(target, FileTime.from(f.lastModified()));
              }
              attributes.record(f.path(), SourceEntry.Type.FILE, f.posix());
              done[0]++;
              done[1] += sums.size();
              listener.onProgress(new Progress(Progress.Phase.RESTORE, done[0], filesTotal, done[1], bytesTotal,
                  f.path()));
            }
            if (!manifest.coffer()) {
              whole[0] = Checksums.appendFile(whole[0], f.path(), sums.crc32(), sums.size());
            }
          });
      if (!manifest.coffer() && whole[0] != manifest.checksum()) {
        throw new CorruptBackupException("crc32 mismatch for the data of backup " + id + ": stored "
            + Checksums.hex(manifest.checksum()) + ", computed " + Checksums.hex(whole[0]), null);
      }
      for (Symlink s : contents.symlinks) {
        if (request.selects(s.path())) {
          Path link = RelativePaths.resolveForWrite(out, s.path(), true);
          Files.createSymbolicLink(link, link.getFileSystem().getPath(s.target()));
          attributes.record(s.path(), SourceEntry.Type.SYMLINK, s.posix());
        }
      }
      // directory times last: every entry made inside a directory changes its time
      for (int i = dirs.size() - 1; i >= 0; i--) {
        Instant t = manifest.directoryTimes().get(dirNames.get(i));
        if (t != null) {
          Files.setLastModifiedTime(dirs.get(i), FileTime.from(t));
        }
      }
      if (settings.fsync()) {
        for (Path d : dirs) {
          forceDirectory(d);
        }
        forceDirectory(out);
      }
      staging.commit();
    }
    return manifest.metadata();
  }

  private static void check(FileEntry f, Checksums.Sums sums, String id) throws CorruptBackupException {
    if (sums.size() != f.size()) {
      throw new CorruptBackupException("size mismatch for " + f.path() + " in backup " + id + ": stored "
          + f.size() + " bytes, found " + sums.size(), f.path());
    }
    if (f.crc32c() >= 0 && sums.crc32c() != f.crc32c()) {
      throw new CorruptBackupException("crc32c mismatch for " + f.path() + " in backup " + id + ": stored "
          + Checksums.hex(f.crc32c()) + ", computed " + Checksums.hex(sums.crc32c()), f.path());
    }
  }

  /** A stored data file, refused unless it is a regular file (never a link). */
  private static Path storedFile(Path data, String path, String id) throws IOException {
    Path stored = under(data, path);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(stored, BasicFileAttributes.class, NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new CorruptBackupException("stored file " + path + " of backup " + id + " is missing", path, e);
    }
    if (!attrs.isRegularFile()) {
      throw new CorruptBackupException("stored file " + path + " of backup " + id + " is not a regular file", path);
    }
    return stored;
  }

  private static Path makeDirectory(Path out, String path, String id, FileAttribute<?>[] create) throws IOException {
    Path dir = RelativePaths.resolveForWrite(out, path, true);
    if (!Files.exists(dir, NOFOLLOW_LINKS)) {
      Files.createDirectory(dir, create);
    } else if (!Files.isDirectory(dir, NOFOLLOW_LINKS)) {
      throw new CorruptBackupException("directory " + path + " of backup " + id + " collides with a file", path);
    }
    return dir;
  }

  /** What a backup holds: from the manifest, or for a seed backup from its data directory. */
  private static final class Contents {
    final List<FileEntry> files;
    final List<String> directories;
    final List<Symlink> symlinks;

    Contents(List<FileEntry> files, List<String> directories, List<Symlink> symlinks) {
      this.files = files;
      this.directories = directories;
      this.symlinks = symlinks;
    }

    boolean has(String p) {
      return files.stream().anyMatch(f -> RelativePaths.isWithin(p, f.path()))
          || directories.stream().anyMatch(d -> RelativePaths.isWithin(p, d))
          || symlinks.stream().anyMatch(s -> RelativePaths.isWithin(p, s.path()));
    }
  }

  private static Contents contents(Manifest manifest, Path data, String id) throws IOException {
    if (manifest.coffer()) {
      if (!Files.isDirectory(data, NOFOLLOW_LINKS)) {
        throw new CorruptBackupException("data directory of backup " + id + " is missing", null);
      }
      List<Problem> problems = structureProblems(manifest, Stored.walk(data), id);
      if (!problems.isEmpty()) {
        Problem p = problems.get(0);
        throw new CorruptBackupException("backup " + id + " failed its check: " + p.path() + ": " + p.kind() + ", "
            + p.detail(), p.path());
      }
      return new Contents(manifest.files(), manifest.directories(), manifest.symlinks());
    }
    Stored stored = Stored.walk(data);
    if (!stored.others.isEmpty()) {
      String p = stored.others.keySet().iterator().next();
      throw new CorruptBackupException("stored entry " + p + " of backup " + id + " is not a regular file or "
          + "directory: " + stored.others.get(p), p);
    }
    List<FileEntry> files = new ArrayList<>();
    stored.files.forEach((p, size) -> files.add(new FileEntry(p, size, -1, -1, null, false)));
    return new Contents(files, List.copyOf(stored.directories), List.of());
  }

  /** The entries found under a data directory, links never followed, each kind sorted by path. */
  private static final class Stored {
    final Map<String, Long> files = new TreeMap<>(RelativePaths.ORDER);
    final Set<String> directories = new TreeSet<>(RelativePaths.ORDER);
    final Map<String, String> others = new TreeMap<>(RelativePaths.ORDER);

    static Stored walk(Path data) throws IOException {
      Stored s = new Stored();
      if (!Files.exists(data, NOFOLLOW_LINKS)) {
        return s;
      }
      if (!Files.isDirectory(data, NOFOLLOW_LINKS)) {
        s.others.put(DATA, "not a directory");
        return s;
      }
      Files.walkFileTree(data, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
          if (!d.equals(data)) {
            String rel = RelativePaths.relativize(data, d);
            if (RelativePaths.basicProblem(rel).isPresent()) {
              s.others.put(rel, "malformed name");
              return FileVisitResult.SKIP_SUBTREE;
            }
            s.directories.add(rel);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
          String rel = RelativePaths.relativize(data, f);
          if (RelativePaths.basicProblem(rel).isPresent()) {
            s.others.put(rel, "malformed name");
          } else if (attrs.isRegularFile()) {
            s.files.put(rel, attrs.size());
          } else {
            s.others.put(rel, attrs.isSymbolicLink() ? "symbolic link" : "special file");
          }
          return FileVisitResult.CONTINUE;
        }
      });
      return s;
    }
  }

  // ---------------------------------------------------------------- verify

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, ProgressListener.NONE);
  }

  @Override
  public VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
    ensureOpen();
    Path dir = backupDir(backupId);
    String id = backupId.value();
    List<Problem> problems = new ArrayList<>();
    byte[] json;
    try {
      json = readCapped(dir.resolve(Manifest.FILE_NAME), Manifest.MAX_BYTES, id);
    } catch (NoSuchFileException e) {
      problems.add(new Problem(Manifest.FILE_NAME, Kind.MISSING, "metadata.json of backup " + id + " is missing"));
      return new VerifyReport(id, problems, 0, 0);
    } catch (CorruptBackupException e) {
      problems.add(new Problem(Manifest.FILE_NAME, Kind.METADATA, e.getMessage()));
      return new VerifyReport(id, problems, 0, 0);
    }
    Optional<String> sidecarProblem = sidecarProblem(dir, json, id);
    Manifest manifest;
    try {
      manifest = parse(json, id);
    } catch (CorruptBackupException e) {
      sidecarProblem.ifPresent(p -> problems.add(new Problem(Manifest.SIDECAR_NAME, Kind.METADATA, p)));
      problems.add(new Problem(Manifest.FILE_NAME, Kind.METADATA, e.getMessage()));
      return new VerifyReport(id, problems, 0, 0);
    }
    boolean sidecarPresent = Files.exists(dir.resolve(Manifest.SIDECAR_NAME), NOFOLLOW_LINKS);
    if (sidecarPresent || manifest.coffer()) {
      sidecarProblem.ifPresent(p -> problems.add(new Problem(Manifest.SIDECAR_NAME, Kind.METADATA, p)));
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String n = p.getFileName().toString();
        if (!n.equals(DATA) && !n.equals(Manifest.FILE_NAME) && !n.equals(Manifest.SIDECAR_NAME)) {
          problems.add(new Problem(n, Kind.UNEXPECTED, "unexpected entry in the directory of backup " + id));
        }
      }
    }
    Path data = dir.resolve(DATA);
    Stored stored = Stored.walk(data);
    if (!manifest.coffer()) {
      stored.others.forEach((p, what) -> problems.add(new Problem(p, Kind.UNEXPECTED, what + " in stored data")));
    }
    long[] checked = {0, 0}; // files, bytes
    if (manifest.coffer()) {
      if (!Files.isDirectory(data, NOFOLLOW_LINKS) && !stored.others.containsKey(DATA)) {
        problems.add(new Problem(DATA, Kind.MISSING, "data directory of backup " + id + " is missing"));
      }
      problems.addAll(structureProblems(manifest, stored, id));
      List<FileEntry> present = manifest.files().stream().filter(f -> stored.files.containsKey(f.path())).toList();
      List<ParallelCopy.Job> jobs = present.stream()
          .map(f -> new ParallelCopy.Job(under(data, f.path()), null, f.size(), false)).toList();
      VerifyProgress progress = new VerifyProgress(listener, checked, jobs);
      ParallelCopy.run(jobs, settings.threads(), false, (k, n) -> progress.in(present.get(k).path(), n), (k, sums) -> {
        FileEntry f = present.get(k);
        checked[0]++;
        checked[1] += sums.size();
        progress.in(f.path(), 0);
        if (sums.size() != f.size()) {
          problems.add(new Problem(f.path(), Kind.CORRUPT, "size: recorded " + f.size() + " bytes, stored "
              + sums.size()));
        } else if (sums.crc32c() != f.crc32c()) {
          problems.add(new Problem(f.path(), Kind.CORRUPT, "crc32c: recorded " + Checksums.hex(f.crc32c())
              + ", computed " + Checksums.hex(sums.crc32c())));
        }
      });
    } else {
      List<Map.Entry<String, Long>> present = List.copyOf(stored.files.entrySet());
      List<ParallelCopy.Job> jobs = present.stream()
          .map(f -> new ParallelCopy.Job(under(data, f.getKey()), null, f.getValue(), true)).toList();
      long[] whole = {0};
      VerifyProgress progress = new VerifyProgress(listener, checked, jobs);
      ParallelCopy.run(jobs, settings.threads(), false, (k, n) -> progress.in(present.get(k).getKey(), n), (k, sums) -> {
        checked[0]++;
        checked[1] += sums.size();
        progress.in(present.get(k).getKey(), 0);
        whole[0] = Checksums.appendFile(whole[0], present.get(k).getKey(), sums.crc32(), sums.size());
      });
      if (whole[0] != manifest.checksum()) {
        problems.add(new Problem(DATA, Kind.CORRUPT, "crc32 over all stored files (seed format): recorded "
            + Checksums.hex(manifest.checksum()) + ", computed " + Checksums.hex(whole[0])));
      }
      if (checked[0] != manifest.metadata().totalFiles() || checked[1] != manifest.metadata().totalBytes()) {
        problems.add(new Problem(DATA, Kind.CORRUPT, "recorded " + manifest.metadata().totalFiles() + " files, "
            + manifest.metadata().totalBytes() + " bytes; stored " + checked[0] + " files, " + checked[1]
            + " bytes"));
      }
    }
    long filesChecked = checked[0];
    long bytesChecked = checked[1];
    return new VerifyReport(id, problems, filesChecked, bytesChecked);
  }

  /** Tells a verify's listener the totals first, then the files and bytes checked so far ({@code checked}). */
  private record VerifyProgress(ProgressListener listener, long[] checked, long filesTotal, long bytesTotal) {
    VerifyProgress(ProgressListener listener, long[] checked, List<ParallelCopy.Job> jobs) {
      this(listener, checked, jobs.size(), jobs.stream().mapToLong(ParallelCopy.Job::sizeHint).sum());
      in("", 0);
    }

    void in(String path, long bytesIntoFile) {
      listener.onProgress(new Progress(Progress.Phase.VERIFY, checked[0], filesTotal, checked[1] + bytesIntoFile,
          bytesTotal, path));
    }
  }

  /** Compares the recorded directories and files with what is stored: missing, unexpected, inconsistent. */
  private static List<Problem> structureProblems(Manifest manifest, Stored stored, String id) {
    List<Problem> problems = new ArrayList<>();
    stored.others.forEach((p, what) -> problems.add(new Problem(p, Kind.UNEXPECTED, what + " in stored data")));
    Set<String> expectedDirs = new LinkedHashSet<>(manifest.directories());
    Set<String> expectedFiles = new HashSet<>();
    long whole = 0;
    for (FileEntry f : manifest.files()) {
      expectedDirs.addAll(RelativePaths.ancestors(f.path()));
      expectedFiles.add(f.path());
      whole = Checksums.appendFile(whole, f.path(), f.crc32(), f.size());
    }
    if (whole != manifest.checksum()) {
      problems.add(new Problem(Manifest.FILE_NAME, Kind.METADATA, "checksum field " + Checksums.hex(manifest.checksum())
          + " does not match the file entries (" + Checksums.hex(whole) + ")"));
    }
    for (String d : stored.directories) {
      if (!expectedDirs.contains(d)) {
        problems.add(new Problem(d, Kind.UNEXPECTED, "directory not recorded in backup " + id));
      }
    }
    for (String d : expectedDirs) {
      if (!stored.directories.contains(d) && !stored.others.containsKey(d)) {
        problems.add(new Problem(d, Kind.MISSING, "recorded directory missing from backup " + id));
      }
    }
    for (String f : stored.files.keySet()) {
      if (!expectedFiles.contains(f)) {
        problems.add(new Problem(f, Kind.UNEXPECTED, "file not recorded in backup " + id));
      }
    }
    for (FileEntry f : manifest.files()) {
      if (!stored.files.containsKey(f.path()) && !stored.others.containsKey(f.path())) {
        problems.add(new Problem(f.path(), Kind.MISSING, "recorded file missing from backup " + id));
      }
    }
    return problems;
  }

  // ---------------------------------------------------------------- listing and lifecycle

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

  /** Backup directories whose metadata reads go to {@code listed}; the ids of the others to {@code unlisted}. */
  private void catalog(List<BackupMetadata> listed, List<String> unlisted) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!BackupId.isValid(name) || !Files.isDirectory(p, NOFOLLOW_LINKS)) {
          continue; // dot-names (staging, deleting, locks) are never valid ids
        }
        Optional<BackupMetadata> m = loadForListing(p, name);
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
    Path dir = root.resolve(backupId.value());
    if (!Files.isDirectory(dir, NOFOLLOW_LINKS) || !FileTrees.existsWithExactName(dir)) {
      return Optional.empty();
    }
    return loadForListing(dir, backupId.value());
  }

  /** Metadata for list and find: a directory whose metadata cannot be parsed is not a backup. */
  private Optional<BackupMetadata> loadForListing(Path dir, String id) throws IOException {
    try {
      return Optional.of(parse(readCapped(dir.resolve(Manifest.FILE_NAME), Manifest.MAX_BYTES, id), id)
          .metadata());
    } catch (NoSuchFileException | NotDirectoryException | CorruptBackupException e) {
      return Optional.empty();
    }
  }

  @Override
  public void delete(BackupId backupId) throws IOException {
    ensureOpen();
    Path dir = backupDir(backupId);
    byte[] random = new byte[6];
    Randomness.RANDOM.nextBytes(random);
    Path doomed = root.resolve(DELETING + backupId + "-" + HexFormat.of().formatHex(random));
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
    Path dir = backupDir(backupId);
    Manifest manifest = readManifest(dir, backupId.value());
    long total = sizeIfExists(dir.resolve(Manifest.FILE_NAME)) + sizeIfExists(dir.resolve(Manifest.SIDECAR_NAME));
    if (manifest.coffer()) {
      for (FileEntry f : manifest.files()) {
        if (!f.linked()) {
          total += f.size();
        }
      }
    } else {
      for (long s : Stored.walk(dir.resolve(DATA)).files.values()) {
        total += s;
      }
    }
    return total;
  }

  @Override
  public RepositoryInfo info() {
    return RepositoryInfo.of(new LocalBackupProvider(), root);
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
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "LocalRepository[" + root + ", " + settings + "]";
  }

  // ---------------------------------------------------------------- helpers

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("repository " + root + " is closed");
    }
  }

  /** The directory of an existing backup; never touches a path for a malformed id. */
  private Path backupDir(BackupId id) throws IOException {
    Path dir = root.resolve(id.value());
    if (!Files.isDirectory(dir, NOFOLLOW_LINKS) || !FileTrees.existsWithExactName(dir)) {
      throw new NoSuchBackupException(id);
    }
    return dir;
  }

  /** Reads and checks a backup's metadata: its sidecar CRC32C, then its content. */
  private Manifest readManifest(Path dir, String id) throws IOException {
    byte[] json;
    try {
      json = readCapped(dir.resolve(Manifest.FILE_NAME), Manifest.MAX_BYTES, id);
    } catch (NoSuchFileException e) {
      throw new CorruptBackupException("metadata.json of backup " + id + " is missing", null, e);
    }
    Optional<String> problem = sidecarProblem(dir, json, id);
    Manifest manifest = parse(json, id);
    boolean sidecarPresent = Files.exists(dir.resolve(Manifest.SIDECAR_NAME), NOFOLLOW_LINKS);
    if (problem.isPresent() && (sidecarPresent || manifest.coffer())) {
      throw new CorruptBackupException(problem.get(), null);
    }
    return manifest;
  }

  /** Parses a backup's metadata, or takes the manifest already parsed from exactly these bytes. */
  private Manifest parse(byte[] json, String id) throws CorruptBackupException {
    Manifest manifest = manifests.get(id, json);
    if (manifest == null) {
      manifest = Manifest.parse(json, id);
      manifests.put(id, json, manifest);
    }
    return manifest;
  }

  private static Optional<String> sidecarProblem(Path dir, byte[] json, String id) throws IOException {
    byte[] stored;
    try {
      stored = readCapped(dir.resolve(Manifest.SIDECAR_NAME), MAX_SIDECAR_BYTES, id);
    } catch (NoSuchFileException e) {
      return Optional.of("metadata.json.crc32c of backup " + id + " is missing");
    } catch (CorruptBackupException e) {
      return Optional.of(e.getMessage());
    }
    byte[] expected = sidecar(json);
    if (!Arrays.equals(stored, expected)) {
      String text = new String(stored, StandardCharsets.US_ASCII).replaceAll("[^0-9A-Za-z]", "?");
      return Optional.of("crc32c mismatch for metadata.json of backup " + id + ": sidecar holds '" + text
          + "', computed " + Checksums.hex(crc32c(json)));
    }
    return Optional.empty();
  }

  private static byte[] sidecar(byte[] json) {
    return (Checksums.hex(crc32c(json)) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static long crc32c(byte[] bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes);
    return c.getValue();
  }

  /** Reads a whole small file, refusing links and anything larger than {@code max} bytes. */
  static byte[] readCapped(Path file, long max, String id) throws IOException {
    try (FileChannel ch = FileChannel.open(file, READ, NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > max) {
        throw new CorruptBackupException(file.getFileName() + " of backup " + id + " is " + size
            + " bytes, more than the limit of " + max, null);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          break;
        }
      }
      byte[] out = new byte[buf.position()];
      buf.flip();
      buf.get(out);
      return out;
    } catch (FileSystemException e) {
      if (e instanceof NoSuchFileException) {
        throw e;
      }
      if (Files.isSymbolicLink(file)) {
        throw new CorruptBackupException(file.getFileName() + " of backup " + id + " is a symbolic link", null, e);
      }
      throw e;
    }
  }

  private void writeNew(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, CREATE_NEW, WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (settings.fsync()) {
        ch.force(true);
      }
    }
  }

  private static long sizeIfExists(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW_LINKS).size();
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  /** Resolves a {@code /}-separated relative path one component at a time (any file system's separator). */
  static Path under(Path dir, String relative) {
    Path p = dir;
    for (String part : relative.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  /**
   * {@link #under} for many paths in tree order: the files of one directory come one after another, so
   * the parent directory is resolved once for them all. It remembers the last parent, so it is confined to
   * one thread.
   */
  static final class Under {
    private final Path dir;
    private String lastParent;
    private Path lastParentPath;

    Under(Path dir) {
      this.dir = dir;
    }

    Path resolve(String relative) {
      int slash = relative.lastIndexOf('/');
      if (slash < 0) {
        return dir.resolve(relative);
      }
      String parent = relative.substring(0, slash);
      if (!parent.equals(lastParent)) {
        lastParentPath = under(dir, parent);
        lastParent = parent;
      }
      return lastParentPath.resolve(relative.substring(slash + 1));
    }
  }

  /** Forces a directory's entries to disk where the file system lets a directory be opened. */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException notSupported) {
      // some file systems (Windows, Jimfs) cannot open directories; their metadata is durable otherwise
    }
  }

  private static void lock(FileChannel channel) throws IOException {
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IOException("cannot lock a fresh staging lock file " + channel);
      }
    } catch (UnsupportedOperationException noLocks) {
      // without locks, only the age rule protects a running backup from another open()
    }
  }

  /**
   * Removes the leftovers of interrupted deletions, and of backups whose writer is gone: a staging
   * directory (or a lone lock file) is abandoned when no backup of this JVM owns it and its lock file can
   * be locked (a backup running in another process holds that lock). File systems whose locks do not
   * exclude (Jimfs) live in one JVM, where the in-process registry protects running backups. Best effort:
   * failures leave the leftover for the next open, and leftovers are never listed.
   */
  private void removeLeftovers() throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
      stream.forEach(entries::add);
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      try {
        if (name.startsWith(DELETING)) {
          FileTrees.deleteRecursively(p);
          LOG.log(System.Logger.Level.INFO, "finished the interrupted deletion {0}", p);
        } else if (name.startsWith(STAGING)) {
          removeAbandoned(p, root.resolve(LOCK + name.substring(STAGING.length())));
        } else if (name.startsWith(LOCK) && !Files.exists(root.resolve(STAGING + name.substring(LOCK.length())),
            NOFOLLOW_LINKS)) {
          removeAbandoned(null, p);
        }
      } catch (IOException e) {
        // left for the next open; never listed meanwhile
        LOG.log(System.Logger.Level.WARNING, "could not remove the leftover {0} (tried again at the next open): {1}",
            p, e.toString());
      }
    }
  }

  private static void removeAbandoned(Path staging, Path lockFile) throws IOException {
    if (ACTIVE.contains(lockFile)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(lockFile, CREATE, WRITE)) {
      try {
        if (ch.tryLock() == null) {
          return; // held by a backup running in another process
        }
      } catch (OverlappingFileLockException held) {
        return;
      } catch (UnsupportedOperationException noLocks) {
        // nothing to ask: only the in-process registry protects running backups here
      }
      if (staging != null) {
        FileTrees.deleteRecursively(staging);
      }
      Files.deleteIfExists(lockFile);
    }
  }
}
