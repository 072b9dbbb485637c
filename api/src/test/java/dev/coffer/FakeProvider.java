package dev.coffer;

import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ProviderOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A provider registered for the tests' class path. {@link #open} records what it was given in the
 * returned {@link Opened} so tests can see how {@link BackupProviders} parsed a URL; every backup
 * operation is unsupported.
 */
public class FakeProvider implements BackupProvider {

  /** Creates the provider; no I/O. */
  public FakeProvider() {}

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public String description() {
    return "records how it was opened";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public List<OptionInfo> options() {
    return List.of(
        OptionInfo.optional("mode", "a plain option", "slow"),
        OptionInfo.secret("key", "a secret option"));
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> options) {
    ProviderOptions parsed = ProviderOptions.parse(name(), options(), options);
    return new Opened(location, Map.copyOf(options), parsed);
  }

  /**
   * Opens a repository in {@code store}: records it as {@link Opened#store}, with a location of
   * {@code /}, and refuses option {@code mode=refuse} after parsing (to show who closes the store).
   */
  @Override
  public BackupRepository open(dev.coffer.store.ObjectStore store, Map<String, String> options) {
    ProviderOptions parsed = ProviderOptions.parse(name(), options(), options);
    if ("refuse".equals(options.get("mode"))) {
      throw new IllegalArgumentException("option 'mode' of provider 'fake': refused on purpose");
    }
    Opened opened = new Opened(Path.of("/"), Map.copyOf(options), parsed);
    opened.store = store;
    return opened;
  }

  /**
   * The repository {@link FakeProvider#open} returned, from under the observing wrapper that {@link
   * BackupProviders} puts around every repository it opens.
   */
  static Opened opened(BackupRepository repo) {
    return (Opened) ((ObservedRepository) repo).delegate();
  }

  /** What {@link FakeProvider#open} was given; tests extend it as a do-nothing repository. */
  static class Opened implements BackupRepository {
    final Path location;
    final Map<String, String> options;
    final ProviderOptions parsed;
    dev.coffer.store.ObjectStore store;

    Opened(Path location, Map<String, String> options, ProviderOptions parsed) {
      this.location = location;
      this.options = options;
      this.parsed = parsed;
    }

    @Override
    public RepositoryInfo info() {
      return RepositoryInfo.of(new FakeProvider(), location);
    }

    @Override
    public BackupMetadata backup(BackupRequest request) throws java.io.IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public BackupMetadata restore(RestoreRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<BackupMetadata> list() {
      return List.of();
    }

    @Override
    public Optional<BackupMetadata> find(BackupId backupId) {
      return Optional.empty();
    }

    @Override
    public VerifyReport verify(BackupId backupId) throws NoSuchBackupException {
      throw new NoSuchBackupException(backupId);
    }

    @Override
    public void delete(BackupId backupId) throws NoSuchBackupException {
      throw new NoSuchBackupException(backupId);
    }

    @Override
    public long storedBytes(BackupId backupId) throws NoSuchBackupException {
      throw new NoSuchBackupException(backupId);
    }

    @Override
    public List<BackupMetadata> prune(RetentionPolicy policy) {
      return List.of();
    }

    @Override
    public void close() throws java.io.IOException {
      if (store != null) {
        store.close();
      }
    }
  }

  /**
   * A provider named {@code fake-files} that keeps repositories on file systems only: it does not
   * override {@link BackupProvider#open(dev.coffer.store.ObjectStore, Map)}, whose default refuses.
   * Registered only by the tests that need it.
   */
  public static class FilesOnly implements BackupProvider {
    private final FakeProvider files = new FakeProvider();

    /** Creates the provider. */
    public FilesOnly() {}

    @Override
    public String name() {
      return "fake-files";
    }

    @Override
    public String description() {
      return "a fake provider on file systems only";
    }

    @Override
    public Set<Capability> capabilities() {
      return Set.of();
    }

    @Override
    public List<OptionInfo> options() {
      return files.options();
    }

    @Override
    public BackupRepository open(Path location, Map<String, String> options) {
      return files.open(location, options);
    }
  }

  /** Another class claiming the same name, registered only by the duplicate-name test. */
  public static class Twin extends FakeProvider {
    /** Creates the twin. */
    public Twin() {}
  }
}
