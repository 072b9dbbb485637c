package dev.coffer.archive;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.Progress;
import dev.coffer.spi.support.FinishedSource;
import dev.coffer.spi.support.ReadCheck;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;

/**
 * One backup: scans the source, takes unchanged files from the base of an incremental backup, and
 * drives the {@link ArchiveWriter} (hash -> compress -> seal -> frame) over the rest, then writes
 * the manifest. Receives the repository's layout and settings, nothing else.
 */
final class ArchiveBackup {

  private final RepositoryLayout layout;
  private final ArchiveSettings settings;

  ArchiveBackup(RepositoryLayout layout, ArchiveSettings settings) {
    this.layout = layout;
    this.settings = settings;
  }

  /**
   * Scans the source, writes the archive under a temporary name and renames it into place; on any
   * failure the temporary file is removed and nothing else changed.
   */
  BackupMetadata run(BackupRequest request) throws IOException {
    java.util.Objects.requireNonNull(request, "request");
    if (settings.writeMode() == null) {
      throw new IllegalArgumentException(
          "provider 'archive' has no key configured: give key, key-file, passphrase "
              + "or passphrase-file, or choose mode=plain explicitly for unencrypted archives");
    }
    SourceTree tree = SourceTree.scan(request.source(), ScanOptions.of(request));
    tree.refuseUnportableNames();
    // Names differing only in case are legitimate on the source's file system; a restore onto a
    // file system
    // that conflates them refuses them (see restore). Portability problems are refused here
    // already.
    Manifest base = null;
    String baseHash = null;
    if (request.incremental()) {
      String baseId = request.baseBackupId().value();
      Path baseFile = layout.existingArchive(baseId);
      try (ArchiveReader r =
          ArchiveReader.open(baseFile, baseId, settings.keyring(), settings.warmup())) {
        base = r.manifest();
      }
      baseHash = FileHasher.sha256Hex(baseFile);
    }
    String id = settings.ids().get();
    try (TemporaryArchive temp = layout.beginTemporary(id)) {
      SourceReads reads = new SourceReads(settings.changedFiles());
      Manifest m = null;
      while (m == null) {
        try {
          m = write(tree, request, id, temp.file(), base, baseHash, reads);
        } catch (SourceReads.ReadAgain again) {
          // changed-files=retry: a new archive (new salt, new keys), every file read again (P34)
          Files.delete(temp.file());
        }
      }
      move(temp.file(), layout.archiveOf(id));
      temp.published();
      return m.metadata();
    }
  }

