package dev.coffer.local;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.FinishedSource;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One backup, stage by stage: lock and stage ({@link Staging}), link the base's files while the
 * source is scanned ({@link Prelink}), sort out and place every entry ({@link BackupPlan}), copy
 * ({@link ParallelCopy}), add what a finisher wrote (rule P33), write the metadata ({@link
 * MetadataFiles}) and publish. Each stage is called from here and returns here.
 */
final class LocalBackup {

  private final Layout layout;
  private final Settings settings;
  private final MetadataFiles metadata;
  private final BufferPool buffers;
  private final ParallelCopy copies;

  LocalBackup(
      Layout layout,
      Settings settings,
      MetadataFiles metadata,
      BufferPool buffers,
      ParallelCopy copies) {
    this.layout = layout;
    this.settings = settings;
    this.metadata = metadata;
    this.buffers = buffers;
    this.copies = copies;
  }

  /**
   * Writes and publishes the backup {@code request} asks for.
   *
   * @param base the base of an incremental, or null for a full backup
   */
  BackupMetadata run(BackupRequest request, StoredBackup base) throws IOException {
    String id = BackupIds.newId().value();
    Instant createdAt = Instant.now();
    try (Staging staging = Staging.begin(layout, id)) {
      Prelink prelink =
          base != null && base.hardLinkable() && settings.hardlinks()
              ? Prelink.start(
                  base.manifest(), base.data(), staging.data()) // links while the source is scanned
              : null;
      SourceTree tree;
      Prelink.Made made;
      BackupPlan plan;
      try {
        tree = SourceTree.scan(request.source(), ScanOptions.of(request));
        made = prelink == null ? Prelink.Made.NOTHING : prelink.finish();
        plan = place(tree, request.progress(), base, made, staging.data());
      } finally {
        if (prelink != null) {
          prelink.close(); // nothing may still write into the staging directory while it is removed
        }
      }
      copies.run(plan.copies, plan::copying, plan::copied);
      FinishedSource finished =
          FinishedSource.finish(request, tree); // after the copy, before the manifest (P33)
      List<FileEntry> files = addFinished(finished.tree(), plan, staging.data());
      long whole = 0;
      for (FileEntry entry : files) {
        whole = Checksums.appendFile(whole, entry.path(), entry.crc32(), entry.size());
      }
      if (settings.fsync()) {
        for (Path d : plan.createdDirs) {
          Disk.forceDirectory(d);
        }
        Disk.forceDirectory(staging.data());
      }
      BackupMetadata meta =
          new BackupMetadata(
              id,
              createdAt,
              request.source().toString(),
              files.size(),
              plan.bytesDone,
              request.incremental() ? BackupType.INCREMENTAL : BackupType.FULL,
              request.incremental() ? request.baseBackupId().value() : null,
              Layout.NAME,
              Layout.VERSION,
              finished.labels(),
              warnings(tree.skipped(), plan.changes));
      Manifest manifest =
          new Manifest(
              meta,
              whole,
              true,
              files,
              plan.directories,
              plan.symlinks,
              plan.directoryTimes,
              plan.directoryAttributes,
              tree.rootPosix());
      metadata.write(
          staging.directory(), manifest, settings.fsync()); // the next incremental parses nothing
      staging.publish(settings.fsync());
      return meta;
    }
  }

  /**
   * The backup's warnings in path order: the scan's skipped entries and the files that changed or
   * vanished while they were read (rule P34), both already in path order.
   */
  private static List<BackupWarning> warnings(
      List<BackupWarning> skipped, List<BackupWarning> changes) {
    if (changes.isEmpty()) {
      return skipped;
    }
    List<BackupWarning> all = new ArrayList<>(skipped);
    all.addAll(changes);
    all.sort(Comparator.comparing(BackupWarning::path, RelativePaths.ORDER));
    return all;
  }

