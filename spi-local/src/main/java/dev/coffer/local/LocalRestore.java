package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreRequest;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreAttributes;
import dev.coffer.spi.support.RestoreStaging;
import dev.coffer.spi.support.SourceEntry;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One restore: checks the stored tree against the backup's record, recreates the selected
 * directories, copies the selected files (each checked against its size and CRC32C, and the whole
 * data against the AmateRS CRC32 where that is the only check), recreates links, sets directory
 * times last, and commits the target through {@link RestoreStaging}.
 */
final class LocalRestore {

  private final ParallelCopy copies;
  private final boolean fsync;

  LocalRestore(ParallelCopy copies, boolean fsync) {
    this.copies = copies;
    this.fsync = fsync;
  }

  BackupMetadata run(RestoreRequest request, StoredBackup backup) throws IOException {
    String id = request.backupId().value();
    Manifest manifest = backup.manifest();
    Path data = backup.data();
    StoredBackup.Contents contents = backup.contents();
    if (request.partial()) {
      for (String p : request.paths()) {
        if (!contents.has(p)) {
          throw new NoSuchFileException(p, null, "not in backup " + id);
        }
      }
    }
    ProgressListener listener = request.progress();
    List<FileEntry> selected =
        contents.files().stream().filter(f -> request.selects(f.path())).toList();
    long filesTotal = selected.size();
    long bytesTotal = selected.stream().mapToLong(FileEntry::size).sum();
    try (RestoreStaging staging = RestoreStaging.begin(request)) {
      // every write goes through the staging object, never through the staging directory's name
      Path out = staging.directory();
      RestoreAttributes attributes = staging.attributes();
      attributes.recordRoot(manifest.rootAttributes());
      listener.onProgress(new Progress(Progress.Phase.RESTORE, 0, filesTotal, 0, bytesTotal, ""));
      List<String> dirNames = new ArrayList<>();
      for (String d : contents.directories()) {
        if (request.selects(d)) {
          PosixAttributes posix = manifest.directoryAttributes().get(d);
          makeDirectory(staging, d, id, attributes.directoryAttributes(posix));
          dirNames.add(d);
          attributes.record(d, SourceEntry.Type.DIRECTORY, posix);
        }
      }
      StoredBackup.WholeCheck whole = backup.wholeCheck();
      List<FileEntry> jobFiles = new ArrayList<>();
      List<ParallelCopy.Job> jobs = new ArrayList<>();
      for (FileEntry f : contents.files()) {
        boolean wanted = request.selects(f.path());
        if (whole.reads(wanted)) {
          Path stored = storedFile(data, f.path(), id);
          Path target = wanted ? under(out, f.path()) : null;
          jobFiles.add(f);
          jobs.add(
              new ParallelCopy.Job(
                  stored,
                  target,
                  f.size(),
                  whole.crc32(),
                  attributes.fileAttributes(f.posix()),
                  f.size())); // never more than the manifest's size + 1
        }
      }
      long[] done = {0, 0}; // files, bytes
      copies.run(
          jobs,
          (target, create) -> staging.newFile(RelativePaths.relativize(out, target), create),
          (k, n) -> {
            if (jobs.get(k).target() != null) {
              listener.onProgress(
                  new Progress(
                      Progress.Phase.RESTORE,
                      done[0],
                      filesTotal,
                      done[1] + n,
                      bytesTotal,
                      jobFiles.get(k).path()));
            }
          },
          (k, sums) -> {
            FileEntry f = jobFiles.get(k);
            Path target = jobs.get(k).target();
            if (target != null) {
              check(f, sums, id);
              if (f.lastModified() != null) {
                staging.setLastModifiedTime(f.path(), FileTime.from(f.lastModified()));
              }
              attributes.record(f.path(), SourceEntry.Type.FILE, f.posix());
              done[0]++;
              done[1] += sums.size();
              listener.onProgress(
                  new Progress(
                      Progress.Phase.RESTORE, done[0], filesTotal, done[1], bytesTotal, f.path()));
            }
            whole.add(f, sums);
          });
      whole.finish();
      for (Symlink s : contents.symlinks()) {
        if (request.selects(s.path())) {
          staging.createSymbolicLink(s.path(), s.target());
          attributes.record(s.path(), SourceEntry.Type.SYMLINK, s.posix());
        }
      }
      // directory times last: every entry made inside a directory changes its time
      for (int i = dirNames.size() - 1; i >= 0; i--) {
        Instant t = manifest.directoryTimes().get(dirNames.get(i));
        if (t != null) {
          staging.setLastModifiedTime(dirNames.get(i), FileTime.from(t));
        }
      }
      if (fsync) {
        // forcing only reads a directory: by name is safe, and commit checks the name again
        for (String d : dirNames) {
          Disk.forceDirectory(under(out, d));
        }
        Disk.forceDirectory(out);
      }
      staging.commit();
    }
    return manifest.metadata();
  }

  private static void check(FileEntry f, Checksums.Sums sums, String id)
      throws CorruptBackupException {
    if (sums.size() != f.size()) {
      throw new CorruptBackupException(
          "size mismatch for "
              + f.path()
              + " in backup "
              + id
              + ": stored "
              + f.size()
              + " bytes, found "
              + sums.size(),
          f.path());
    }
    if (f.crc32c() >= 0 && sums.crc32c() != f.crc32c()) {
      throw new CorruptBackupException(
          "crc32c mismatch for "
              + f.path()
              + " in backup "
              + id
              + ": stored "
              + Checksums.hex(f.crc32c())
              + ", computed "
              + Checksums.hex(sums.crc32c()),
          f.path());
    }
  }

  /** A stored data file, refused unless it is a regular file (never a link). */
  private static Path storedFile(Path data, String path, String id) throws IOException {
    Path stored = Layout.under(data, path);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(stored, BasicFileAttributes.class, NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new CorruptBackupException(
          "stored file " + path + " of backup " + id + " is missing", path, e);
    }
    if (!attrs.isRegularFile()) {
      throw new CorruptBackupException(
          "stored file " + path + " of backup " + id + " is not a regular file", path);
    }
    return stored;
  }

  private static void makeDirectory(
      RestoreStaging staging, String path, String id, FileAttribute<?>[] create)
      throws IOException {
    try {
      staging.createDirectory(path, create);
    } catch (FileAlreadyExistsException e) {
      throw new CorruptBackupException(
          "directory " + path + " of backup " + id + " collides with a file", path, e);
    }
  }

  /** {@code path} below {@code dir}, component by component (for names and reads only). */
  private static Path under(Path dir, String path) {
    Path p = dir;
    for (String part : path.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }
}
