package dev.coffer.archive.v2;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.NoSuchBackupException;
import dev.coffer.Progress;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.FinishedSource;
import dev.coffer.spi.support.ReadCheck;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.ScanOptions;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.FutureTask;

/**
 * One format-2 backup through the provider: scans the source with the request's options (special
 * files skipped with a warning, followed links, exclusions), opens the base of an incremental,
 * holds the backup's writer lock, and drives {@link V2ArchiveWriter} with the request's hooks:
 * every file read is checked under rule P34 ({@link ReadCheck}, option {@code changed-files}), the
 * finisher runs after the last source file was read (P33), progress is reported per file, and the
 * sealed metadata object ({@link V2Metadata}) is written before the commit publishes the backup.
 */
final class V2BackupOperation implements V2ArchiveWriter.Hooks {

  private final V2Repository repo;
  private BackupRequest request;
  private SourceTree tree;
  private final List<BackupWarning> changes = new ArrayList<>();
  private final Set<String> leftOut = new HashSet<>();
  private final Map<String, Integer> reads = new java.util.HashMap<>();
  private final Map<String, Instant> readTimes = new java.util.HashMap<>();
  private Map<String, String> labels;
  private String backupId;
  private BackupMetadata result;
  private long filesDone;
  private long filesTotal;
  private long bytesDone;
  private long bytesTotal;

  V2BackupOperation(V2Repository repo) {
    this.repo = repo;
  }

  BackupMetadata run(BackupRequest request) throws IOException {
    this.request = request;
    Instant scanStart = repo.settings.clock.instant();
    String baseId = request.incremental() ? request.baseBackupId().value() : null;
    // an incremental's base is opened while its source is scanned (both only read); a scan that
    // fails is the error reported, as it is without a base
    SourceScan scan = new SourceScan(request, baseId != null);
    try {
      return run(scanStart, baseId, scan);
    } catch (IOException | RuntimeException e) {
      try {
        scan.tree();
      } catch (IOException | RuntimeException failedScan) {
        if (failedScan != e) {
          failedScan.addSuppressed(e); // the scan's failure is reported, with what followed it
        }
        throw failedScan;
      }
      throw e;
    }
  }

  private BackupMetadata run(Instant scanStart, String baseId, SourceScan scan) throws IOException {
    if (baseId == null) {
      scanned(scan.tree()); // a full backup: scanned before anything is written
    }
    V2Backup base = null;
    if (baseId != null && !V2Repository.storable(request.baseBackupId())) {
      throw new NoSuchBackupException(baseId);
    }
    backupId = repo.settings.ids.get();
    Closeable lock = repo.settings.locks.begin(backupId);
    ChainCopy copy = null;
    try {
      // the lease comes before the base is opened: a prune either sees it or removed the base first
      V2Leases.Held lease = repo.leases.take(backupId, baseId);
      try {
        if (baseId != null) {
          base = repo.canRead() ? repo.reader().open(baseId) : WriteOnlyBase.open(repo, baseId);
          // a full copied from the chain (a write-only host cannot read the chain's blocks)
          if (base != null && repo.canRead() && ChainCopy.due(base, repo.settings.maxChain())) {
            copy = new ChainCopy(V2Chain.open(repo.reader(), repo.reader().open(base.backupId())));
          }
        }
        if (tree == null) {
          scanned(scan.tree());
        }
        repo.writer().write(backupId, scanStart, tree, base, this, copy);
      } finally {
        lease.close();
        if (base != null) {
          base.close();
        }
        if (copy != null) {
          copy.close();
        }
      }
      repo.catalog.update(repo::list); // best effort, under the lock: a catalog only saves reads
      return result;
    } finally {
      lock.close();
    }
  }

  private void scanned(SourceTree scanned) {
    tree = scanned;
    labels = request.labels();
    filesTotal = tree.files().size();
    bytesTotal = tree.totalBytes();
  }

  /**
   * The source's scan (names checked as portable), run by the caller or, for an incremental, on a
   * thread of its own while the caller opens the base.
   */
  private static final class SourceScan {
    private final FutureTask<SourceTree> task;

    SourceScan(BackupRequest request, boolean background) {
      task =
          new FutureTask<>(
              () -> {
                SourceTree t = SourceTree.scan(request.source(), ScanOptions.of(request));
                t.refuseUnportableNames();
                return t;
              });
      if (background) {
        Thread t = new Thread(task, "coffer-v2-scan");
        t.setDaemon(true);
        t.start();
      } else {
        task.run();
      }
    }

    /** Waits for the scan; throws what it threw. */
    SourceTree tree() throws IOException {
      return V2Chain.get(task, "scanning the source");
    }
  }

