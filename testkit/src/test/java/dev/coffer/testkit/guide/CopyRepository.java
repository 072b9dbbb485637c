package dev.coffer.testkit.guide;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.SpecialFiles;
import dev.coffer.VerifyReport;
import dev.coffer.VerifyReport.Kind;
import dev.coffer.VerifyReport.Problem;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.FinishedSource;
import dev.coffer.spi.support.ReadCheck;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreStaging;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import dev.coffer.spi.support.WriterLock;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A repository of {@link CopyProvider}: {@code <location>/<id>/data/...} (the copied tree), {@code
 * manifest.properties} (metadata, directories, and each file's size and CRC32C) and {@code
 * manifest.sha256} (which catches any change to the manifest). Thread-safe: nothing is shared but
 * published, immutable backups.
 */
final class CopyRepository implements BackupRepository {

  private static final String STAGING = ".staging-";
  private static final String LOCK = ".lock-";
  private static final String DELETING = ".deleting-";
  private static final String DATA = "data";
  private static final String MANIFEST = "manifest.properties";
  private static final String MANIFEST_SUM = "manifest.sha256";
  private static final long MAX_MANIFEST_BYTES = 64 << 20;

  private final Path root;
  private final boolean fsync;
  private final ChangedFilesPolicy changedFiles;
  private volatile boolean closed;

  private CopyRepository(Path root, boolean fsync, ChangedFilesPolicy changedFiles) {
    this.root = root;
    this.fsync = fsync;
    this.changedFiles = changedFiles;
  }

