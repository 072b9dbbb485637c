package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * P6 on object stores: with {@link Capability#OBJECT_STORES} a repository opens in a store (the
 * built-in file store, on Jimfs) and keeps its backups there; without it, {@code open} on a store
 * is refused and writes nothing.
 */
final class StoreRules extends ConformanceEnvironment {

  StoreRules(ConformanceEnvironment env) {
    super(env);
  }

  void p06_objectStoresCapability_aRepositoryInAStore_keepsItsBackupsForAnotherInstance()
      throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.OBJECT_STORES),
        "OBJECT_STORES not declared: see the twin test");
    Path root = root(Fs.UNIX);
    Path source = smallTree(root.resolve("src"));
    Path objects = root.resolve("store");
    ObjectStore store = ObjectStores.directory(objects);
    BackupRepository repo;
    try {
      repo = provider.open(store, options());
    } catch (IllegalArgumentException e) {
      // a declared capability may depend on an option (archive: format=2): the refusal names one
      store.close();
      namesAnOption(e);
      check(
          Snapshot.of(objects).files().isEmpty(),
          "P6",
          () -> "a refused open in a store wrote " + safeSnapshot(objects));
      return;
    }
    cleanup.add(repo);
    BackupMetadata b = repo.backup(source);
    check(
        !Snapshot.of(objects).files().isEmpty(),
        "P6",
        () -> "a backup in an object store stored no object in it");
    repo.close();
    BackupProvider fresh = provider();
    try (BackupRepository again = fresh.open(ObjectStores.directory(objects), options())) {
      check(
          ids(again.list()).equals(List.of(b.backupId())),
          "P6",
          () -> "a new instance on the same store lists " + safeList(again) + ", not " + b.id());
      Path target = root.resolve("restored");
      again.restore(b.id(), target);
      sameTree("P6", "a backup restored from an object store", Snapshot.of(source), target);
    }
  }

  void p06_noObjectStoresCapability_openInAStore_isRefusedAndWritesNothing() throws Exception {
    Assumptions.assumeFalse(
        capabilities.contains(Capability.OBJECT_STORES),
        "OBJECT_STORES declared: see the twin test");
    Path objects = root(Fs.UNIX).resolve("store");
    try (ObjectStore store = ObjectStores.directory(objects)) {
      expect(
          IllegalArgumentException.class,
          "P6",
          "open in an object store without OBJECT_STORES",
          () -> provider.open(store, options()).close());
      check(
          store.list("").isEmpty(),
          "P6",
          () -> "a refused open in an object store wrote " + safeSnapshot(objects));
    }
  }

  private void namesAnOption(IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    check(
        provider.options().stream().map(OptionInfo::name).anyMatch(message::contains),
        "P6",
        () ->
            "OBJECT_STORES is declared, but open in a store was refused without naming an option: "
                + e);
  }

  private static String safeSnapshot(Path dir) {
    try {
      return Snapshot.of(dir).files().toString();
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
