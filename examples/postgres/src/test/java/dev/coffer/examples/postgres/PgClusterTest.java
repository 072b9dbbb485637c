package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** How the PostgreSQL tests find the server's binaries, and what they do without them. */
class PgClusterTest {

  @Test
  void missingPostgres_failsUnderCi_andSkipsElsewhere() {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class, () -> PgCluster.requireBinaries(Optional.empty(), true));
    assertTrue(failed.getMessage().contains("CI=true"), failed.getMessage());
    TestAbortedException skipped =
        assertThrows(
            TestAbortedException.class, () -> PgCluster.requireBinaries(Optional.empty(), false));
    assertTrue(skipped.getMessage().contains("postgresql-15"), skipped.getMessage());
  }

  @Test
  void findBinaries_prefersVersion15_thenTheNewest_andHonoursAnExplicitDirectory(@TempDir Path lib)
      throws IOException {
    assertEquals(Optional.empty(), PgCluster.findBinaries(null, lib.resolve("absent")));
    for (String version : new String[] {"13", "16"}) {
      fakeInitdb(lib.resolve(version).resolve("bin"));
    }
    assertEquals(Optional.of(lib.resolve("16").resolve("bin")), PgCluster.findBinaries(null, lib));
    fakeInitdb(lib.resolve("15").resolve("bin"));
    assertEquals(Optional.of(lib.resolve("15").resolve("bin")), PgCluster.findBinaries(null, lib));
    assertEquals(
        Optional.of(lib.resolve("13").resolve("bin")),
        PgCluster.findBinaries(lib.resolve("13").resolve("bin").toString(), lib));
  }

  private static void fakeInitdb(Path bin) throws IOException {
    Files.createDirectories(bin);
    Files.createFile(
        bin.resolve("initdb"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }
}
