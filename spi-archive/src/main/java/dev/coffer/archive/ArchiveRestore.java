package dev.coffer.archive;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.Progress;
import dev.coffer.RestoreRequest;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreAttributes;
import dev.coffer.spi.support.RestoreStaging;
import dev.coffer.spi.support.SourceEntry;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;

/**
 * One restore of a Coffer archive: opens its base chain, checks every path, stages directories,
 * files (each authenticated, decoded and hashed on this thread, written by a {@link
 * FileWriterStage}) and links, then commits. Receives the layout and the settings, nothing else of
 * the repository.
 */
final class ArchiveRestore {

  private final RepositoryLayout layout;
  private final Keyring keyring;
  private final GcmWarmupSwitch warmup;
  private final int threads;
  private final String id;

  ArchiveRestore(RepositoryLayout layout, ArchiveSettings settings, String id) {
    this.layout = layout;
    this.keyring = settings.keyring();
    this.warmup = settings.warmup();
    this.threads = settings.threads();
    this.id = id;
  }

  /**
   * Restores as {@code request} says; every file is authenticated and its SHA-256 checked before
   * commit.
   */
  BackupMetadata run(RestoreRequest request) throws IOException {
    ExecutorService pool = Workers.newPool(threads);
    try (BaseChain chain = BaseChain.open(layout, keyring, warmup, id, pool, 2 * threads)) {
      Manifest m = chain.manifest();
      m.checkPaths();
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
            chain.checkForeignEntry(f);
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
      files.sort(
          Comparator.comparing(Manifest.FileEntry::archive)
              .thenComparingLong(Manifest.FileEntry::offset));
      long bytesTotal = files.stream().mapToLong(Manifest.FileEntry::size).sum();
      try (RestoreStaging staging = RestoreStaging.begin(request)) {
        Path stage = staging.directory();
        // created owner-only, given their recorded modes (and owners) by commit, deepest first
        RestoreAttributes attributes = staging.attributes();
        attributes.recordRoot(m.posixOf(Manifest.ROOT));
        List<String> restored = new ArrayList<>(dirs);
        files.forEach(f -> restored.add(f.path()));
        links.forEach(l -> restored.add(l.path()));
        checkCollisions(staging, m, restored);
        checkLinkTargets(stage, m, links);
        // every write goes through the staging object, never through the staging directory's name
        for (String d : dirs) {
          PosixAttributes recorded = m.posixOf(d);
          staging.createDirectory(d, attributes.directoryAttributes(recorded));
          attributes.record(d, SourceEntry.Type.DIRECTORY, recorded);
        }
        long filesDone = 0;
        long bytesDone = 0;
        // this thread authenticates, decodes and hashes; the write stage creates and writes the
        // files
        try (FileWriterStage writer = new FileWriterStage(through(staging))) {
          for (Manifest.FileEntry f : files) {
            Path out = under(stage, f.path());
            ArchiveReader r = chain.reader(f.archive());
            PosixAttributes recorded = m.posixOf(f.path());
            writer.open(out, attributes.fileAttributes(recorded));
            attributes.record(f.path(), SourceEntry.Type.FILE, recorded);
            ArchiveReader.Record rec = r.readFile(f.offset(), f.path(), f.size(), writer::write);
            if (!FileHasher.hex(rec.sha256()).equals(f.sha256())) {
              throw new CorruptBackupException(
                  "sha256 mismatch for '"
                      + f.path()
                      + "' in backup "
                      + id
                      + ": manifest "
                      + f.sha256()
                      + ", archive "
                      + FileHasher.hex(rec.sha256()),
                  f.path());
            }
            writer.finish(out, f.mtimeMillis());
            filesDone++;
            bytesDone += f.size();
            request
                .progress()
                .onProgress(
                    new Progress(
                        Progress.Phase.RESTORE,
                        filesDone,
                        files.size(),
                        bytesDone,
                        bytesTotal,
                        f.path()));
          }
          writer.await();
        }
        // links last, so no file of this restore is ever written through one
        for (Manifest.Link l : links) {
          staging.createSymbolicLink(l.path(), l.target());
          attributes.record(l.path(), SourceEntry.Type.SYMLINK, m.posixOf(l.path()));
        }
        staging.commit();
      }
      return m.metadata();
    } finally {
      pool.shutdown(); // not shutdownNow: an interrupt would close a channel still being read
    }
  }

  /** The write stage's target: files created and timed through the staging directory's handle. */
  private static FileWriterStage.Target through(RestoreStaging staging) {
    Path stage = staging.directory();
    return new FileWriterStage.Target() {
      @Override
      public SeekableByteChannel create(Path file, FileAttribute<?>[] attributes)
          throws IOException {
        return staging.newFile(RelativePaths.relativize(stage, file), attributes);
      }

      @Override
      public void setLastModifiedTime(Path file, FileTime time) throws IOException {
        staging.setLastModifiedTime(RelativePaths.relativize(stage, file), time);
      }
    };
  }

  /** {@code path} below {@code dir}, component by component (a name the write stage passes on). */
  private static Path under(Path dir, String path) {
    Path p = dir;
    for (String part : path.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  /**
   * Refuses paths that the target's file system would conflate (case- or normalization-insensitive
   * lookups), probed in the staging directory before anything is restored.
   */
  private static void checkCollisions(RestoreStaging staging, Manifest m, List<String> paths)
      throws IOException {
    if (!staging.conflatesNames()) {
      return; // exact duplicates were refused when the manifest was read
    }
    Optional<String> collision = RelativePaths.findCollision(paths);
    if (collision.isPresent()) {
      throw new CorruptBackupException(
          "backup "
              + m.backupId()
              + " cannot be restored onto this file system: "
              + collision.get(),
          null);
    }
  }

  /** Refuses, before anything is written, a link whose target this file system cannot represent. */
  private static void checkLinkTargets(Path stage, Manifest m, List<Manifest.Link> links)
      throws CorruptBackupException {
    for (Manifest.Link l : links) {
      try {
        stage.getFileSystem().getPath(l.target());
      } catch (java.nio.file.InvalidPathException e) {
        throw new CorruptBackupException(
            "backup "
                + m.backupId()
                + " cannot be restored onto this file system: the "
                + "target of link '"
                + RelativePaths.printable(l.path())
                + "' is not a valid path here",
            l.path());
      }
    }
  }
}