  private Manifest write(
      SourceTree tree,
      BackupRequest request,
      String id,
      Path temp,
      Manifest base,
      String baseHash,
      SourceReads reads)
      throws IOException {
    Keyring.WriteKey wk = settings.keyring().forWriting(settings.entropy());
    byte[] salt = new byte[32];
    settings.entropy().nextBytes(salt);
    reads.begin(salt);
    ArchiveHeader header =
        new ArchiveHeader(
            settings.writeMode(), wk.argon2(), wk.argon2Salt(), salt, settings.chunkSize(), id);
    ArchiveKeys keys = ArchiveKeys.derive(wk.master(), header);
    Map<String, Manifest.FileEntry> baseFiles = new HashMap<>();
    Set<String> basePaths = new TreeSet<>(RelativePaths.ORDER);
    if (base != null) {
      base.files().forEach(f -> baseFiles.put(f.path(), f));
      basePaths.addAll(baseFiles.keySet());
      basePaths.addAll(base.directories());
      base.linkList().forEach(l -> basePaths.add(l.path()));
    }
    ExecutorService pool = Workers.newPool(settings.threads());
    try (FileChannel ch =
            FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        BlockCompressor compressor = new BlockCompressor(settings.level())) {
      ArchiveWriter writer =
          new ArchiveWriter(
              ch, header, keys, compressor, pool, settings.threads(), settings.warmup());
      List<String> dirs = new ArrayList<>();
      List<Manifest.FileEntry> files = new ArrayList<>();
      List<Manifest.Link> links = new ArrayList<>();
      // in scan order, the root first: the manifest's bytes do not depend on hashing
      Map<String, Manifest.Posix> posix = new LinkedHashMap<>();
      if (tree.rootPosix() != null) {
        posix.put(Manifest.ROOT, Manifest.Posix.of(tree.rootPosix()));
      }
      Map<String, long[]> offsets = new HashMap<>();
      List<BackupWarning> changes = new ArrayList<>(); // rule P34, in path order like the scan
      long filesTotal = tree.files().size();
      long bytesTotal = tree.totalBytes();
      long filesDone = 0;
      long bytesDone = 0;
      for (SourceEntry e : tree.entries()) {
        if (e.posix() != null) {
          posix.put(
              e.path(), Manifest.Posix.of(e.posix())); // from this scan, also for unchanged files
        }
        if (e.type() == SourceEntry.Type.DIRECTORY) {
          dirs.add(e.path());
          writer.directory(e.path());
          continue;
        }
        if (e.type() == SourceEntry.Type.SYMLINK) {
          links.add(
              new Manifest.Link(e.path(), e.linkTarget())); // the manifest holds all a link is
          continue;
        }
        long mtime = e.lastModified().toEpochMilli();
        Path src = resolveSource(tree.root(), e.path());
        Manifest.FileEntry old = baseFiles.get(e.path());
        Manifest.FileEntry entry = null;
        boolean gone = false;
        try {
          if (old != null
              && old.size() == e.sizeBytes()
              && old.sha256().equals(FileHasher.sha256Hex(src))) {
            // the base's copy holds exactly the bytes just hashed: reused without a check
            entry =
                new Manifest.FileEntry(
                    e.path(), old.size(), mtime, old.sha256(), old.archive(), old.offset());
          }
        } catch (NoSuchFileException missing) {
          changes.add(reads.vanished(e));
          gone = true;
        }
        if (entry == null && !gone) {
          entry = readChecked(writer, e, src, id, offsets, changes, reads);
        }
        if (entry == null) {
          posix.remove(e.path()); // vanished: left out of the manifest and its totals
          filesTotal--;
          bytesTotal -= e.sizeBytes();
          progress(request, filesDone, filesTotal, bytesDone, bytesTotal, e.path());
          continue;
        }
        files.add(entry);
        filesDone++;
        bytesDone += entry.size();
        bytesTotal += entry.size() - e.sizeBytes(); // a file read at another size than scanned
        progress(request, filesDone, filesTotal, bytesDone, bytesTotal, e.path());
      }
      FinishedSource finished =
          FinishedSource.finish(request, tree); // after the copy, before the manifest (P33)
      addFinished(
          finished.tree(), request, id, writer, dirs, files, links, posix, offsets, bytesTotal);
      writer.flush();
      List<Manifest.FileEntry> resolved = withOffsets(files, offsets);
      long totalBytes = files.stream().mapToLong(Manifest.FileEntry::size).sum();
      List<String> deleted =
          base == null ? new ArrayList<>() : deletedSince(basePaths, dirs, files, links);
      Manifest m =
          new Manifest(
              Manifest.FORMAT,
              id,
              settings.clock().instant().toString(),
              base == null ? BackupType.FULL.name() : BackupType.INCREMENTAL.name(),
              base == null ? null : base.backupId(),
              baseHash,
              request.source().toString(),
              Format.PROVIDER,
              Format.PROVIDER_VERSION,
              new TreeMap<>(finished.labels()),
              resolved.size(),
              totalBytes,
              dirs,
              resolved,
              deleted,
              links.isEmpty() ? null : links,
              posix.isEmpty() ? null : posix,
              warnings(tree.skipped(), changes));
      byte[] json = ManifestCodec.encode(m);
      if (json.length > Format.MAX_MANIFEST_BYTES) {
        throw new BackupException(
            "manifest of backup " + id + " would exceed " + Format.MAX_MANIFEST_BYTES + " bytes");
      }
      writer.finish(json, ManifestCodec.mac(keys.manifestMac, json));
      ch.force(true);
      return m;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Reads one source file into the archive under rule P34: {@link ReadCheck} before the open and
   * after the read, with the bytes the writer actually stored (whose size and hash the entry
   * records, so verify agrees with the archive), and the modification time seen after the read.
   * What a change means is {@link SourceReads}'s: a warning, a failure, or ({@code retry}) the
   * whole archive written again.
   *
   * @return the file's entry, or {@code null} when it vanished before it was opened (a warning says
   *     so and nothing was written for it)
   */
  private Manifest.FileEntry readChecked(
      ArchiveWriter writer,
      SourceEntry e,
      Path src,
      String id,
      Map<String, long[]> offsets,
      List<BackupWarning> changes,
      SourceReads reads)
      throws IOException {
    ReadCheck check;
    SeekableByteChannel in;
    try { // only the source's side: a NoSuchFileException here means the source file is gone
      check = reads.before(src, e);
      if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
        // replaced by a link, directory or special file: never followed nor opened (a FIFO's open
        // would block), stored as nothing, like a vanished file, with the check's warning
        changes.add(reads.kept(check.after(0).orElseGet(() -> ReadCheck.vanished(e))));
        return null;
      }
      in = Files.newByteChannel(src, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException gone) {
      changes.add(reads.vanished(e));
      return null;
    }
    long[] at = new long[1];
    offsets.put(e.path(), at);
    ArchiveWriter.FileResult r;
    try (in) {
      r = writer.file(e.path(), in, off -> at[0] = off);
    }
    Optional<BackupWarning> change = check.after(r.size());
    if (change.isPresent()) {
      changes.add(reads.kept(change.get()));
    }
    // the time of the bytes stored, seen after the read, not the scan's: restore sets this one
    return new Manifest.FileEntry(
        e.path(),
        r.size(),
        check.lastModified().toEpochMilli(),
        FileHasher.hex(r.sha256()),
        id,
        -1);
  }

  /** The scan's skipped entries and the read changes, merged in path order; null when none. */
  private static List<Manifest.Warning> warnings(
      List<BackupWarning> skipped, List<BackupWarning> changes) {
    List<BackupWarning> all = new ArrayList<>(skipped);
    all.addAll(changes);
    all.sort(Comparator.comparing(BackupWarning::path, RelativePaths.ORDER)); // stable
    return all.isEmpty() ? null : all.stream().map(Manifest.Warning::of).toList();
  }

  /** The entries with the container offsets the writer reported for the files it wrote. */
  private static List<Manifest.FileEntry> withOffsets(
      List<Manifest.FileEntry> files, Map<String, long[]> offsets) {
    List<Manifest.FileEntry> resolved = new ArrayList<>(files.size());
    for (Manifest.FileEntry f : files) {
      long[] at = offsets.get(f.path());
      resolved.add(
          at == null
              ? f
              : new Manifest.FileEntry(
                  f.path(), f.size(), f.mtimeMillis(), f.sha256(), f.archive(), at[0]));
    }
    return resolved;
  }

  /** The base's paths (in the base's order) that this backup no longer has. */
  private static List<String> deletedSince(
      Set<String> basePaths,
      List<String> dirs,
      List<Manifest.FileEntry> files,
      List<Manifest.Link> links) {
    Set<String> now = new HashSet<>(dirs);
    files.forEach(f -> now.add(f.path()));
    links.forEach(l -> now.add(l.path()));
    List<String> deleted = new ArrayList<>();
    for (String p : basePaths) {
      if (!now.contains(p)) {
        deleted.add(p);
      }
    }
    return deleted;
  }

  /**
   * Appends the entries a finisher added (rule P33) after the source's: always new records (never
   * taken from a base), in the same lists as the source's; progress goes on with totals that now
   * count them.
   */
  private static void addFinished(
      SourceTree added,
      BackupRequest request,
      String id,
      ArchiveWriter writer,
      List<String> dirs,
      List<Manifest.FileEntry> files,
      List<Manifest.Link> links,
      Map<String, Manifest.Posix> posix,
      Map<String, long[]> offsets,
      long sourceBytes)
      throws IOException {
    added.refuseUnportableNames();
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
          try (SeekableByteChannel in =
              Files.newByteChannel(src, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            r = writer.file(e.path(), in, off -> at[0] = off);
          }
          files.add(
              new Manifest.FileEntry(
                  e.path(),
                  r.size(),
                  e.lastModified().toEpochMilli(),
                  FileHasher.hex(r.sha256()),
                  id,
                  -1));
          filesDone++;
          bytesDone += r.size();
          bytesTotal += r.size() - e.sizeBytes();
          progress(request, filesDone, filesTotal, bytesDone, bytesTotal, e.path());
        }
        default -> throw new IllegalStateException("unknown entry type " + e.type());
      }
    }
  }

  private static void progress(
      BackupRequest request,
      long filesDone,
      long filesTotal,
      long bytesDone,
      long bytesTotal,
      String at) {
    request
        .progress()
        .onProgress(
            new Progress(Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone, bytesTotal, at));
  }

  private static Path resolveSource(Path root, String rel) {
    Path p = root;
    for (String part : rel.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }
}
