package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup's staging directory and lock file, on their own: begun, published or abandoned, cleaned
 * up.
 */
class StagingTest {

  @TempDir Path tmp;

  @Test
  void aPublishedStaging_becomesTheBackupsDirectory_andLeavesNoLockBehind() throws IOException {
    Layout layout = new Layout(tmp);
    try (Staging s = Staging.begin(layout, "b1")) {
      assertEquals(List.of(".lock-b1", ".staging-b1"), AmatersPortTest.listNames(tmp, ""));
      Files.writeString(s.data().resolve("f"), "x");
      s.publish(false);
    }
    assertEquals(List.of("b1"), AmatersPortTest.listNames(tmp, ""));
    assertEquals("x", Files.readString(layout.published("b1").resolve(Layout.DATA).resolve("f")));
  }

  @Test
  void aStagingClosedUnpublished_removesItsDirectoryAndLock() throws IOException {
    Layout layout = new Layout(tmp);
    try (Staging s = Staging.begin(layout, "b2")) {
      Files.writeString(s.data().resolve("f"), "x");
    }
    assertEquals(List.of(), AmatersPortTest.listNames(tmp, ""));
  }

  @Test
  void aStagingThatCannotStart_leavesNothingBehind() throws IOException {
    Layout layout = new Layout(tmp);
    Files.createDirectory(layout.staging("b3")); // a stray staging directory of the same id
    assertThrows(FileAlreadyExistsException.class, () -> Staging.begin(layout, "b3").close());
    assertEquals(
        List.of(".staging-b3"),
        AmatersPortTest.listNames(tmp, ""),
        "the lock is gone, the stray kept");
    Staging.removeLeftovers(layout);
    assertEquals(
        List.of(), AmatersPortTest.listNames(tmp, ""), "an unlocked leftover is removed at open");
  }

  @Test
  void removeLeftovers_keepsTheStagingOfABackupRunningInThisJvm() throws IOException {
    Layout layout = new Layout(tmp);
    Files.createDirectory(layout.deleting("gone", "00"));
    try (Staging running = Staging.begin(layout, "b4")) {
      Staging.removeLeftovers(layout);
      assertEquals(List.of(".lock-b4", ".staging-b4"), AmatersPortTest.listNames(tmp, ""));
      assertTrue(Files.isDirectory(running.data()));
    }
  }
}
