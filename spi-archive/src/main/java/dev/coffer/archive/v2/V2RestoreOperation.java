package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.Progress;
import dev.coffer.RestoreRequest;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreAttributes;
import dev.coffer.spi.support.RestoreStaging;
import dev.coffer.spi.support.SourceEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One restore of a format-2 backup through the provider: opens its chain, checks every requested
 * path and every block reference of every selected file before the target is touched, then stages
 * directories, files (each block authenticated, decompressed to its recorded size and its SHA-256
 * checked) and links through {@link RestoreStaging}, whose commit applies owners and modes ({@link
 * RestoreAttributes}: entries are owner-only until then) and publishes the content.
 */
final class V2RestoreOperation {

  private final V2Repository repo;

  V2RestoreOperation(V2Repository repo) {
    this.repo = repo;
  }

  void run(RestoreRequest request) throws IOException {
    String id = request.backupId().value();
    try (V2Chain chain = V2Chain.open(repo.reader(), repo.reader().open(id))) {
      V2Manifest m = chain.tip().manifest();
      Set<String> known = new HashSet<>();
      m.files().forEach(f -> known.add(f.path()));
      m.directories().forEach(d -> known.add(d.path()));
      m.links().forEach(l -> known.add(l.path()));
      for (String p : request.paths()) {
        if (!known.contains(p)) {
          throw new NoSuchFileException(p, null, "not in backup " + id);
        }
      }
      Map<String, PosixAttributes> dirs = new TreeMap<>(RelativePaths.ORDER);
      Map<String, PosixAttributes> dirPosix = new TreeMap<>(RelativePaths.ORDER);
      m.directories().forEach(d -> dirPosix.put(d.path(), attributes(d.posix())));
      List<V2Manifest.FileEntry> files = new ArrayList<>();
      List<List<BlockResolver.Location>> where = new ArrayList<>();
      List<String> restored = new ArrayList<>();
      for (V2Manifest.FileEntry f : m.files()) {
        if (request.selects(f.path())) {
          files.add(f);
          where.add(chain.check(f)); // every reference checked before anything is written
          restored.add(f.path());
          RelativePaths.ancestors(f.path()).forEach(a -> dirs.put(a, dirPosix.get(a)));
        }
      }
      for (V2Manifest.Dir d : m.directories()) {
        if (request.selects(d.path())) {
          dirs.put(d.path(), dirPosix.get(d.path()));
          RelativePaths.ancestors(d.path()).forEach(a -> dirs.put(a, dirPosix.get(a)));
        }
      }
      List<V2Manifest.Link> links = new ArrayList<>();
      for (V2Manifest.Link l : m.links()) {
        if (request.selects(l.path())) {
          links.add(l);
          restored.add(l.path());
          RelativePaths.ancestors(l.path()).forEach(a -> dirs.put(a, dirPosix.get(a)));
        }
      }
      restored.addAll(dirs.keySet());
      long bytesTotal = files.stream().mapToLong(V2Manifest.FileEntry::size).sum();
      try (RestoreStaging staging = RestoreStaging.begin(request)) {
        RestoreAttributes attributes = staging.attributes();
        attributes.recordRoot(attributes(m.rootPosix()));
        checkNames(staging, id, restored, links);
        // every write goes through the staging object, never through the staging directory's name
        for (Map.Entry<String, PosixAttributes> d : dirs.entrySet()) {
          staging.createDirectory(d.getKey(), attributes.directoryAttributes(d.getValue()));
          attributes.record(d.getKey(), SourceEntry.Type.DIRECTORY, d.getValue());
        }
        long bytesDone = 0;
        for (int i = 0; i < files.size(); i++) {
          V2Manifest.FileEntry f = files.get(i);
          PosixAttributes recorded = attributes(f.posix());
          try (OutputStream os =
              Channels.newOutputStream(
                  staging.newFile(f.path(), attributes.fileAttributes(recorded)))) {
            chain.copy(f.path(), where.get(i), os);
          }
          staging.setLastModifiedTime(f.path(), FileTime.from(f.mtimeNs(), TimeUnit.NANOSECONDS));
          attributes.record(f.path(), SourceEntry.Type.FILE, recorded);
          bytesDone += f.size();
          request
              .progress()
              .onProgress(
                  new Progress(
                      Progress.Phase.RESTORE,
                      i + 1L,
                      files.size(),
                      bytesDone,
                      bytesTotal,
                      f.path()));
        }
        // links last, so no file of this restore is ever written through one
        for (V2Manifest.Link l : links) {
          staging.createSymbolicLink(l.path(), l.target());
          attributes.record(l.path(), SourceEntry.Type.SYMLINK, null);
        }
        staging.commit();
      }
    }
  }

  private static PosixAttributes attributes(V2Manifest.Posix posix) {
    return posix == null ? null : posix.toAttributes();
  }

  /**
   * Refuses, before anything is restored, names the target's file system would conflate (case- or
   * normalization-insensitive lookups, probed in the staging directory) and link targets it cannot
   * represent.
   */
  private static void checkNames(
      RestoreStaging staging, String id, List<String> paths, List<V2Manifest.Link> links)
      throws IOException {
    Path stage = staging.directory();
    for (V2Manifest.Link l : links) {
      try {
        stage.getFileSystem().getPath(l.target());
      } catch (InvalidPathException e) {
        throw new CorruptBackupException(
            "backup "
                + id
                + " cannot be restored onto this file system: the target of link '"
                + RelativePaths.printable(l.path())
                + "' is not a valid path here",
            l.path());
      }
    }
    if (staging.conflatesNames()) {
      Optional<String> collision = RelativePaths.findCollision(paths);
      if (collision.isPresent()) {
        throw new CorruptBackupException(
            "backup " + id + " cannot be restored onto this file system: " + collision.get(), null);
      }
    }
  }
}
