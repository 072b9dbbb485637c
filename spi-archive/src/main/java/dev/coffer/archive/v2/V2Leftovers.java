package dev.coffer.archive.v2;

import dev.coffer.store.ObjectInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Removes, when a format-2 repository is opened, what backups whose writer is gone left behind:
 * data, manifest and metadata objects without a commit, the store's temporary files of their
 * writes, and their lock files. A backup still running (in this process or another) holds its lock
 * ({@link WriterLocks}) and keeps everything. Best effort: what cannot be removed now is never
 * listed and the next open tries again.
 */
final class V2Leftovers {

  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");
  private static final String STORE_TEMP = ".tmp-";
  private static final Duration STALE = Duration.ofHours(1);
  private static final List<String> KINDS =
      List.of(V2Layout.DATA, V2Layout.MANIFESTS, V2Layout.META, V2Layout.COMMITS, V2Leases.LEASES);

  private final V2Repository repo;

  V2Leftovers(V2Repository repo) {
    this.repo = repo;
  }

  void remove() throws IOException {
    V2Layout layout = repo.layout();
    Set<String> committed = ids(layout.commits());
    Set<String> candidates = new TreeSet<>(repo.settings.locks.lockedIds());
    for (String kind : List.of(V2Layout.DATA, V2Layout.MANIFESTS, V2Layout.META)) {
      for (String id : ids(layout.of(kind))) {
        if (!committed.contains(id)) {
          candidates.add(id);
        }
      }
    }
    List<Path> temps = new ArrayList<>();
    // a directory store's temporary files; an object store has none (an upload is invisible until
    // it completes, and an abandoned one is the bucket's lifecycle rule's)
    for (String kind : repo.location == null ? List.<String>of() : KINDS) {
      temps.addAll(storeTemporaries(repo.location.resolve(kind.substring(0, kind.length() - 1))));
    }
    List<Path> rootTemps =
        repo.location == null ? List.of() : storeTemporaries(repo.location); // by age only
    for (Path t : temps) {
      String id = idOfTemporary(t.getFileName().toString());
      if (id != null) {
        candidates.add(id);
      }
    }
    // on a store, a backup with a live lease is running however old its objects are (where locks
    // tell, they are the truth); expired leases go
    Set<String> leased = repo.leases.removeExpired(repo.settings.locks.leftoverAge());
    Set<String> running = repo.settings.locks.seesRunningWriters() ? Set.of() : leased;
    Set<String> gone = new HashSet<>();
    for (String id : candidates) {
      try {
        if (running.contains(id) || !repo.settings.locks.abandoned(id)) {
          continue;
        }
        gone.add(id);
        if (!committed.contains(id)) {
          repo.remove(id);
          LOG.log(
              System.Logger.Level.INFO,
              "removed the leftovers of backup {0}, whose writer did not finish",
              id);
        }
      } catch (IOException e) {
        // another instance may be removing them too; else the next open tries again
      }
    }
    removeLeases(gone);
    if (repo.location == null) { // an object store: the parts of uploads whose writer died
      abortUploads(running);
    }
    FileTime cutoff = FileTime.from(repo.settings.clock.instant().minus(STALE));
    temps.addAll(rootTemps);
    for (Path t : temps) {
      String id = rootTemps.contains(t) ? null : idOfTemporary(t.getFileName().toString());
      try {
        if (id != null
            ? gone.contains(id)
            : Files.getLastModifiedTime(t, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) < 0) {
          Files.deleteIfExists(t);
        }
      } catch (IOException e) {
        // as above
      }
    }
    removeEmptyDirectories();
  }

  /**
   * Aborts the unfinished uploads under the repository's prefix that started more than the leftover
   * age ago and are not of a backup a live lease says is running: a writer that died in a multipart
   * upload leaves its parts, never listed but kept (and billed) by the store.
   */
  private void abortUploads(Set<String> running) {
    java.time.Instant before =
        repo.settings.clock.instant().minus(repo.settings.locks.leftoverAge());
    try {
      int n =
          repo.store.abortUnfinishedWrites(
              repo.layout().of(""),
              (key, started) ->
                  started.isBefore(before)
                      && !running.contains(key.substring(key.lastIndexOf('/') + 1)));
      if (n > 0) {
        LOG.log(System.Logger.Level.INFO, "aborted {0} unfinished uploads of writers gone", n);
      }
    } catch (IOException e) {
      // a store that cannot list uploads (or another instance aborting them): the next open tries
    }
  }

  /**
   * Removes the leases of writers that are gone (where locks tell), and in a directory the
   * temporary files of catalog writes once no writer runs (a backup writes the catalog under its
   * lock), and the empty directories of leases and catalogs.
   */
  private void removeLeases(Set<String> gone) throws IOException {
    WriterLocks locks = repo.settings.locks;
    if (!locks.seesRunningWriters()) {
      return; // on a store a lease ends by expiry
    }
    for (V2Leases.Lease l : repo.leases.all()) {
      try {
        if (gone.contains(l.backupId()) || locks.abandoned(l.backupId())) {
          repo.store.delete(repo.layout().of(V2Leases.LEASES) + l.backupId());
        }
      } catch (IOException e) {
        // the next open tries again
      }
    }
    if (repo.location == null) {
      return;
    }
    Path catalogs =
        repo.location.resolve(V2Catalog.CATALOG.substring(0, V2Catalog.CATALOG.length() - 1));
    boolean idle = true;
    for (String id : locks.lockedIds()) {
      idle &= locks.abandoned(id);
    }
    for (Path t : idle ? storeTemporaries(catalogs) : List.<Path>of()) {
      Files.deleteIfExists(t);
    }
  }

  /** Removes the directories of leases and catalogs if they are empty. */
  private void removeEmptyDirectories() throws IOException {
    if (repo.location == null) {
      return;
    }
    Path catalogs =
        repo.location.resolve(V2Catalog.CATALOG.substring(0, V2Catalog.CATALOG.length() - 1));
    for (Path dir :
        List.of(
            catalogs,
            repo.location.resolve(V2Leases.LEASES.substring(0, V2Leases.LEASES.length() - 1)))) {
      try {
        Files.deleteIfExists(dir);
      } catch (java.nio.file.DirectoryNotEmptyException inUse) {
        // holds objects
      }
    }
  }

  private Set<String> ids(String prefix) throws IOException {
    Set<String> ids = new HashSet<>();
    for (ObjectInfo o : repo.store.list(prefix)) {
      String id = o.key().substring(prefix.length());
      if (CommitStatement.validBackupId(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** The directory store's temporary files ({@code .tmp-<16 hex>-<name>}) in {@code dir}. */
  private static List<Path> storeTemporaries(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(STORE_TEMP))) {
      ds.forEach(out::add);
    }
    return out;
  }

  /** The backup id a store temporary file is named after, or null. */
  static String idOfTemporary(String name) {
    int from = STORE_TEMP.length() + 16 + 1;
    if (!name.startsWith(STORE_TEMP) || name.length() <= from || name.charAt(from - 1) != '-') {
      return null;
    }
    String id = name.substring(from);
    return CommitStatement.validBackupId(id) ? id : null;
  }
}