  @Override
  public InputStream open(V2ArchiveWriter writer, SourceEntry e, Path file) throws IOException {
    ReadCheck check;
    InputStream in;
    int read = reads.merge(e.path(), 1, Integer::sum);
    try { // only the source's side: a NoSuchFileException here means the source file is gone
      check = read == 1 ? ReadCheck.before(file, e) : ReadCheck.reread(file, e);
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        // replaced by a link, directory or special file: never followed nor opened
        changes.add(
            kept(
                repo.settings.changedFiles, check.after(0).orElseGet(() -> ReadCheck.vanished(e))));
        leftOut(e);
        return InputStream.nullInputStream();
      }
      in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException gone) {
      changes.add(kept(repo.settings.changedFiles, ReadCheck.vanished(e)));
      leftOut(e);
      return InputStream.nullInputStream();
    }
    return new CheckedRead(in, e, file, check, read);
  }

  /**
   * A file's read: counts its bytes, and at its end checks it (P34): a change is read again under
   * {@code changed-files=retry} while retries are left (the data stream drops this read's blocks),
   * else kept as a warning or, under {@code fail}, thrown; then progress is reported.
   */
  private final class CheckedRead extends FilterInputStream implements BlockStream.Rereadable {
    private final SourceEntry entry;
    private final Path file;
    private final ReadCheck check;
    private final int read;
    private long bytes;
    private boolean ended;
    private boolean again;

    CheckedRead(InputStream in, SourceEntry entry, Path file, ReadCheck check, int read) {
      super(in);
      this.entry = entry;
      this.file = file;
      this.check = check;
      this.read = read;
    }

    @Override
    public boolean readAgain() {
      return again;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      bytes += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      ended |= n < 0;
      bytes += Math.max(n, 0);
      return n;
    }

    @Override
    public void close() throws IOException {
      super.close();
      if (ended) {
        ended = false;
        Optional<BackupWarning> change = check.after(bytes);
        if (change.isPresent()
            && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
            && repo.settings.changedFiles.readAgain(change.get(), read)) {
          again = true;
          return;
        }
        change.ifPresent(changes::add); // readAgain logged it, or threw under fail
        readTimes.put(entry.path(), check.lastModified()); // the version stored, not the scan's
        progress(entry, bytes);
      }
    }
  }

  @Override
  public boolean leftOut(String path) {
    return leftOut.contains(path);
  }

  @Override
  public void vanished(SourceEntry e) throws IOException {
    changes.add(kept(repo.settings.changedFiles, ReadCheck.vanished(e)));
    gone(e);
  }

  @Override
  public long mtimeNs(SourceEntry e, long statsMtimeNs) {
    Instant read = readTimes.get(e.path());
    return read == null ? statsMtimeNs : read.getEpochSecond() * 1_000_000_000L + read.getNano();
  }

  /** A file left out after its read was attempted: not stored, and out of the totals. */
  private void leftOut(SourceEntry e) {
    leftOut.add(e.path());
    gone(e);
  }

  /** A file that will not be stored leaves the totals, in a report that names it. */
  private void gone(SourceEntry e) {
    filesTotal--;
    bytesTotal -= e.sizeBytes();
    report(e);
  }

  @Override
  public SourceTree finish() throws IOException {
    FinishedSource finished = FinishedSource.finish(request, tree);
    finished.tree().refuseUnportableNames();
    labels = finished.labels();
    filesTotal += finished.tree().files().size();
    bytesTotal += finished.tree().totalBytes();
    return finished.tree();
  }

  @Override
  public void taken(SourceEntry e, long sizeBytes) {
    progress(e, sizeBytes);
  }

  @Override
  public void beforeCommit(V2Keys keys, V2Summary summary) throws IOException {
    String baseId = summary.baseBackupId();
    if (baseId != null && repo.store.stat(repo.layout().commit(baseId)).isEmpty()) {
      throw new NoSuchBackupException(baseId); // removed by a prune that missed this lease
    }
    List<BackupWarning> warnings = new ArrayList<>(tree.skipped());
    warnings.addAll(changes);
    warnings.sort(Comparator.comparing(BackupWarning::path, RelativePaths.ORDER)); // stable
    result =
        new BackupMetadata(
            backupId,
            summary.createdAt(),
            request.source().toString(),
            summary.files(),
            summary.logicalBytes(),
            summary.baseBackupId() == null ? BackupType.FULL : BackupType.INCREMENTAL,
            summary.baseBackupId(),
            V2Format.PROVIDER,
            V2Format.PROVIDER_VERSION,
            labels,
            warnings);
    byte[] sealed =
        V2Metadata.seal(repo.metaKey(keys), repo.v2.repositoryId(), keys.archiveId(), result);
    repo.store.write(
        repo.layout().meta(backupId), new ByteArrayInputStream(sealed), WriteMode.IF_ABSENT);
  }

  @Override
  public void committed(CommitStatement statement, V2Manifest manifest) {
    WriteOnlyBase.record(repo, statement, manifest);
  }

  /** A file stored with {@code sizeBytes}: the totals follow a size other than the scan's. */
  private void progress(SourceEntry e, long sizeBytes) {
    filesDone++;
    bytesDone += sizeBytes;
    bytesTotal += sizeBytes - e.sizeBytes();
    report(e);
  }

  private void report(SourceEntry e) {
    request
        .progress()
        .onProgress(
            new Progress(
                Progress.Phase.BACKUP, filesDone, filesTotal, bytesDone, bytesTotal, e.path()));
  }

  /**
   * Applies the {@code changed-files} policy to a change that is not read again (a file gone, or
   * replaced by something that is not a regular file): returns it as a warning (logged), or throws
   * under {@code fail}.
   */
  private static BackupWarning kept(ChangedFilesPolicy policy, BackupWarning change)
      throws BackupException {
    if (policy.readAgain(change, Integer.MAX_VALUE)) {
      throw new IllegalStateException("a change that cannot be read again: " + change);
    }
    return change;
  }
}
