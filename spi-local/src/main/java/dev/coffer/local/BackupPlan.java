package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;

import dev.coffer.BackupWarning;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.SourceEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a backup does with each scanned entry, decided one entry per call: keep a file Prelink
 * linked from the base, undo the links and directories the source no longer wants, make the tree's
 * directories, queue the copies, and collect the manifest's entries as the copies finish. The work
 * for every file is in methods of its own so the JIT compiles it during the first backup
 * (docs/benchmarks.md, "Performance seams of the local provider"). Confined to the backup's calling
 * thread.
 */
final class BackupPlan {
  final Under ins;
  final Under outs;
  final Map<String, FileEntry> baseFiles;
  final Prelink.Made made;
  final ByteBuffer buffer;
  final ProgressListener listener;

  /** What a source file that changed while it was copied means (rule P34); null: not checked. */
  final ChangedFilesPolicy changedFiles;

  /**
   * The totals progress reports: the scan's, less a file that vanished, and moved by the difference
   * of a file copied at another size than scanned (rule P34), so bytes done never pass them.
   */
  long filesTotal;

  long bytesTotal;

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

  /** The files that changed or vanished while they were copied, in source order (rule P34). */
  final List<BackupWarning> changes = new ArrayList<>();

  long filesDone;
  long bytesDone;

  BackupPlan(
      Under ins,
      Under outs,
      Map<String, FileEntry> baseFiles,
      Prelink.Made made,
      ByteBuffer buffer,
      ProgressListener listener,
      ChangedFilesPolicy changedFiles,
      int filesTotal,
      long bytesTotal) {
    this.ins = ins;
    this.outs = outs;
    this.baseFiles = baseFiles;
    this.made = made;
    this.buffer = buffer;
    this.listener = listener;
    this.changedFiles = changedFiles;
    this.filesTotal = filesTotal;
    this.bytesTotal = bytesTotal;
    this.keptDirs = new HashSet<>(made.directories());
    this.entries = new FileEntry[Math.toIntExact(filesTotal)];
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
          // the bytes are the base's, the attributes this scan's: a mode change alone keeps the
          // link
          entries[index] =
              new FileEntry(
                  prior.path(),
                  prior.size(),
                  prior.crc32c(),
                  prior.crc32(),
                  e.lastModified(),
                  true,
                  e.posix());
          filesDone++;
          bytesDone += prior.size();
          listener.onProgress(
              new Progress(
                  Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone, bytesTotal, e.path()));
        } else {
          copies.add(
              changedFiles == null
                  ? new ParallelCopy.Job(
                      ins.resolve(e.path()), outs.resolve(e.path()), e.sizeBytes(), true)
                  : new ParallelCopy.Job(
                      ins.resolve(e.path()),
                      outs.resolve(e.path()),
                      e.sizeBytes(),
                      new SourceRead(e, changedFiles)));
          copyIndex.add(index);
        }
      }
      default -> throw new IllegalStateException("unknown entry type " + e.type());
    }
  }

  /** Progress within copy {@code k}, {@code bytes} into it. */
  void copying(int k, long bytes) {
    listener.onProgress(
        new Progress(
            Progress.Phase.BACKUP,
            filesDone,
            filesTotal,
            bytesDone + Math.min(bytes, sourceFiles.get(copyIndex.get(k)).sizeBytes()),
            bytesTotal,
            sourceFiles.get(copyIndex.get(k)).path()));
  }

  /**
   * Copy {@code k} is done: its entry, with the sums and size of the bytes it copied; a source that
   * was gone gets no entry (it is not counted) and, like one that changed, a warning.
   */
  void copied(int k, Checksums.Sums sums) {
    SourceEntry e = sourceFiles.get(copyIndex.get(k));
    SourceRead read = copies.get(k).read();
    if (read != null && read.change() != null) {
      changes.add(read.change());
    }
    if (read != null && read.gone()) {
      filesTotal--; // left out: neither done nor to do
      bytesTotal -= e.sizeBytes();
      listener.onProgress(
          new Progress(
              Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone, bytesTotal, e.path()));
      return;
    }
    // a checked copy records the time seen after its read: that of the bytes stored (rule P34)
    entries[copyIndex.get(k)] =
        new FileEntry(
            e.path(),
            sums.size(),
            sums.crc32c(),
            sums.crc32(),
            read == null ? e.lastModified() : read.lastModified(),
            false,
            e.posix());
    filesDone++;
    bytesDone += sums.size();
    bytesTotal += sums.size() - e.sizeBytes();
    listener.onProgress(
        new Progress(
            Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone, bytesTotal, e.path()));
  }

  /**
   * Whether a source file may reuse its base's copy: same size and time, and same CRC32C if asked
   * (only compare-crc reads unchanged files, so only then is there a {@code buffer}).
   */
  private static boolean unchanged(FileEntry prior, SourceEntry e, Path in, ByteBuffer buffer)
      throws IOException {
    if (prior == null
        || prior.size() != e.sizeBytes()
        || prior.crc32() < 0
        || prior.crc32c() < 0
        || !e.lastModified().equals(prior.lastModified())) {
      return false;
    }
    if (buffer != null) {
      try (FileChannel src = FileChannel.open(in, READ, NOFOLLOW_LINKS)) {
        Checksums.Sums sums = Checksums.copy(src, null, buffer, Checksums.ByteCounter.NONE, false);
        return sums.size() == prior.size() && sums.crc32c() == prior.crc32c();
      }
    }
    return true;
  }
}
