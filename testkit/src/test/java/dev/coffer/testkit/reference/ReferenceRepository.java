package dev.coffer.testkit.reference;

import dev.coffer.BackupId;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.OwnerPolicy;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.SpecialFiles;
import dev.coffer.VerifyReport;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.FinishedSource;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.ReadCheck;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreAttributes;
import dev.coffer.spi.support.RestoreStaging;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import dev.coffer.testkit.reference.ReferenceProvider.Broken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The reference provider's repository. Thread-safe: every method works on immutable published
 * state.
 */
final class ReferenceRepository implements BackupRepository {

  static final String MARKER = "coffer-reference-repository";
  private static final String MANIFEST = "manifest";
  private static final String DATA = "data";
  private static final int MAX_MANIFEST_BYTES = 64 << 20;
  private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];

  private final ReferenceProvider provider;
  private final Path location;
  private final Path backups;
  private final Path staging;
  private final byte[] macKey;
  private final boolean fsync;
  private final Map<String, String> options;
  private final Broken broken;
  private final Set<Capability> caps;
  private volatile boolean closed;
  // used only by the broken variants that trust what they saw before
  private final Map<String, VerifyReport> verified = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Broken on purpose (JVM_WIDE_CATALOGUE): the ids list() shows, per repository, shared by the
   * instances of this JVM and read from disk only at the first open in the JVM.
   */
  private static final Set<Path> BUSY = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static final Map<Path, Set<String>> CATALOGUE =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final Map<String, BackupMetadata> foundBefore =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** What a source file that changes while it is read means (rule P34). */
  private final ChangedFilesPolicy changedFiles;

  ReferenceRepository(
      ReferenceProvider provider,
      Path location,
      byte[] macKey,
      boolean fsync,
      ChangedFilesPolicy changedFiles,
      Map<String, String> options,
      Broken broken)
      throws IOException {
    this.changedFiles = changedFiles;
    this.provider = provider;
    this.location = location;
    this.backups = location.resolve("backups");
    this.staging = location.resolve("staging");
    this.macKey = macKey;
    this.fsync = fsync;
    this.options = Map.copyOf(options);
    this.broken = broken;
    if (broken == Broken.LOGS_SECRET) {
      System.getLogger("dev.coffer.tck.reference")
          .log(System.Logger.Level.DEBUG, "opened " + location + " with " + options);
    }
    this.caps = provider.capabilities();
    Path marker = location.resolve(MARKER);
    if (Files.isDirectory(location)
        && !Files.exists(marker)
        && !FileTrees.isEmptyDirectory(location)) {
      throw new IOException(
          location + " holds something that is not a " + provider.name() + " repository");
    }
    Files.createDirectories(backups);
    Files.createDirectories(staging);
    if (!Files.exists(marker)) {
      try {
        Files.writeString(marker, "1\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException raced) {
        // another instance created it
      }
    }
    if (broken == Broken.JVM_WIDE_CATALOGUE) {
      Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(backups)) {
        dirs.forEach(d -> known.add(d.getFileName().toString()));
      }
      CATALOGUE.putIfAbsent(backups, known);
    }
    // Leftovers of backups interrupted by a crash (their own call removes them on ordinary
    // failures).
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(staging)) {
      for (Path p : leftovers) {
        FileTrees.deleteRecursively(p);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // backup

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    checkOpen();
    if (broken != Broken.BUSY_WHILE_ANOTHER_BACKUP_RUNS) {
      return backupNow(request);
    }
    Path key = location.toAbsolutePath();
    if (!BUSY.add(key)) {
      throw new IOException("repository " + location + " is busy with another backup");
    }
    try {
      return backupNow(request);
    } finally {
      BUSY.remove(key);
    }
  }

  private BackupMetadata backupNow(BackupRequest request) throws IOException {
    if (broken == Broken.REFUSED_SOURCE_LEAVES_STAGING
        && !Files.isDirectory(request.source(), LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(staging.resolve(BackupIds.newId().value())); // before the scan fails
    }
    if (broken == Broken.MISSING_SOURCE_IS_A_PLAIN_IO_ERROR && !Files.exists(request.source())) {
      throw new IOException("cannot read the source " + request.source());
    }
    if (request.incremental() && !caps.contains(Capability.INCREMENTAL)) {
      throw new UnsupportedOperationException(
          provider.name() + " does not take incremental backups");
    }
    boolean posix = caps.contains(Capability.POSIX_ATTRIBUTES);
    if (!posix
        && !request.followedLinks().isEmpty()
        && broken != Broken.FOLLOWED_LINKS_IGNORED_WITHOUT_POSIX) {
      throw new UnsupportedOperationException(provider.name() + " does not follow links");
    }
    // without POSIX_ATTRIBUTES: no link followed, special files refused, but exclusions kept (P33)
    SourceTree tree = SourceTree.scan(request.source(), scanOptions(request, posix));
    if (!caps.contains(Capability.SYMLINKS) && broken != Broken.FOLLOWS_SYMLINKS) {
      tree.refuseSymlinks();
    }
    if (request.incremental()
        && find(request.baseBackupId()).isEmpty()
        && broken != Broken.UNKNOWN_BASE_ACCEPTED) {
      throw new NoSuchBackupException(request.baseBackupId());
    }
    String id = BackupIds.newId().value();
    Instant created =
        broken == Broken.CREATED_AT_AN_HOUR_OFF ? Instant.now().plusSeconds(3600) : Instant.now();
    List<Entry> entries = new ArrayList<>();
    boolean early = broken == Broken.PUBLISHES_EARLY;
    Path dir = early ? backups.resolve(id) : staging.resolve(id);
    boolean done = false;
    Path scratch =
        broken == Broken.TEMP_FILE_ON_THE_DEFAULT_FILE_SYSTEM
            ? Files.createTempFile("coffer-reference-", ".scratch") // no directory: the default FS
            : null;
    try {
      Path data = Files.createDirectories(dir.resolve(DATA));
      long total = tree.totalBytes();
      Progress start = new Progress(Progress.Phase.BACKUP, 0, tree.files().size(), 0, total, "");
      request.progress().onProgress(start);
      long[] counts = new long[2]; // files, bytes
      List<BackupWarning> changes = new ArrayList<>();
      store(tree, data, entries, counts, request.progress(), tree.files().size(), total, changes);
      FinishedSource finished =
          FinishedSource.finish(request, tree); // after the copy, before publication (P33)
      SourceTree added = finished.tree();
      if (broken != Broken.DROPS_FINISHED_FILES) {
        store(
            added,
            data,
            entries,
            counts,
            request.progress(),
            counts[0] + added.files().size(), // the source's totals as they ended (P34)
            counts[1] + added.totalBytes(),
            null); // the finisher's files are the host's own (P33): not checked
      }
      if (broken == Broken.INCREMENTAL_KEEPS_REMOVED_DIRECTORIES && request.incremental()) {
        keepRemovedDirectories(request.baseBackupId().value(), data, entries);
      }
      long files = counts[0];
      long bytes = counts[1];
      BackupMetadata meta =
          metadata(id, created, request, finished.labels(), files, bytes, warnings(tree, changes));
      PosixAttributes rootPosix = posix ? tree.rootPosix() : null;
      if (early) {
        // Broken on purpose: the manifest lands in the published directory before the last progress
        // call,
        // so a listener that cancels there (or a failure of the manifest's force) leaves a listed
        // backup.
        writeManifest(dir, meta, entries, rootPosix);
      }
      // The last progress call comes before publication: a listener that throws must still cancel.
      request
          .progress()
          .onProgress(new Progress(Progress.Phase.BACKUP, files, files, bytes, bytes, ""));
      if (!early) {
        writeManifest(dir, meta, entries, rootPosix);
        move(dir, backups.resolve(id));
      }
      if (broken == Broken.JVM_WIDE_CATALOGUE) {
        CATALOGUE.get(backups).add(id);
      }
      done = true;
      return meta;
    } finally {
      if (scratch != null) {
        Files.deleteIfExists(scratch);
      }
      if (!done && !early) {
        try {
          FileTrees.deleteRecursively(dir);
        } catch (IOException ignored) {
          // the next open removes it
        }
      }
    }
  }

  /** What the scan follows, skips and leaves out (the broken variants of P30 and P31 bend it). */
  private ScanOptions scanOptions(BackupRequest request, boolean posix) {
    if (!posix) {
      return new ScanOptions(Set.of(), SpecialFiles.FAIL, request.excluded());
    }
    Set<String> followed = new TreeSet<>(request.followedLinks());
    if (broken == Broken.FOLLOWED_PATTERNS_WITH_A_SLASH_IGNORED) {
      followed.removeIf(p -> p.contains("/"));
    }
    SpecialFiles special =
        broken == Broken.SPECIAL_FILES_ALWAYS_SKIPPED ? SpecialFiles.SKIP : request.specialFiles();
    return new ScanOptions(followed, special, request.excluded());
  }

  /**
   * Broken on purpose (P12): adds the base's directories that held something and are gone now, as
   * if an incremental recorded only deletions of files and of empty directories.
   */
  private void keepRemovedDirectories(String base, Path data, List<Entry> entries)
      throws IOException {
    Set<String> present = new TreeSet<>();
    entries.forEach(e -> present.add(e.path));
    List<Entry> baseEntries = read(base).entries();
    for (Entry d : baseEntries) {
      boolean hadContent = baseEntries.stream().anyMatch(e -> e.path.startsWith(d.path + "/"));
      if (d.type == SourceEntry.Type.DIRECTORY && hadContent && !present.contains(d.path)) {
        Files.createDirectories(data.resolve(d.path));
        entries.add(d);
      }
    }
    entries.sort(java.util.Comparator.comparing(e -> e.path, RelativePaths.ORDER));
  }

  /** The scan's skipped entries and the files that changed while read, in path order (P34). */
  private static List<BackupWarning> warnings(SourceTree tree, List<BackupWarning> changes) {
    List<BackupWarning> all = new ArrayList<>(tree.skipped());
    all.addAll(changes);
    all.sort(java.util.Comparator.comparing(BackupWarning::path, RelativePaths.ORDER));
    return all;
  }

  /**
   * Copies a tree's entries into {@code data}, counting files and bytes in {@code done}; checks
   * each file's read (P34) and adds what changed to {@code changes}, unless that is null.
   */
  private void store(
      SourceTree tree,
      Path data,
      List<Entry> entries,
      long[] done,
      ProgressListener progress,
      long filesTotal,
      long bytesTotal,
      List<BackupWarning> changes)
      throws IOException {
    Map<String, SourceEntry> scanned = new java.util.HashMap<>();
    tree.files().forEach(f -> scanned.put(f.path(), f));
    for (Entry e : plan(tree)) {
      if (e.type == SourceEntry.Type.DIRECTORY) {
        Files.createDirectories(data.resolve(e.path));
        entries.add(e);
      } else if (e.type == SourceEntry.Type.SYMLINK) {
        entries.add(e);
      } else {
        Path from = tree.root().resolve(e.path);
        Path to = RelativePaths.resolveForWrite(data, e.path, true);
        SourceEntry source = scanned.get(e.path);
        long[] sizeAndCrc =
            changes == null || source == null || broken == Broken.CHANGES_WHILE_READ_IGNORED
                ? copy(from, to)
                : checkedCopy(from, to, source, changes);
        if (sizeAndCrc == null) { // gone before it was read: left out, not counted, but told
          filesTotal--;
          bytesTotal -= source.sizeBytes();
          progress.onProgress(
              new Progress(
                  Progress.Phase.BACKUP, done[0], filesTotal, done[1], bytesTotal, e.path));
          continue;
        }
        done[0]++;
        done[1] += sizeAndCrc[0];
        if (source != null) { // P34: the totals follow a file read at another size than scanned
          bytesTotal += sizeAndCrc[0] - source.sizeBytes();
        }
        entries.add(
            new Entry(
                SourceEntry.Type.FILE,
                e.path,
                sizeAndCrc[0],
                sizeAndCrc[1],
                e.mtimeMillis,
                null,
                e.posix));
        progress.onProgress(
            new Progress(Progress.Phase.BACKUP, done[0], filesTotal, done[1], bytesTotal, e.path));
      }
    }
  }

  private List<Entry> plan(SourceTree tree) throws IOException {
    List<Entry> out = new ArrayList<>();
    boolean posix = caps.contains(Capability.POSIX_ATTRIBUTES);
    for (SourceEntry e : tree.entries()) {
      long mtime = e.lastModified().toEpochMilli();
      PosixAttributes attrs = posix ? e.posix() : null;
      switch (e.type()) {
        case DIRECTORY:
          out.add(new Entry(SourceEntry.Type.DIRECTORY, e.path(), 0, 0, mtime, null, attrs));
          break;
        case SYMLINK:
          if (broken == Broken.FOLLOWS_SYMLINKS) {
            Path resolved = tree.root().resolve(e.path());
            if (Files.isRegularFile(resolved)) {
              out.add(new Entry(SourceEntry.Type.FILE, e.path(), 0, 0, mtime, null));
            }
          } else {
            String text =
                broken == Broken.NORMALIZES_LINK_TEXT
                    ? tree.root().getFileSystem().getPath(e.linkTarget()).normalize().toString()
                    : e.linkTarget();
            out.add(new Entry(SourceEntry.Type.SYMLINK, e.path(), 0, 0, mtime, text, attrs));
          }
          break;
        default:
          out.add(new Entry(SourceEntry.Type.FILE, e.path(), 0, 0, mtime, null, attrs));
      }
    }
    return out;
  }

  private BackupMetadata metadata(
      String id,
      Instant created,
      BackupRequest request,
      Map<String, String> labels,
      long files,
      long bytes,
      List<BackupWarning> warnings) {
    return new BackupMetadata(
        id,
        created,
        request.source().toString(),
        files,
        bytes,
        request.incremental() ? BackupType.INCREMENTAL : BackupType.FULL,
        request.incremental() ? request.baseBackupId().value() : null,
        provider.name(),
        "1",
        broken == Broken.LABEL_VALUES_TRIMMED ? trimmed(labels) : labels,
        warnings);
  }

  private static Map<String, String> trimmed(Map<String, String> labels) {
    Map<String, String> out = new TreeMap<>();
    labels.forEach((k, v) -> out.put(k, v.strip()));
    return out;
  }

  /**
   * Copies a source file with rule P34's check: the loop of {@code ChangedFilesPolicy}'s Javadoc.
   * Returns null when the file was gone (left out, with a warning).
   */
  private long[] checkedCopy(Path from, Path to, SourceEntry source, List<BackupWarning> changes)
      throws IOException {
    for (int reads = 1; ; reads++) {
      Optional<BackupWarning> change;
      long[] sizeAndCrc = null;
      try {
        ReadCheck check =
            reads == 1 ? ReadCheck.before(from, source) : ReadCheck.reread(from, source);
        Files.deleteIfExists(to); // a read again rewrites the copy
        sizeAndCrc = copy(from, to);
        change = check.after(sizeAndCrc[0]);
        if (broken == Broken.SAME_SIZE_REWRITE_IGNORED
            && change.isPresent()
            && !change.get().detail().contains("size")) {
          change = Optional.empty(); // only a change of size counts
        }
      } catch (NoSuchFileException e) {
        if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
          throw e; // not the source that is gone
        }
        Files.deleteIfExists(to);
        change = Optional.of(ReadCheck.vanished(source));
        sizeAndCrc = null;
      }
      if (change.isEmpty() || !changedFiles.readAgain(change.get(), reads)) {
        change.ifPresent(changes::add);
        return change.isPresent() && change.get().kind() == BackupWarning.Kind.VANISHED_WHILE_READ
            ? null
            : sizeAndCrc;
      }
    }
  }

  private long[] copy(Path from, Path to) throws IOException {
    CRC32C crc = new CRC32C();
    long size = 0;
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (in.read(buf) >= 0) {
        buf.flip();
        crc.update(buf.duplicate());
        size += buf.remaining();
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        buf.clear();
      }
      if (fsync) {
        out.force(true);
      }
    }
    return new long[] {size, crc.getValue()};
  }

  private void writeManifest(
      Path dir, BackupMetadata m, List<Entry> entries, PosixAttributes rootPosix)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("coffer-reference 1\n");
    sb.append("id ").append(m.backupId()).append('\n');
    sb.append("created ").append(m.createdAt()).append('\n');
    sb.append("source ").append(esc(m.sourceDir())).append('\n');
    sb.append("type ").append(m.backupType()).append('\n');
    sb.append("base ").append(m.baseBackupId() == null ? "-" : m.baseBackupId()).append('\n');
    sb.append("totals ").append(m.totalFiles()).append(' ').append(m.totalBytes()).append('\n');
    m.labels()
        .forEach(
            (k, v) -> sb.append("label ").append(esc(k)).append(' ').append(esc(v)).append('\n'));
    m.warnings().stream()
        .filter(
            w ->
                broken != Broken.SKIPPED_SPECIAL_FILE_NOT_KEPT
                    || w.kind() != BackupWarning.Kind.SKIPPED_SPECIAL_FILE)
        .forEach(
            w ->
                sb.append("W ")
                    .append(esc(w.path()))
                    .append(' ')
                    .append(esc(w.detail()))
                    .append('\n'));
    if (rootPosix != null) {
      sb.append("R ").append(posixLine(rootPosix)).append('\n');
    }
    for (Entry e : entries) {
      switch (e.type) {
        case DIRECTORY:
          sb.append("D ").append(esc(e.path)).append('\n');
          break;
        case SYMLINK:
          sb.append("L ").append(esc(e.path)).append(' ').append(esc(e.linkTarget)).append('\n');
          break;
        default:
          sb.append("F ")
              .append(esc(e.path))
              .append(' ')
              .append(e.size)
              .append(' ')
              .append(Long.toHexString(e.crc))
              .append(' ')
              .append(e.mtimeMillis)
              .append('\n');
      }
      if (e.posix != null) {
        sb.append("P ").append(posixLine(e.posix)).append('\n');
      }
    }
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = (sb + "end " + seal(body) + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel out =
        FileChannel.open(
            dir.resolve(MANIFEST), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(all);
      while (b.hasRemaining()) {
        out.write(b);
      }
      if (fsync) {
        out.force(true);
      }
    }
  }

  private String seal(byte[] body) {
    if (macKey == null) {
      CRC32C crc = new CRC32C();
      crc.update(body);
      return "crc32c:" + Long.toHexString(crc.getValue());
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
      return "hmac:" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // manifest reading

  /** One manifest line. */
  private static final class Entry {
    final SourceEntry.Type type;
    final String path;
    final long size;
    final long crc;
    final long mtimeMillis;
    final String linkTarget;
    final PosixAttributes posix;

    Entry(
        SourceEntry.Type type,
        String path,
        long size,
        long crc,
        long mtimeMillis,
        String linkTarget) {
      this(type, path, size, crc, mtimeMillis, linkTarget, null);
    }

    Entry(
        SourceEntry.Type type,
        String path,
        long size,
        long crc,
        long mtimeMillis,
        String linkTarget,
        PosixAttributes posix) {
      this.type = type;
      this.path = path;
      this.size = size;
      this.crc = crc;
      this.mtimeMillis = mtimeMillis;
      this.linkTarget = linkTarget;
      this.posix = posix;
    }

    Entry with(PosixAttributes attributes) {
      return new Entry(type, path, size, crc, mtimeMillis, linkTarget, attributes);
    }
  }

  /** A parsed, checked manifest. */
  private record Manifest(
      BackupMetadata metadata, List<Entry> entries, PosixAttributes rootPosix) {}

  /** Reads a manifest; empty when the backup does not exist or its manifest cannot be trusted. */
  private Optional<Manifest> tryRead(String id) throws IOException {
    try {
      return Optional.of(read(id));
    } catch (NoSuchBackupException | CorruptBackupException e) {
      return Optional.empty();
    }
  }

  private Manifest read(String id) throws IOException {
    if (broken == Broken.IDS_IGNORE_CASE && id != null) {
      id =
          id.toLowerCase(
              java.util.Locale.ROOT); // as a case-insensitive file system would look it up
    }
    if (!BackupId.isValid(id) || !FileTrees.existsWithExactName(backups.resolve(id))) {
      throw new NoSuchBackupException(id);
    }
    Path file = backups.resolve(id).resolve(MANIFEST);
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_MANIFEST_BYTES) {
        throw new CorruptBackupException(
            "manifest of backup " + id + " is larger than " + MAX_MANIFEST_BYTES + " bytes",
            MANIFEST);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchBackupException(id);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int end = text.lastIndexOf("end ");
    if (end < 0 || !text.endsWith("\n")) {
      throw new CorruptBackupException("manifest of backup " + id + " is truncated", MANIFEST);
    }
    byte[] body = text.substring(0, end).getBytes(StandardCharsets.UTF_8);
    String seal = text.substring(end + 4, text.length() - 1);
    if (!MessageDigest.isEqual(
        seal.getBytes(StandardCharsets.UTF_8), seal(body).getBytes(StandardCharsets.UTF_8))) {
      throw new CorruptBackupException("manifest of backup " + id + " fails its check", MANIFEST);
    }
    try {
      return parse(id, text.substring(0, end));
    } catch (RuntimeException e) {
      throw new CorruptBackupException(
          "manifest of backup " + id + " is malformed: " + e.getMessage(), MANIFEST, e);
    }
  }

  private Manifest parse(String id, String text) throws CorruptBackupException {
    Map<String, String> header = new LinkedHashMap<>();
    Map<String, String> labels = new TreeMap<>();
    List<Entry> entries = new ArrayList<>();
    List<BackupWarning> warnings = new ArrayList<>();
    PosixAttributes rootPosix = null;
    String[] lines = text.split("\n");
    if (!lines[0].equals("coffer-reference 1")) {
      throw new IllegalArgumentException("unknown format " + lines[0]);
    }
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split(" ", -1);
      switch (f[0]) {
        case "D":
          entries.add(
              new Entry(
                  SourceEntry.Type.DIRECTORY,
                  RelativePaths.checkStored(unesc(f[1]), id),
                  0,
                  0,
                  0,
                  null));
          break;
        case "L":
          entries.add(
              new Entry(
                  SourceEntry.Type.SYMLINK,
                  RelativePaths.checkStored(unesc(f[1]), id),
                  0,
                  0,
                  0,
                  unesc(f[2])));
          break;
        case "F":
          entries.add(
              new Entry(
                  SourceEntry.Type.FILE,
                  RelativePaths.checkStored(unesc(f[1]), id),
                  Long.parseLong(f[2]),
                  Long.parseUnsignedLong(f[3], 16),
                  Long.parseLong(f[4]),
                  null));
          break;
        case "label":
          labels.put(unesc(f[1]), unesc(f[2]));
          break;
        case "W":
          warnings.add(
              new BackupWarning(unesc(f[1]), BackupWarning.Kind.SKIPPED_SPECIAL_FILE, unesc(f[2])));
          break;
        case "R":
          rootPosix = posixOf(f);
          break;
        case "P":
          entries.set(entries.size() - 1, entries.get(entries.size() - 1).with(posixOf(f)));
          break;
        default:
          header.put(f[0], lines[i].substring(f[0].length() + 1));
      }
    }
    if (!id.equals(header.get("id"))) {
      throw new IllegalArgumentException("manifest names backup " + header.get("id"));
    }
    String[] totals = header.get("totals").split(" ");
    String base = header.get("base");
    BackupMetadata meta =
        new BackupMetadata(
            id,
            Instant.parse(header.get("created")),
            unesc(header.get("source")),
            Long.parseLong(totals[0]),
            Long.parseLong(totals[1]),
            BackupType.valueOf(header.get("type")),
            "-".equals(base) ? null : base,
            provider.name(),
            "1",
            labels,
            warnings);
    return new Manifest(meta, entries, rootPosix);
  }

  /** Mode, ids and names of one entry; "-" for an unknown name. */
  private static String posixLine(PosixAttributes a) {
    return Integer.toOctalString(a.permissions())
        + ' '
        + a.uid()
        + ' '
        + a.gid()
        + ' '
        + (a.owner() == null ? "-" : esc(a.owner()))
        + ' '
        + (a.group() == null ? "-" : esc(a.group()));
  }

  private static PosixAttributes posixOf(String[] f) {
    return new PosixAttributes(
        Integer.parseInt(f[1], 8),
        Integer.parseInt(f[2]),
        Integer.parseInt(f[3]),
        "-".equals(f[4]) ? null : unesc(f[4]),
        "-".equals(f[5]) ? null : unesc(f[5]));
  }

  private static String esc(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (c <= 0x20 || c == '%' || c >= 0x7F) {
        sb.append(String.format("%%%02x", c));
      } else {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private static String unesc(String s) {
    byte[] out = new byte[s.length()];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        out[n++] = (byte) Integer.parseInt(s.substring(i + 1, i + 3), 16);
        i += 2;
      } else {
        out[n++] = (byte) c;
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------------------------------------
  // restore and verify

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    checkOpen();
    if (broken == Broken.CREATE_REPLACES_A_NON_EMPTY_TARGET
        && request.mode() == RestoreMode.CREATE
        && Files.isDirectory(request.target(), LinkOption.NOFOLLOW_LINKS)
        && !FileTrees.isEmptyDirectory(request.target())) {
      return restore(request.withMode(RestoreMode.REPLACE));
    }
    if ((broken == Broken.CURRENT_OWNERS_TAKEN_AS_AUTO && request.owners() == OwnerPolicy.CURRENT)
        || (broken == Broken.PRESERVE_OWNERS_TAKEN_AS_AUTO
            && request.owners() == OwnerPolicy.PRESERVE)) {
      request = request.withOwners(OwnerPolicy.AUTO);
    }
    if (broken == Broken.REPLACE_KEEPS_THE_OLD_TARGET_BESIDE_IT
        && request.mode() == RestoreMode.REPLACE
        && Files.isDirectory(request.target(), LinkOption.NOFOLLOW_LINKS)) {
      // set aside "in case", never removed: a new entry beside the target
      Files.move(
          request.target(),
          request.target().resolveSibling(request.target().getFileName() + ".old"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    if (broken == Broken.A_FILE_TARGET_IS_REPLACED
        && request.mode() == RestoreMode.REPLACE
        && Files.isRegularFile(request.target(), LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(request.target());
    }
    if (request.partial() && !caps.contains(Capability.PARTIAL_RESTORE)) {
      throw new UnsupportedOperationException(
          provider.name() + " does not restore parts of a backup");
    }
    String id = request.backupId().value();
    Manifest m = read(id);
    Path data = backups.resolve(id).resolve(DATA);
    Map<String, Entry> byPath = new TreeMap<>(RelativePaths.ORDER);
    m.entries().forEach(e -> byPath.put(e.path, e));
    for (String p : request.paths()) {
      if (!byPath.containsKey(p)) {
        if (broken == Broken.PARTIAL_RESTORE_LEAVES_STAGING) {
          RestoreStaging.begin(
              request.target(), request.mode()); // never closed: its directory stays behind
        }
        throw new NoSuchFileException(p, null, "not in backup " + id);
      }
    }
    if (broken == Broken.REPLACE_CREATES_MISSING_PARENT
        && request.mode() == RestoreMode.REPLACE
        && request.target().getParent() != null) {
      Files.createDirectories(request.target().getParent());
    }
    List<VerifyReport.Problem> layout = checkLayout(id, m);
    if (!layout.isEmpty()) {
      VerifyReport.Problem p = layout.get(0);
      throw new CorruptBackupException(
          "backup " + id + ": " + p.kind() + " " + p.path() + ": " + p.detail(), p.path());
    }
    Set<String> wantedAncestors = new TreeSet<>();
    request.paths().forEach(p -> wantedAncestors.addAll(RelativePaths.ancestors(p)));
    List<Entry> selected = new ArrayList<>();
    for (Entry e : m.entries()) {
      boolean chosen =
          broken == Broken.PARTIAL_RESTORE_NOT_RECURSIVE && request.partial()
              ? request.paths().contains(e.path)
                  || request
                      .paths()
                      .contains(e.path.substring(0, Math.max(0, e.path.lastIndexOf('/'))))
              : request.selects(e.path);
      if (chosen || wantedAncestors.contains(e.path)) {
        selected.add(e);
      }
    }
    long total = selected.stream().mapToLong(e -> e.size).sum();
    long filesDone = 0;
    long bytesDone = 0;
    long fileCount = selected.stream().filter(e -> e.type == SourceEntry.Type.FILE).count();
    Path lock =
        broken == Broken.RESTORE_LOCK_IN_THE_WORKING_DIRECTORY
            ? Files.createFile(
                Path.of(".coffer-restore-" + id + ".lock")) // relative: the default FS
            : null;
    try (RestoreStaging stage = RestoreStaging.begin(request)) {
      Path root = stage.directory();
      RestoreAttributes attrs = stage.attributes();
      attrs.recordRoot(m.rootPosix());
      CorruptBackupException skipped = null;
      request
          .progress()
          .onProgress(new Progress(Progress.Phase.RESTORE, 0, fileCount, 0, total, ""));
      for (Entry e : selected) {
        // P21: every write through the staging object, never through the directory's name (which
        // another process could swap for a link), unless broken on purpose
        Path out =
            broken == Broken.WRITES_THROUGH_STAGING_NAME
                ? RelativePaths.resolveForWrite(root, e.path, true)
                : null;
        switch (e.type) {
          case DIRECTORY:
            if (out == null) {
              stage.createDirectory(e.path, attrs.directoryAttributes(e.posix));
            } else if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
              Files.createDirectory(out, attrs.directoryAttributes(e.posix));
            }
            attrs.record(
                e.path,
                e.type,
                broken == Broken.DIRECTORY_MODES_NOT_SET && e.posix != null
                    ? e.posix.withPermissions(0700) // as created, owner-only
                    : e.posix);
            break;
          case SYMLINK:
            if (out == null) {
              stage.createSymbolicLink(e.path, e.linkTarget);
            } else {
              Files.createSymbolicLink(out, out.getFileSystem().getPath(e.linkTarget));
            }
            attrs.record(e.path, e.type, e.posix);
            break;
          default:
            FileAttribute<?>[] create =
                broken == Broken.OPEN_WHILE_RESTORING
                    ? NO_ATTRIBUTES
                    : attrs.fileAttributes(e.posix);
            try {
              restoreFile(
                  id,
                  data,
                  e,
                  out == null
                      ? stage.newFile(e.path, create)
                      : FileChannel.open(
                          out,
                          Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                          create));
            } catch (CorruptBackupException c) {
              if (broken != Broken.CORRUPT_RESTORE_KEEPS_GOOD_FILES) {
                throw c;
              }
              Files.deleteIfExists(RelativePaths.resolveForWrite(root, e.path, true));
              skipped = skipped == null ? c : skipped;
              continue;
            }
            if (caps.contains(Capability.TIMESTAMPS)
                && !(broken == Broken.TIMES_OF_LARGE_FILES_NOT_SET && e.size > 64 * 1024)) {
              FileTime t =
                  FileTime.fromMillis(
                      broken == Broken.TIMES_TO_THE_SECOND
                          ? e.mtimeMillis / 1000 * 1000
                          : e.mtimeMillis);
              if (out == null) {
                stage.setLastModifiedTime(e.path, t);
              } else {
                Files.setLastModifiedTime(out, t);
              }
            }
            attrs.record(
                e.path,
                e.type,
                broken == Broken.MODES_WRONG && e.posix != null
                    ? e.posix.withPermissions(e.posix.permissions() | 0044)
                    : e.posix);
            filesDone++;
            bytesDone += e.size;
            request
                .progress()
                .onProgress(
                    new Progress(
                        Progress.Phase.RESTORE, filesDone, fileCount, bytesDone, total, e.path));
        }
      }
      stage.commit();
      if (skipped != null) {
        throw skipped; // after publishing the files that were intact
      }
    } finally {
      if (lock != null) {
        Files.deleteIfExists(lock);
      }
    }
    if (broken == Broken.WRITES_OUTSIDE_TARGET) {
      try {
        Files.writeString(
            request
                .target()
                .toAbsolutePath()
                .resolveSibling(request.target().getFileName() + ".restored-by"),
            id);
      } catch (IOException ignored) {
        // a marker, best effort
      }
    }
    return m.metadata();
  }

  /** Copies the stored file of {@code e} into {@code out} (which it closes), checking it. */
  private void restoreFile(String id, Path data, Entry e, FileChannel out) throws IOException {
    Path stored = data.resolve(e.path);
    CRC32C crc = new CRC32C();
    long size = 0;
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try (FileChannel w = out;
        FileChannel in =
            FileChannel.open(stored, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      while (in.read(buf) >= 0) {
        buf.flip();
        crc.update(buf.duplicate());
        size += buf.remaining();
        while (buf.hasRemaining()) {
          w.write(buf);
        }
        buf.clear();
      }
    } catch (NoSuchFileException missing) {
      throw new CorruptBackupException(
          "stored file " + e.path + " of backup " + id + " is missing", e.path, missing);
    }
    if (broken != Broken.RESTORE_SKIPS_CHECKSUMS && (size != e.size || crc.getValue() != e.crc)) {
      throw new CorruptBackupException(
          "crc32c mismatch for "
              + e.path
              + " in backup "
              + id
              + ": stored "
              + Long.toHexString(e.crc)
              + " ("
              + e.size
              + " bytes), computed "
              + Long.toHexString(crc.getValue())
              + " ("
              + size
              + " bytes)",
          e.path);
    }
  }

  /**
   * Compares what is stored with the manifest: missing, unexpected and wrongly typed items (not
   * bytes).
   */
  private List<VerifyReport.Problem> checkLayout(String id, Manifest m) throws IOException {
    List<VerifyReport.Problem> problems = new ArrayList<>();
    Path dir = backups.resolve(id);
    Path data = dir.resolve(DATA);
    try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
      for (Path p : top) {
        String name = p.getFileName().toString();
        if (!name.equals(MANIFEST) && !name.equals(DATA)) {
          problems.add(
              new VerifyReport.Problem(
                  name, VerifyReport.Kind.UNEXPECTED, "not part of backup " + id));
        }
      }
    }
    Map<String, SourceEntry.Type> expected = new TreeMap<>();
    for (Entry e : m.entries()) {
      if (e.type != SourceEntry.Type.SYMLINK) {
        expected.put(e.path, e.type);
      }
    }
    Map<String, SourceEntry.Type> found = new TreeMap<>();
    if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
      problems.add(
          new VerifyReport.Problem(
              DATA, VerifyReport.Kind.MISSING, "data directory missing or not a directory"));
      return problems;
    }
    Files.walkFileTree(
        data,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (!d.equals(data)) {
              found.put(RelativePaths.relativize(data, d), SourceEntry.Type.DIRECTORY);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            found.put(
                RelativePaths.relativize(data, f),
                attrs.isRegularFile() ? SourceEntry.Type.FILE : SourceEntry.Type.SYMLINK);
            return FileVisitResult.CONTINUE;
          }
        });
    for (Map.Entry<String, SourceEntry.Type> e : expected.entrySet()) {
      SourceEntry.Type f = found.get(e.getKey());
      if (f == null) {
        VerifyReport.Kind kind =
            broken == Broken.VERIFY_MISLABELS_MISSING
                ? VerifyReport.Kind.CORRUPT
                : VerifyReport.Kind.MISSING;
        problems.add(
            new VerifyReport.Problem(e.getKey(), kind, "recorded " + e.getValue() + " not stored"));
      } else if (f != e.getValue()) {
        problems.add(
            new VerifyReport.Problem(
                e.getKey(),
                VerifyReport.Kind.CORRUPT,
                "recorded " + e.getValue() + ", stored " + f));
      }
    }
    for (Map.Entry<String, SourceEntry.Type> e : found.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        problems.add(
            new VerifyReport.Problem(
                e.getKey(),
                VerifyReport.Kind.UNEXPECTED,
                "stored " + e.getValue() + " not recorded"));
      }
    }
    return problems;
  }

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, ProgressListener.NONE);
  }

  @Override
  public VerifyReport verify(BackupId requested, ProgressListener listener) throws IOException {
    checkOpen();
    String backupId = requested.value();
    if (!BackupId.isValid(backupId)
        || !Files.isDirectory(backups.resolve(backupId))
        || !FileTrees.existsWithExactName(backups.resolve(backupId))) {
      throw new NoSuchBackupException(backupId);
    }
    if (broken == Broken.VERIFY_ALWAYS_OK) {
      return new VerifyReport(backupId, List.of(), 0, 0);
    }
    VerifyReport earlier = verified.get(backupId);
    if (broken == Broken.VERIFY_TRUSTS_EARLIER_RESULT && earlier != null) {
      return earlier;
    }
    Manifest m;
    try {
      m = read(backupId);
    } catch (CorruptBackupException e) {
      return new VerifyReport(
          backupId,
          List.of(new VerifyReport.Problem(MANIFEST, VerifyReport.Kind.METADATA, e.getMessage())),
          1,
          0);
    }
    List<VerifyReport.Problem> problems = new ArrayList<>(checkLayout(backupId, m));
    Path data = backups.resolve(backupId).resolve(DATA);
    long files = 0;
    long bytes = 0;
    long filesTotal = m.entries().stream().filter(e -> e.type == SourceEntry.Type.FILE).count();
    long bytesTotal =
        m.entries().stream()
            .filter(e -> e.type == SourceEntry.Type.FILE)
            .mapToLong(e -> e.size)
            .sum();
    listener.onProgress(new Progress(Progress.Phase.VERIFY, 0, filesTotal, 0, bytesTotal, ""));
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    for (Entry e : m.entries()) {
      if (e.type != SourceEntry.Type.FILE) {
        continue;
      }
      Path stored = data.resolve(e.path);
      if (!Files.isRegularFile(stored, LinkOption.NOFOLLOW_LINKS)) {
        continue; // reported by checkLayout
      }
      CRC32C crc = new CRC32C();
      long size = 0;
      if (broken == Broken.VERIFY_SKIPS_LARGE_FILE_CONTENT && e.size > 64 * 1024) {
        files++;
        bytes += Files.size(stored);
        if (Files.size(stored) != e.size) {
          problems.add(new VerifyReport.Problem(e.path, VerifyReport.Kind.CORRUPT, "size differs"));
        }
        continue;
      }
      try (FileChannel in =
          FileChannel.open(stored, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        while (in.read(buf) >= 0) {
          buf.flip();
          size += buf.remaining();
          crc.update(buf);
          buf.clear();
        }
      }
      files++;
      bytes += size;
      listener.onProgress(
          new Progress(Progress.Phase.VERIFY, files, filesTotal, bytes, bytesTotal, e.path));
      if (size != e.size || crc.getValue() != e.crc) {
        problems.add(
            new VerifyReport.Problem(
                e.path,
                VerifyReport.Kind.CORRUPT,
                "recorded "
                    + e.size
                    + " bytes crc32c "
                    + Long.toHexString(e.crc)
                    + ", stored "
                    + size
                    + " bytes crc32c "
                    + Long.toHexString(crc.getValue())));
      }
    }
    VerifyReport report = new VerifyReport(backupId, problems, files, bytes);
    if (report.ok() && broken == Broken.VERIFY_TRUSTS_EARLIER_RESULT) {
      verified.put(backupId, report);
    }
    if (broken == Broken.VERIFY_RECORDS_ITS_RESULT && report.ok()) {
      Files.writeString(location.resolve("last-verify"), backupId + " " + report.ok() + "\n");
    }
    if (broken == Broken.VERIFY_TOUCHES_TIMES) {
      Files.setLastModifiedTime(
          backups.resolve(backupId).resolve(MANIFEST), FileTime.from(Instant.now()));
    }
    return report;
  }

  // ------------------------------------------------------------------------------------------------
  // listing and lifecycle

  @Override
  public List<BackupMetadata> list() throws IOException {
    checkOpen();
    List<BackupMetadata> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(backups)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (broken == Broken.JVM_WIDE_CATALOGUE && !CATALOGUE.get(backups).contains(name)) {
          continue;
        }
        tryRead(name).ifPresent(m -> out.add(m.metadata()));
      }
    }
    out.sort(BackupMetadata.NEWEST_FIRST);
    return out;
  }

  @Override
  public Optional<BackupMetadata> latest() throws IOException {
    if (broken == Broken.LATEST_SKIPS_INCREMENTALS) {
      return list().stream().filter(m -> m.backupType() == BackupType.FULL).findFirst();
    }
    return BackupRepository.super.latest();
  }

  @Override
  public Optional<BackupMetadata> find(BackupId requested) throws IOException {
    checkOpen();
    String backupId = requested.value();
    if (broken == Broken.FIND_CACHES && backupId != null && foundBefore.containsKey(backupId)) {
      return Optional.of(foundBefore.get(backupId));
    }
    Optional<BackupMetadata> found = tryRead(backupId).map(Manifest::metadata);
    if (broken == Broken.FIND_CACHES) {
      found.ifPresent(m -> foundBefore.put(m.backupId(), m));
    }
    return found;
  }

  @Override
  public synchronized void delete(BackupId requested) throws IOException {
    checkOpen();
    String backupId = requested.value();
    if (find(requested).isEmpty()) {
      throw new NoSuchBackupException(backupId);
    }
    List<String> dependents = new ArrayList<>();
    for (BackupMetadata m : list()) {
      if (backupId.equals(m.baseBackupId())) {
        dependents.add(m.backupId());
      }
    }
    if (!dependents.isEmpty()
        && !caps.contains(Capability.INDEPENDENT_INCREMENTALS)
        && broken != Broken.BASE_WITH_DEPENDENTS_DELETED) {
      throw new BackupInUseException(backupId, dependents);
    }
    if (broken == Broken.DELETE_FAILS) {
      throw new IOException(
          "delete of backup " + backupId + " failed (a deliberately broken delete)");
    }
    foundBefore.remove(backupId);
    Path aside = staging.resolve(backupId + ".deleting");
    move(backups.resolve(backupId), aside);
    FileTrees.deleteRecursively(aside);
  }

  @Override
  public long storedBytes(BackupId requested) throws IOException {
    checkOpen();
    String backupId = requested.value();
    if (find(requested).isEmpty() && broken == Broken.STORED_BYTES_OF_UNKNOWN_IS_ZERO) {
      return 0;
    }
    if (find(requested).isEmpty()) {
      throw new NoSuchBackupException(backupId);
    }
    long[] total = {0};
    Files.walkFileTree(
        backups.resolve(backupId),
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            total[0] += attrs.size();
            return FileVisitResult.CONTINUE;
          }
        });
    return total[0];
  }

  @Override
  public RepositoryInfo info() {
    return new RepositoryInfo(provider.name(), caps, location.toUri().toString());
  }

  @Override
  public synchronized List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    checkOpen();
    List<BackupMetadata> doomed = pruneCandidates(policy);
    for (BackupMetadata m : doomed) {
      delete(m.id());
    }
    return broken == Broken.PRUNE_RETURNS_NOTHING ? List.of() : doomed;
  }

  @Override
  public void close() {
    if (closed && broken == Broken.SECOND_CLOSE_THROWS) {
      throw new IllegalStateException("repository already closed");
    }
    closed = true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("repository " + location + " is closed");
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  @Override
  public String toString() {
    if (broken == Broken.LEAKS_SECRET) {
      return "ReferenceRepository[" + location + ", options " + options + "]";
    }
    return "ReferenceRepository[" + location + "]";
  }
}
