package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.store.ObjectStore;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository URL whose location is an object store ({@code coffer:<provider>:fakestore://...}):
 * the store is opened with its own options and handed to the provider with the rest.
 */
class BackupProvidersStoreTest {

  @Test
  void aStoreLocation_opensTheStoreWithItsOptions_andTheProviderWithTheOthers() throws IOException {
    FakeStoreProvider.Store store;
    try (BackupRepository repo =
        BackupProviders.open(
            "coffer:fake:fakestore://bucket/prefix?region=eu-west-1&mode=fast",
            Map.of("key", "s3cr3t"))) {
      FakeProvider.Opened opened = FakeProvider.opened(repo);
      store = assertInstanceOf(FakeStoreProvider.Store.class, opened.store);
      assertEquals(URI.create("fakestore://bucket/prefix"), store.uri);
      assertEquals(Map.of("region", "eu-west-1"), store.options);
      assertEquals(Map.of("mode", "fast", "key", "s3cr3t"), opened.options);
      assertFalse(store.closed, "the open repository owns the store");
    }
    assertTrue(store.closed, "closing the repository closes the store it was opened on");
  }

  @Test
  void aFileOrFileSystemLocation_staysAPath_whileAStoreSchemeIsAStore() {
    assertNull(BackupProviders.storeProvider("/var/backups/db"));
    assertNull(BackupProviders.storeProvider("file:///var/backups/db"));
    assertNull(BackupProviders.storeProvider("jimfs://test/repo"));
    assertNull(BackupProviders.storeProvider("C:\\backups"));
    assertEquals("fakestore", BackupProviders.storeProvider("FakeStore://b/p").scheme());
  }

  @Test
  void anUnknownOption_isRefusedByTheProvider_andTheStoreIsClosed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackupProviders.open("coffer:fake:fakestore://unknown/p?colour=blue"));
    assertTrue(e.getMessage().contains("unknown option 'colour'"), e.getMessage());
    assertTrue(FakeStoreProvider.OPENED.get(URI.create("fakestore://unknown/p")).closed);
  }

  @Test
  void aProviderThatRefuses_leavesTheStoreClosed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BackupProviders.open(
                    "coffer:fake:fakestore://refused/p?mode=refuse", Map.of("region", "x")));
    assertTrue(e.getMessage().contains("refused on purpose"), e.getMessage());
    FakeStoreProvider.Store store =
        FakeStoreProvider.OPENED.get(URI.create("fakestore://refused/p"));
    assertEquals(Map.of("region", "x"), store.options);
    assertTrue(store.closed, "the store of a refused open is closed");
  }

  @Test
  void aProviderOnFileSystemsOnly_refusesAStore_sayingSo_andTheStoreIsClosed(@TempDir Path dir)
      throws Exception {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve("dev.coffer.spi.BackupProvider"),
        FakeProvider.FilesOnly.class.getName() + "\n");
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Thread.currentThread().setContextClassLoader(loader);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  BackupProviders.open(
                      "coffer:fake-files:fakestore://files-only/p?region=r",
                      Map.of("key", "s3cr3t")));
      assertTrue(
          e.getMessage().contains("provider 'fake-files' keeps repositories on file systems only"),
          e.getMessage());
      assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
      assertTrue(FakeStoreProvider.OPENED.get(URI.create("fakestore://files-only/p")).closed);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
    FakeStoreProvider.Store store =
        new FakeStoreProvider.Store(URI.create("fakestore://b"), Map.of());
    assertThrows(
        IllegalArgumentException.class, () -> new FakeProvider.FilesOnly().open(store, Map.of()));
    assertFalse(store.closed, "a refused open leaves the store to its caller");
  }

  @Test
  void aSchemeNoStoreAndNoFileSystemServes_isRefusedNamingTheInstalledStores() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackupProviders.open("coffer:fake:s3://bucket/prefix?region=r"));
    assertTrue(
        e.getMessage().contains("no store provider and no file system serves scheme 's3'"),
        e.getMessage());
    assertTrue(e.getMessage().contains("installed stores: fakestore"), e.getMessage());
  }

  @Test
  void aStoreThatCannotBeOpened_failsTheOpen_beforeTheProviderIsCalled() {
    assertThrows(
        NoSuchFileException.class,
        () -> BackupProviders.open("coffer:fake:fakestore://missing/p?refuse=true&mode=refuse"));
  }

  @Test
  void aSecretOptionInTheUrl_isRefusedForAStoreLocationToo() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackupProviders.open("coffer:fake:fakestore://bucket/p?key=s3cr3t-value"));
    assertFalse(e.getMessage().contains("s3cr3t-value"), e.getMessage());
  }

  @Test
  void repositoryInfoOfAStore_isItsUriWithoutUserInformationOrQuery() {
    ObjectStore store =
        new FakeStoreProvider.Store(URI.create("fakestore://user:pw@bucket/p?x=y"), Map.of());
    RepositoryInfo info = RepositoryInfo.of(new FakeProvider(), store);
    assertEquals("fakestore://bucket/p", info.location());
    assertEquals("fake", info.provider());
  }
}
