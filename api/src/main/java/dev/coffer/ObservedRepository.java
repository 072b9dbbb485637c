package dev.coffer;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Wraps every repository {@link BackupProviders} opens, so that backup, restore, verify, delete and
 * prune are visible in the host's own tools without any change to providers: a JDK Flight Recorder
 * event per operation (see {@link OperationEvents}) and one {@code DEBUG} line on the {@code
 * dev.coffer} logger. Events and log lines carry the provider, the backup id, counts, sizes,
 * duration and outcome: never a path (paths can name customers or hold secrets) and never an option
 * value.
 */
final class ObservedRepository implements BackupRepository {

  static final System.Logger LOG = System.getLogger("dev.coffer");

  private final BackupRepository delegate;
  private final String provider;

  private ObservedRepository(BackupRepository delegate, String provider) {
    this.delegate = delegate;
    this.provider = provider;
  }

  static BackupRepository wrap(BackupRepository repository, String provider) {
    return repository instanceof ObservedRepository
        ? repository
        : new ObservedRepository(repository, provider);
  }

  /** The provider's own repository (for tests). */
  BackupRepository delegate() {
    return delegate;
  }

  @Override
  public BackupMetadata backup(BackupRequest request) throws IOException {
    OperationEvents.Backup event = new OperationEvents.Backup();
    event.incremental = request.incremental();
    return observe(
        event,
        () -> delegate.backup(request),
        result -> {
          event.backupId = result.backupId();
          event.files = result.totalFiles();
          event.logicalBytes = result.totalBytes();
          if (event.shouldCommit()) {
            event.storedBytes =
                storedBytesOrUnknown(
                    result.id()); // one storedBytes() call, only while a recording wants it
          }
        });
  }

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    OperationEvents.Restore event = new OperationEvents.Restore();
    event.backupId = request.backupId().value();
    event.partial = request.partial();
    return observe(
        event,
        () -> delegate.restore(request),
        result -> {
          event.files = result.totalFiles();
          event.logicalBytes = result.totalBytes();
        });
  }

  @Override
  public VerifyReport verify(BackupId backupId) throws IOException {
    return verify(backupId, null);
  }

  @Override
  public VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
    OperationEvents.Verify event = new OperationEvents.Verify();
    event.backupId = backupId.value();
    return observe(
        event,
        () -> listener == null ? delegate.verify(backupId) : delegate.verify(backupId, listener),
        result -> {
          event.files = result.filesChecked();
          event.logicalBytes = result.bytesChecked();
          event.problems = result.problems().size();
          event.outcome = result.ok() ? "ok" : "problems";
        });
  }

  /** Passed through: a rekey re-wraps keys and changes no backup (no operation event). */
  @Override
  public RekeyReport rekey(java.util.Map<String, String> newKeys, Consumer<RekeyReport> progress)
      throws IOException {
    return delegate.rekey(newKeys, progress);
  }

  @Override
  public void delete(BackupId backupId) throws IOException {
    OperationEvents.Delete event = new OperationEvents.Delete();
    event.backupId = backupId.value();
    if (event
        .isEnabled()) { // what is freed, read before it is gone; only while a recording wants it
      try {
        Optional<BackupMetadata> b = delegate.find(backupId);
        event.files = b.map(BackupMetadata::totalFiles).orElse(-1L);
        event.logicalBytes = b.map(BackupMetadata::totalBytes).orElse(-1L);
        event.storedBytes = b.isPresent() ? storedBytesOrUnknown(backupId) : -1;
      } catch (IOException | RuntimeException e) {
        // the delete itself reports what is wrong with this backup
      }
    }
    observe(
        event,
        () -> {
          delegate.delete(backupId);
          return backupId;
        },
        result -> {});
  }

  @Override
  public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
    OperationEvents.Prune event = new OperationEvents.Prune();
    return observe(
        event,
        () -> delegate.prune(policy),
        result -> {
          event.backupsDeleted = result.size();
          event.files = result.stream().mapToLong(BackupMetadata::totalFiles).sum();
          event.logicalBytes = result.stream().mapToLong(BackupMetadata::totalBytes).sum();
        });
  }

  @Override
  public List<BackupMetadata> list() throws IOException {
    return delegate.list();
  }

  @Override
  public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
    return delegate.find(backupId);
  }

  @Override
  public List<BackupId> unlisted() throws IOException {
    return delegate.unlisted();
  }

  @Override
  public Optional<BackupMetadata> latest() throws IOException {
    return delegate.latest();
  }

  @Override
  public long storedBytes(BackupId backupId) throws IOException {
    return delegate.storedBytes(backupId);
  }

  @Override
  public RepositoryInfo info() {
    return delegate.info();
  }

  @Override
  public List<BackupMetadata> pruneCandidates(RetentionPolicy policy) throws IOException {
    return delegate.pruneCandidates(policy);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }

  private long storedBytesOrUnknown(BackupId backupId) {
    try {
      return delegate.storedBytes(backupId);
    } catch (IOException | RuntimeException e) {
      return -1; // the event is information; a failed storedBytes() must not fail the backup
    }
  }

  /** An operation of the delegate. */
  @FunctionalInterface
  private interface Operation<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code operation} timed by {@code event}; on success lets {@code describe} fill in the
   * result (after the event's end, so a storedBytes() it makes is not counted), then commits and
   * logs the event. A failure is recorded by its exception's class only (its message may hold a
   * path) and rethrown as it is.
   */
  private <T> T observe(
      OperationEvents.Operation event, Operation<T> operation, Consumer<T> describe)
      throws IOException {
    event.provider = provider;
    event.begin();
    T result;
    try {
      result = operation.run();
    } catch (IOException | RuntimeException | Error e) {
      event.end();
      commit(event, e.getClass().getSimpleName());
      throw e;
    }
    event.end();
    describe.accept(result);
    commit(event, event.outcome == null ? "ok" : event.outcome);
    return result;
  }

  private static void commit(OperationEvents.Operation event, String outcome) {
    event.outcome = outcome;
    event.commit();
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, event.summary());
    }
  }
}