  static CopyRepository open(Path root, boolean fsync, ChangedFilesPolicy changedFiles)
      throws IOException {
    Files.createDirectories(root); // P5: an absent location becomes an empty repository
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, ".*")) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        try {
          // P10: an interrupted delete is always finished; a crashed backup's leftovers are removed
          if (name.startsWith(DELETING)) {
            FileTrees.deleteRecursively(p);
          } else if (name.startsWith(STAGING) || name.startsWith(LOCK)) {
            // unless its writer is running, in this JVM or another process (it holds the lock)
            String id = name.substring(name.indexOf('-', 1) + 1);
            WriterLock.removeIfAbandoned(root.resolve(LOCK + id), root.resolve(STAGING + id));
          }
        } catch (IOException e) {
          // another instance is removing it too, or it stays for the next open; it is never listed
        }
      }
    }
    return new CopyRepository(root, fsync, changedFiles);
  }

  /** What a manifest records. */
  private record Contents(
      BackupMetadata metadata, List<String> directories, List<FileEntry> files) {}

  private record FileEntry(String path, long size, long crc32c) {}

  // ---------------------------------------------------------------- backup

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    ensureOpen();
    if (request.incremental()) {
      throw new UnsupportedOperationException(
          CopyProvider.NAME + " takes full backups only"); // P12
    }
    // P8: NoSuchFile/NotDirectory; never follows links. P30: refuses a socket or FIFO by name (no
    // POSIX_ATTRIBUTES here, so nothing is skipped). P33: what the host excludes is never even
    // read.
    SourceTree tree =
        SourceTree.scan(
            request.source(), new ScanOptions(Set.of(), SpecialFiles.FAIL, request.excluded()));
    tree.refuseSymlinks(); // P9 without the SYMLINKS capability: refused, naming the link
    String id = BackupIds.newId().value(); // P11: unique even across processes
    Path staging = root.resolve(STAGING + id);
    // P10: the lock tells other instances' open() that this backup is running, until it ends
    WriterLock lock = WriterLock.acquire(root.resolve(LOCK + id));
    try {
      Files.createDirectory(staging);
      boolean published = false;
      try {
        Copy copy =
            new Copy(Files.createDirectory(staging.resolve(DATA)), request.progress(), tree);
        copy.all(tree, true);
        // P33: the host's finisher runs once, after the copy and before publication; what it adds
        // is stored like the source, and its labels join the request's
        FinishedSource finished = FinishedSource.finish(request, tree);
        finished.tree().refuseSymlinks();
        copy.all(finished.tree(), false); // the host's own files: not checked (P34)
        Properties manifest = copy.manifest;
        manifest.setProperty("createdAt", Instant.now().toString());
        manifest.setProperty("sourceDir", request.source().toString());
        finished.labels().forEach((k, v) -> manifest.setProperty("label." + k, v));
        manifest.setProperty("files", Integer.toString(copy.files));
        manifest.setProperty("dirs", Integer.toString(copy.dirs));
        manifest.setProperty("bytes", Long.toString(copy.bytes));
        manifest.setProperty("warnings", Integer.toString(copy.warnings.size()));
        for (int i = 0; i < copy.warnings.size(); i++) { // P34: in source order, like the copies
          BackupWarning w = copy.warnings.get(i);
          manifest.setProperty("warning." + i + ".path", w.path());
          manifest.setProperty("warning." + i + ".kind", w.kind().name());
          manifest.setProperty("warning." + i + ".detail", w.detail());
        }
        StringWriter text = new StringWriter();
        manifest.store(text, null);
        byte[] manifestBytes = text.toString().getBytes(UTF_8);
        write(staging.resolve(MANIFEST), manifestBytes);
        write(staging.resolve(MANIFEST_SUM), sha256(manifestBytes).getBytes(UTF_8));
        // P10: one atomic rename publishes the complete, forced backup; before it, list() cannot
        // see it
        Files.move(staging, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
        published = true;
        return read(BackupId.of(id)).metadata();
      } finally {
        if (!published) {
          FileTrees.deleteRecursively(staging); // P10: a failed backup leaves nothing behind
        }
      }
    } finally {
      lock.close();
    }
  }

  /**
   * One backup's copying: the manifest entries and the totals, reported to the listener as they
   * grow.
   */
  private final class Copy {
    final Properties manifest = new Properties();
    final Path data;
    final ProgressListener listener;
    long filesTotal;
    long bytesTotal;
    int dirs;
    int files;
    long bytes;
    private boolean sourceCopied;

    Copy(Path data, ProgressListener listener, SourceTree source) {
      this.data = data;
      this.listener = listener;
      this.filesTotal = source.files().size();
      this.bytesTotal = source.totalBytes();
      listener.onProgress(new Progress(Progress.Phase.BACKUP, 0, filesTotal, 0, bytesTotal, ""));
    }

    /** The files that changed or vanished while they were read (P34). */
    final List<BackupWarning> warnings = new ArrayList<>();

    /**
     * Copies every entry of {@code tree} (sorted: a directory comes before its contents), checking
     * each file's read when {@code checked} (P34).
     */
    void all(SourceTree tree, boolean checked) throws IOException {
      if (sourceCopied) { // the finisher's tree adds to the source's totals
        filesTotal += tree.files().size();
        bytesTotal += tree.totalBytes();
      }
      sourceCopied = true;
      for (SourceEntry e : tree.entries()) {
        Path to = data.resolve(e.path());
        if (e.type() == SourceEntry.Type.DIRECTORY) {
          Files.createDirectory(to);
          manifest.setProperty("dir." + dirs++, e.path());
          continue;
        }
        CRC32C crc = new CRC32C();
        Path from = tree.root().resolve(e.path());
        long size = checked ? checkedCopy(from, to, e, crc) : copy(from, to, crc);
        if (size < 0) { // P34: gone before it was read, left out and not counted, but told
          filesTotal--;
          bytesTotal -= e.sizeBytes();
          listener.onProgress(
              new Progress(Progress.Phase.BACKUP, files, filesTotal, bytes, bytesTotal, e.path()));
          continue;
        }
        manifest.setProperty("file." + files + ".path", e.path());
        manifest.setProperty("file." + files + ".size", Long.toString(size));
        manifest.setProperty("file." + files++ + ".crc32c", Long.toString(crc.getValue()));
        bytes += size;
        bytesTotal += size - e.sizeBytes(); // P34: read at another size than scanned
        listener.onProgress(
            new Progress(Progress.Phase.BACKUP, files, filesTotal, bytes, bytesTotal, e.path()));
      }
    }

    /**
     * P34: copies a source file and checks that it did not change from the scan to the end of the
     * read, as {@code changed-files} says: a change is a warning, a read again or a failure.
     * Returns the size read, or -1 when the file was gone (left out, with a warning).
     */
    long checkedCopy(Path from, Path to, SourceEntry e, CRC32C crc) throws IOException {
      for (int reads = 1; ; reads++) {
        Optional<BackupWarning> change;
        long size = -1;
        try {
          ReadCheck check = reads == 1 ? ReadCheck.before(from, e) : ReadCheck.reread(from, e);
          Files.deleteIfExists(to); // a read again rewrites the copy
          crc.reset();
          size = copy(from, to, crc);
          change = check.after(size);
        } catch (NoSuchFileException gone) {
          if (Files.exists(from, NOFOLLOW_LINKS)) {
            throw gone; // not the source that is gone
          }
          Files.deleteIfExists(to);
          change = Optional.of(ReadCheck.vanished(e));
          size = -1;
        }
        if (change.isEmpty() || !changedFiles.readAgain(change.get(), reads)) {
          change.ifPresent(warnings::add); // under changed-files=fail, readAgain threw instead
          boolean gone =
              change.isPresent() && change.get().kind() == BackupWarning.Kind.VANISHED_WHILE_READ;
          return gone ? -1 : size;
        }
      }
    }
  }

  /** Copies one file, computing its CRC32C in the same pass; returns its size. */
  private long copy(Path from, Path to, CRC32C crc) throws IOException {
    // CREATE_NEW never follows a link
    return copy(from, FileChannel.open(to, CREATE_NEW, WRITE), crc);
  }

  /** Copies {@code from} into {@code to}, which it closes. */
  private long copy(Path from, FileChannel to, CRC32C crc) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    long size = 0;
    try (FileChannel out = to;
        FileChannel in = FileChannel.open(from, READ, NOFOLLOW_LINKS)) {
      while (in.read(buffer) >= 0) {
        buffer.flip();
        crc.update(buffer.duplicate());
        size += buffer.remaining();
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        buffer.clear();
      }
      if (fsync) {
        out.force(true);
      }
    }
    return size;
  }

  private void write(Path file, byte[] bytes) throws IOException {
    try (FileChannel out = FileChannel.open(file, CREATE_NEW, WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      if (fsync) {
        out.force(true);
      }
    }
  }

  // ---------------------------------------------------------------- reading a backup

  /**
   * The directory of a published backup; P24: anything else is unknown, and so is an id in other
   * case (a case-insensitive file system would otherwise find {@code abc} for {@code ABC}). A
   * {@link BackupId} is well-formed by construction, so it never names a path outside the
   * repository.
   */
  private Path backupDir(BackupId id) throws IOException {
    Path dir = root.resolve(id.value());
    if (!Files.isDirectory(dir, NOFOLLOW_LINKS) || !FileTrees.existsWithExactName(dir)) {
      throw new NoSuchBackupException(id);
    }
    return dir;
  }

  private Contents read(BackupId id) throws IOException {
    Path dir = backupDir(id);
    byte[] bytes;
    String recorded;
    try {
      bytes = readCapped(dir.resolve(MANIFEST), MAX_MANIFEST_BYTES);
      recorded = new String(readCapped(dir.resolve(MANIFEST_SUM), 64), UTF_8);
    } catch (NoSuchFileException e) {
      throw new CorruptBackupException("the manifest of backup " + id + " is missing", MANIFEST);
    }
    if (!recorded.equals(sha256(bytes))) {
      throw new CorruptBackupException(
          "manifest of backup " + id + " does not match its sha256", MANIFEST);
    }
    Properties m = new Properties();
    m.load(new StringReader(new String(bytes, UTF_8)));
    try {
      Map<String, String> labels = new TreeMap<>();
      for (String key : m.stringPropertyNames()) {
        if (key.startsWith("label.")) {
          labels.put(key.substring("label.".length()), m.getProperty(key));
        }
      }
      List<String> dirs = new ArrayList<>();
      for (int i = 0; i < Integer.parseInt(m.getProperty("dirs")); i++) {
        dirs.add(
            RelativePaths.checkStored(
                m.getProperty("dir." + i), id.value())); // P21: no ../, no absolute names
      }
      List<FileEntry> files = new ArrayList<>();
      for (int i = 0; i < Integer.parseInt(m.getProperty("files")); i++) {
        files.add(
            new FileEntry(
                RelativePaths.checkStored(m.getProperty("file." + i + ".path"), id.value()),
                Long.parseLong(m.getProperty("file." + i + ".size")),
                Long.parseLong(m.getProperty("file." + i + ".crc32c"))));
      }
      BackupMetadata metadata =
          new BackupMetadata(
              id.value(),
              Instant.parse(m.getProperty("createdAt")),
              m.getProperty("sourceDir"),
              files.size(),
              Long.parseLong(m.getProperty("bytes")),
              BackupType.FULL,
              null,
              CopyProvider.NAME,
              "1",
              labels,
              warnings(m));
      return new Contents(metadata, dirs, files);
    } catch (RuntimeException e) { // a missing or malformed field: never an NPE for the caller
      throw new CorruptBackupException("malformed manifest of backup " + id + ": " + e, MANIFEST);
    }
  }

  /** The warnings a manifest records (P34). */
  private static List<BackupWarning> warnings(Properties m) {
    List<BackupWarning> warnings = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(m.getProperty("warnings", "0")); i++) {
      warnings.add(
          new BackupWarning(
              m.getProperty("warning." + i + ".path"),
              BackupWarning.Kind.valueOf(m.getProperty("warning." + i + ".kind")),
              m.getProperty("warning." + i + ".detail")));
    }
    return warnings;
  }

  /** Reads a small file, refusing one longer than {@code max} before reading it. */
  private static byte[] readCapped(Path file, long max) throws IOException {
    try (FileChannel in = FileChannel.open(file, READ, NOFOLLOW_LINKS)) {
      if (in.size() > max) {
        throw new CorruptBackupException(
            file.getFileName() + " is " + in.size() + " bytes, more than " + max, null);
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) in.size());
      while (buffer.hasRemaining() && in.read(buffer) >= 0) {
        // read to the end
      }
      return buffer.array();
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- restore and verify

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    ensureOpen();
    if (request.partial()) {
      throw new UnsupportedOperationException(
          CopyProvider.NAME + " restores whole backups only"); // P19
    }
    Contents c = read(request.backupId());
    Path data = backupDir(request.backupId()).resolve(DATA);
    long bytesTotal = c.metadata().totalBytes();
    // P16-P18: everything goes into a staging directory beside the target, moved into place when
    // verified; P21: every write goes through the staging object, never through the directory's
    // name, which another process could swap for a link to its own directory
    try (RestoreStaging staging = RestoreStaging.begin(request.target(), request.mode())) {
      request
          .progress()
          .onProgress(new Progress(Progress.Phase.RESTORE, 0, c.files().size(), 0, bytesTotal, ""));
      for (String d : c.directories()) {
        staging.createDirectory(d); // P21: parents never links
      }
      long files = 0;
      long bytes = 0;
      for (FileEntry f : c.files()) {
        Path from = data.resolve(f.path());
        if (!Files.isRegularFile(from, NOFOLLOW_LINKS)) {
          throw new CorruptBackupException(
              f.path() + " of backup " + request.backupId() + " is missing", f.path());
        }
        CRC32C crc = new CRC32C();
        long size = copy(from, staging.newFile(f.path()), crc);
        if (size != f.size() || crc.getValue() != f.crc32c()) { // P17: every byte is checked
          throw new CorruptBackupException(
              "crc32c mismatch for "
                  + f.path()
                  + " in backup "
                  + request.backupId()
                  + ": recorded "
                  + f.size()
                  + " bytes "
                  + Long.toHexString(f.crc32c())
                  + ", read "
                  + size
                  + " bytes "
                  + Long.toHexString(crc.getValue()),
              f.path());
        }
        bytes += size;
        request
            .progress()
            .onProgress(
                new Progress(
                    Progress.Phase.RESTORE,
                    ++files,
                    c.files().size(),
                    bytes,
                    bytesTotal,
                    f.path()));
      }
      staging.commit();
    }
    return c.metadata();
  }

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, ProgressListener.NONE);
  }

  @Override
  public VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
    ensureOpen();
    Path dir = backupDir(backupId);
    List<Problem> problems = new ArrayList<>();
    Contents c;
    try {
      c = read(backupId);
    } catch (CorruptBackupException e) {
      problems.add(
          new Problem(MANIFEST, Kind.METADATA, e.getMessage())); // P14: reported, not thrown
      return new VerifyReport(backupId.value(), problems, 0, 0);
    }
    // P14: what is stored against what is recorded: missing and unexpected entries
    Set<String> expected = new TreeSet<>(Set.of(MANIFEST, MANIFEST_SUM, DATA));
    c.directories().forEach(d -> expected.add(DATA + "/" + d));
    c.files().forEach(f -> expected.add(DATA + "/" + f.path()));
    Set<String> stored = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir)).forEach(p -> stored.add(RelativePaths.relativize(dir, p)));
    }
    for (String s : stored) {
      if (!expected.contains(s)) {
        problems.add(
            new Problem(s, Kind.UNEXPECTED, "not recorded in the manifest of backup " + backupId));
      }
    }
    long bytesTotal = c.metadata().totalBytes();
    long files = 0;
    long bytes = 0;
    listener.onProgress(
        new Progress(Progress.Phase.VERIFY, 0, c.files().size(), 0, bytesTotal, "")); // P32
    for (FileEntry f : c.files()) {
      Path p = dir.resolve(DATA).resolve(f.path());
      if (!Files.isRegularFile(p, NOFOLLOW_LINKS)) {
        problems.add(new Problem(f.path(), Kind.MISSING, "recorded in the manifest, not stored"));
        continue;
      }
      CRC32C crc = new CRC32C();
      long size = checksum(p, crc);
      files++;
      bytes += size;
      if (size != f.size() || crc.getValue() != f.crc32c()) {
        problems.add(
            new Problem(
                f.path(),
                Kind.CORRUPT,
                "recorded "
                    + f.size()
                    + " bytes crc32c "
                    + Long.toHexString(f.crc32c())
                    + ", stored "
                    + size
                    + " bytes crc32c "
                    + Long.toHexString(crc.getValue())));
      }
      listener.onProgress(
          new Progress(
              Progress.Phase.VERIFY, files, c.files().size(), bytes, bytesTotal, f.path()));
    }
    for (String d : c.directories()) {
      if (!stored.contains(DATA + "/" + d)) {
        problems.add(
            new Problem(d, Kind.MISSING, "directory recorded in the manifest, not stored"));
      }
    }
    return new VerifyReport(backupId.value(), problems, files, bytes);
  }

  private static long checksum(Path file, CRC32C crc) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    long size = 0;
    try (FileChannel in = FileChannel.open(file, READ, NOFOLLOW_LINKS)) {
      while (in.read(buffer) >= 0) {
        buffer.flip();
        size += buffer.remaining();
        crc.update(buffer);
        buffer.clear();
      }
    }
    return size;
  }

  // ---------------------------------------------------------------- listing and lifecycle

  @Override
  public List<BackupMetadata> list() throws IOException {
    ensureOpen();
    List<BackupMetadata> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (BackupId.isValid(
            name)) { // staging and deleting names are not ids; damaged backups are not found
          find(BackupId.of(name)).ifPresent(out::add);
        }
      }
    }
    out.sort(BackupMetadata.NEWEST_FIRST);
    return out;
  }

  @Override
  public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
    ensureOpen();
    try {
      return Optional.of(read(backupId).metadata());
    } catch (NoSuchBackupException | CorruptBackupException e) {
      return Optional
          .empty(); // a backup whose manifest is gone or damaged is not a complete backup
    }
  }

  @Override
  public void delete(BackupId backupId) throws IOException {
    ensureOpen();
    Path dir = backupDir(backupId); // first: an unknown id is refused before anything changes (P24)
    // P22: one rename takes it out of list() at once; open() finishes a deletion a crash
    // interrupted
    Files.move(dir, root.resolve(DELETING + backupId), StandardCopyOption.ATOMIC_MOVE);
    FileTrees.deleteRecursively(root.resolve(DELETING + backupId));
  }

  @Override
  public long storedBytes(BackupId backupId) throws IOException {
    ensureOpen();
    try (Stream<Path> walk = Files.walk(backupDir(backupId))) {
      long total = 0;
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p, NOFOLLOW_LINKS)) {
          total += Files.size(p);
        }
      }
      return total;
    }
  }

  @Override
  public RepositoryInfo info() {
    return RepositoryInfo.of(new CopyProvider(), root); // P4: a location, never an option value
  }

  @Override
  public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    ensureOpen();
    // P23: the API chooses, so every provider prunes alike; full backups have no bases to keep
    List<BackupMetadata> doomed = pruneCandidates(policy);
    for (BackupMetadata b : doomed) {
      delete(b.id());
    }
    return doomed;
  }

  @Override
  public void close() {
    closed = true;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("repository is closed");
    }
  }
}
