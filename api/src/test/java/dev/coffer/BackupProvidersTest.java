package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.spi.BackupProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackupProvidersTest {

  @Test
  void installed_findsTheClassPathProviderByName() {
    List<BackupProvider> all = BackupProviders.installed();
    assertEquals(List.of("fake"), all.stream().map(BackupProvider::name).toList());
    assertInstanceOf(FakeProvider.class, BackupProviders.provider("fake"));
  }

  @Test
  void provider_unknownName_failsListingTheInstalledProviders() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BackupProviders.provider("nope"));
    assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    assertTrue(e.getMessage().contains("installed: fake"), e.getMessage());
  }

  @Test
  void installed_twoClassesWithOneName_failsNamingBothClasses(@TempDir Path dir)
      throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve("dev.coffer.spi.BackupProvider"),
        FakeProvider.Twin.class.getName() + "\n");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> BackupProviders.installed(loader));
      assertTrue(e.getMessage().contains(FakeProvider.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains(FakeProvider.Twin.class.getName()), e.getMessage());
    }
  }

  @Test
  void open_url_passesPathAndDecodedOptions() throws IOException {
    try (BackupRepository repo =
        BackupProviders.open("coffer:fake:/var/backups/db?mode=fast%20lane")) {
      FakeProvider.Opened opened = FakeProvider.opened(repo);
      assertEquals(Path.of("/var/backups/db"), opened.location);
      assertEquals(Map.of("mode", "fast lane"), opened.options);
    }
  }

  @Test
  void parse_decodesUtf8PercentEscapesAndKeepsLocationLiteral() {
    BackupProviders.RepositoryUrl url =
        BackupProviders.parse("coffer:fake:/a%20b/c?mode=%E2%82%AC+x");
    assertEquals("fake", url.provider());
    assertEquals("/a%20b/c", url.location());
    assertEquals(Map.of("mode", "€+x"), url.options());
  }

  @Test
  void parse_keepsLiteralNonAsciiAndAstralCharactersBesideEscapes() {
    BackupProviders.RepositoryUrl url =
        BackupProviders.parse("coffer:fake:/x?mode=😀%20é-ü%F0%9F%98%80");
    assertEquals(Map.of("mode", "😀 é-ü😀"), url.options());
  }

  @Test
  void open_urlWithJimfsUri_opensOnThatFileSystem() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem("coffer-url-test", Configuration.unix())) {
      try (BackupRepository repo =
          BackupProviders.open("coffer:fake:jimfs://coffer-url-test/repo")) {
        Path location = (FakeProvider.opened(repo)).location;
        assertEquals(fs, location.getFileSystem());
        assertEquals("/repo", location.toString());
      }
    }
  }

  @Test
  void open_secretOptionInUrl_isRefusedWithoutEchoingTheValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackupProviders.open("coffer:fake:/r?key=s3cr3t-value"));
    assertTrue(e.getMessage().contains("'key'"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t-value"), e.getMessage());
  }

  @Test
  void open_secretOptionInMap_isAccepted() throws IOException {
    try (BackupRepository repo =
        BackupProviders.open("coffer:fake:/r?mode=x", Map.of("key", "s3cr3t"))) {
      FakeProvider.Opened opened = FakeProvider.opened(repo);
      assertEquals(Map.of("mode", "x", "key", "s3cr3t"), opened.options);
      assertFalse(opened.parsed.toString().contains("s3cr3t"), opened.parsed.toString());
    }
  }

  @Test
  void open_optionInBothUrlAndMap_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackupProviders.open("coffer:fake:/r?mode=a", Map.of("mode", "b")));
    assertTrue(e.getMessage().contains("'mode'"), e.getMessage());
  }

  @Test
  void open_unknownOption_failsNamingItAndTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackupProviders.open("coffer:fake:/r?colour=red"));
    assertTrue(e.getMessage().contains("'colour'"), e.getMessage());
    assertTrue(e.getMessage().contains("mode, key"), e.getMessage());
  }

  @Test
  void open_byNameAndPath_reachesTheProvider(@TempDir Path dir) throws IOException {
    try (BackupRepository repo = BackupProviders.open("fake", dir, Map.of())) {
      assertEquals(dir, (FakeProvider.opened(repo)).location);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "coffer",
        "coffer:",
        "coffer:fake",
        "coffer::/x",
        "coffer:Fake:/x",
        "coffer:fa ke:/x",
        "coffer:9x:/x",
        "file:/x",
        "local:/x",
        "coffer:fake:",
        "coffer:fake:?mode=a",
        "coffer:fake:/x?",
        "coffer:fake:/x?mode",
        "coffer:fake:/x?=v",
        "coffer:fake:/x?mode=1&mode=2",
        "coffer:fake:/x?mode=%zz",
        "coffer:fake:/x?mode=%4",
        "coffer:fake:/x?mode=%00",
        "coffer:fake:/x?mode=%C3%28",
        "coffer:fake:/x?mode=a&",
        "coffer:fake:/x\0y",
        "coffer:fake:nosuchfs://host/y",
        "coffer:fake:jimfs://not-open-anywhere/y",
        "coffer:fake:http://%zz"
      })
  void open_malformedOrHostileUrl_isIllegalArgument(String url) {
    assertThrows(IllegalArgumentException.class, () -> BackupProviders.open(url));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "s3cr3t0a1b2c3d",
        "/backups/db?key=s3cr3t0a1b2c3d",
        "coffer:s3cr3t0a1b2c3d",
        "coffer:fake:/x?key:s3cr3t0a1b2c3d",
        "coffer:fake:/x?mode=a&key:s3cr3t0a1b2c3d",
        "coffer:fake:/x?s3cr3t0a1b2c3d",
        "coffer:fake:?key=s3cr3t0a1b2c3d",
        "coffer:fake:/x?key=s3cr3t0a1b2c3d&key=s3cr3t0a1b2c3d",
        "coffer:fake:/x?key=s3cr3t0a1b2c3d&",
        "coffer:fake:/x?key=s3cr3t0a1b2c3d%zz",
        "coffer:fake:/x?key=s3cr3t0a1b2c3d%C3%28"
      })
  void open_malformedUrl_neverEchoesAnOptionValueOrTheWholeUrl(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BackupProviders.open(url));
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      assertFalse(String.valueOf(c.getMessage()).contains("s3cr3t"), c.getMessage());
    }
  }

  @Test
  void open_malformedOptionPair_namesItsPosition() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BackupProviders.open("coffer:fake:/x?mode=a&key:0a1b"));
    assertTrue(e.getMessage().contains("#2 of 2"), e.getMessage());
  }

  @Test
  void open_unknownProviderInUrl_listsInstalled() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BackupProviders.open("coffer:nope:/x"));
    assertTrue(e.getMessage().contains("installed: fake"), e.getMessage());
  }

  @Test
  void toPath_windowsDriveLetterIsAPathNotAUriScheme() {
    // A one-letter "scheme" is a drive letter: the location is handed to the default file system as
    // is.
    BackupProviders.RepositoryUrl url = BackupProviders.parse("coffer:fake:C:\\backups");
    assertEquals("C:\\backups", url.location());
    assertEquals(Path.of("C:\\backups"), BackupProviders.toPath(url.location()));
  }
}
