package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A suite keeps its repositories in object stores exactly when it (or a superclass below the TCK)
 * overrides {@code repositoryStore}; the file systems it runs on then come down to the disk.
 */
class RepositoryStoreHookTest {

  abstract static class OnDirectories extends BackupProviderConformance {}

  abstract static class OnStores extends BackupProviderConformance {
    @Override
    protected Optional<URI> repositoryStore(Path location) {
      return Optional.of(location.toUri());
    }
  }

  abstract static class InheritsStores extends OnStores {}

  @Test
  void onlyASuiteThatOverridesRepositoryStore_keepsItsRepositoriesInStores() {
    assertFalse(BackupProviderConformance.keepsRepositoriesInStores(OnDirectories.class));
    assertTrue(BackupProviderConformance.keepsRepositoriesInStores(OnStores.class));
    assertTrue(BackupProviderConformance.keepsRepositoriesInStores(InheritsStores.class));
  }

  @Test
  void aSuiteOnStores_runsOnTheDiskOnly_whateverTheConfigurationNames() {
    assertEquals(List.of(Fs.UNIX, Fs.DISK), FileSystemsSource.selected("unix,disk"));
    assertEquals(List.of(Fs.DISK), FileSystemsSource.forSuite(OnStores.class, List.of(Fs.UNIX)));
    assertEquals(
        List.of(Fs.UNIX, Fs.OSX),
        FileSystemsSource.forSuite(OnDirectories.class, List.of(Fs.UNIX, Fs.OSX)));
  }
}
