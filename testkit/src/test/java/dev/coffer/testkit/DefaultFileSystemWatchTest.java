package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultFileSystemWatchTest {

  private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

  @Test
  void aNewFileInTheTemporaryDirectoryAppears_butJUnitsAndSurefiresOwnNamesDoNot()
      throws Exception {
    DefaultFileSystemWatch watch = new DefaultFileSystemWatch();
    Path provider = Files.createTempFile("watch-test-", ".tmp");
    Path junit = Files.createTempDirectory("junit-watch-test-");
    Path surefire = Files.createTempFile("surefire-watch-test-", ".tmp");
    try {
      List<String> appeared = watch.appeared();
      assertTrue(appeared.contains(provider.toString()), () -> "not seen: " + appeared);
      assertTrue(
          !appeared.contains(junit.toString()), () -> "JUnit's directory counted: " + appeared);
      assertTrue(
          !appeared.contains(surefire.toString()), () -> "Surefire's file counted: " + appeared);
    } finally {
      Files.delete(provider);
      Files.delete(junit);
      Files.delete(surefire);
    }
  }

  @Test
  void theTemporaryDirectoryIsWatched() {
    assertEquals(TMP.toAbsolutePath().normalize(), DefaultFileSystemWatch.watched().get(0));
  }
}
