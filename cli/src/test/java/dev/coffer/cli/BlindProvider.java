package dev.coffer.cli;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.testkit.FakeProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A broken provider for the demo's tests: like {@link FakeProvider}, but its verify never finds
 * anything.
 */
public final class BlindProvider implements dev.coffer.spi.BackupProvider {
  private final FakeProvider inner = new FakeProvider();

  /** Creates the provider; no I/O. */
  public BlindProvider() {}

  @Override
  public String name() {
    return "blind";
  }

  @Override
  public String description() {
    return "test double whose verify sees nothing";
  }

  @Override
  public java.util.Set<dev.coffer.spi.Capability> capabilities() {
    return inner.capabilities();
  }

  @Override
  public List<dev.coffer.spi.OptionInfo> options() {
    return inner.options();
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    BackupRepository r = inner.open(location, options);
    return new BackupRepository() {
      @Override
      public RepositoryInfo info() {
        return r.info();
      }

      @Override
      public BackupMetadata backup(BackupRequest request) throws IOException {
        return r.backup(request);
      }

      @Override
      public BackupMetadata restore(RestoreRequest request) throws IOException {
        return r.restore(request);
      }

      @Override
      public List<BackupMetadata> list() throws IOException {
        return r.list();
      }

      @Override
      public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
        return r.find(backupId);
      }

      @Override
      public VerifyReport verify(BackupId backupId) throws IOException {
        VerifyReport real = r.verify(backupId);
        return new VerifyReport(
            backupId.value(), List.of(), real.filesChecked(), real.bytesChecked());
      }

      @Override
      public void delete(BackupId backupId) throws IOException {
        r.delete(backupId);
      }

      @Override
      public long storedBytes(BackupId backupId) throws IOException {
        return r.storedBytes(backupId);
      }

      @Override
      public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
        return r.prune(policy);
      }

      @Override
      public void close() throws IOException {
        r.close();
      }
    };
  }
}