  /**
   * Keeps the base's links for the files that are unchanged, undoes the rest of what Prelink made,
   * then makes the tree's shape and queues the copies, in order.
   */
  private BackupPlan place(
      SourceTree tree, ProgressListener listener, StoredBackup base, Prelink.Made made, Path data)
      throws IOException {
    Map<String, FileEntry> baseFiles = new HashMap<>();
    if (base != null) {
      base.manifest().files().forEach(f -> baseFiles.put(f.path(), f));
    }
    long filesTotal = tree.files().size();
    long bytesTotal = tree.totalBytes();
    listener.onProgress(new Progress(Progress.Phase.BACKUP, 0, filesTotal, 0, bytesTotal, ""));
    ByteBuffer buffer =
        settings.compareCrc() // only compare-crc reads unchanged files
            ? buffers.buffer(
                tree.files().stream().mapToLong(SourceEntry::sizeBytes).max().orElse(0))
            : null;
    BackupPlan plan =
        new BackupPlan(
            new Under(tree.root()),
            new Under(data),
            baseFiles,
            made,
            buffer,
            listener,
            settings.changedFiles(),
            (int) filesTotal,
            bytesTotal);
    for (SourceEntry e : tree.entries()) {
      plan.sortOut(e);
    }
    if (buffer != null) {
      buffers.release(buffer); // kept for the copies' threads (a failure above leaves it to the GC)
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
    return plan;
  }

  /**
   * Stores the entries a finisher added (rule P33) as the source's were stored, folds them into
   * {@code plan} in path order and returns every file entry. Progress goes on from where the
   * source's copies left it, with totals that now count the added files.
   */
  private List<FileEntry> addFinished(SourceTree added, BackupPlan plan, Path data)
      throws IOException {
    if (added.entries().isEmpty()) {
      return stored(plan.entries);
    }
    int addedFiles = added.files().size();
    long filesBefore = plan.filesDone;
    long bytesBefore = plan.bytesDone;
    long filesTotal = plan.filesTotal + addedFiles;
    long bytesTotal = plan.bytesTotal + added.totalBytes();
    ProgressListener onwards =
        p ->
            plan.listener.onProgress(
                new Progress(
                    Progress.Phase.BACKUP,
                    filesBefore + p.filesDone(),
                    filesTotal,
                    bytesBefore + p.bytesDone(),
                    bytesTotal,
                    p.currentPath()));
    BackupPlan more =
        new BackupPlan(
            new Under(added.root()),
            new Under(data),
            Map.of(),
            Prelink.Made.NOTHING,
            null,
            onwards,
            null, // the finisher's files are the host's own, not read while they change (P33)
            addedFiles,
            added.totalBytes());
    for (SourceEntry e : added.entries()) {
      more.place(e);
    }
    copies.run(more.copies, more::copying, more::copied);
    plan.bytesDone += more.bytesDone;
    plan.directories.addAll(more.directories);
    plan.directories.sort(RelativePaths.ORDER);
    inDirectoryOrder(plan.directoryTimes, more.directoryTimes, plan.directories);
    inDirectoryOrder(plan.directoryAttributes, more.directoryAttributes, plan.directories);
    plan.symlinks.addAll(more.symlinks);
    plan.symlinks.sort(Comparator.comparing(Symlink::path, RelativePaths.ORDER));
    plan.createdDirs.addAll(more.createdDirs);
    List<FileEntry> files = new ArrayList<>(stored(plan.entries));
    files.addAll(Arrays.asList(more.entries));
    files.sort(Comparator.comparing(FileEntry::path, RelativePaths.ORDER));
    return files;
  }

  /** The entries of the files stored: a source file that was gone when it was read has none. */
  private static List<FileEntry> stored(FileEntry[] entries) {
    return Arrays.stream(entries).filter(Objects::nonNull).toList();
  }

  /**
   * Adds {@code added} to {@code into}, keeping it in the order of {@code directories}, as the
   * manifest lists it.
   */
  private static <V> void inDirectoryOrder(
      Map<String, V> into, Map<String, V> added, List<String> directories) {
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
}
