package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SnapshotTest {

  private static Path tree(Fs fs) throws IOException {
    Path root = JimfsRoots.of(fs).resolve("tree");
    Files.createDirectories(root.resolve("a").resolve("empty"));
    Files.writeString(root.resolve("a").resolve("one.txt"), "one");
    Files.write(root.resolve("two.bin"), new byte[] {0, 1, 2, (byte) 0xff});
    Files.setLastModifiedTime(root.resolve("two.bin"), FileTime.fromMillis(1_000_000_123L));
    return root;
  }

  @Test
  void theSameTreeOnDifferentFileSystems_givesEqualSnapshots() throws IOException {
    Snapshot unix = Snapshot.of(tree(Fs.UNIX));
    Snapshot windows = Snapshot.of(tree(Fs.WINDOWS));
    assertEquals(unix, windows);
    assertEquals(unix.hashCode(), windows.hashCode());
    assertEquals("no differences", unix.differences(windows));
    assertEquals(Set.of("a/one.txt", "two.bin"), unix.files());
    assertEquals(Set.of("a", "a/empty"), unix.directories());
    assertEquals(2, unix.fileCount());
    assertEquals(7, unix.totalBytes());
  }

  @Test
  void aChangedByteOrLinkTarget_makesSnapshotsDiffer_andSaysWhere() throws IOException {
    Path root = tree(Fs.UNIX);
    Files.createSymbolicLink(root.resolve("link"), root.getFileSystem().getPath("a/one.txt"));
    Snapshot before = Snapshot.of(root);
    Files.write(root.resolve("two.bin"), new byte[] {0, 1, 2, (byte) 0xfe});
    Snapshot flipped = Snapshot.of(root);
    assertNotEquals(before, flipped);
    assertTrue(
        before.differences(flipped).contains("two.bin: different"), before.differences(flipped));
    Files.delete(root.resolve("link"));
    Files.createSymbolicLink(root.resolve("link"), root.getFileSystem().getPath("a/./one.txt"));
    Snapshot relinked = Snapshot.of(root);
    assertNotEquals(flipped, relinked);
    assertTrue(
        flipped.differences(relinked).contains("link -> a/./one.txt"),
        flipped.differences(relinked));
  }

  @Test
  void anAbsentTree_differsFromAnEmptyDirectory() throws IOException {
    Path root = JimfsRoots.of(Fs.OSX);
    Snapshot absent = Snapshot.of(root.resolve("nothing"));
    assertFalse(absent.exists());
    Snapshot empty = Snapshot.of(Files.createDirectory(root.resolve("empty")));
    assertTrue(empty.exists());
    assertNotEquals(absent, empty);
  }

  @Test
  void timesCount_onlyInSnapshotsTakenWithTimes() throws IOException {
    Path root = tree(Fs.UNIX);
    Snapshot plain = Snapshot.of(root);
    Snapshot timed = Snapshot.withTimes(root);
    assertNotEquals(plain, timed, "a snapshot with times never equals one without");
    Files.setLastModifiedTime(root.resolve("two.bin"), FileTime.fromMillis(1_000_000_124L));
    assertEquals(plain, Snapshot.of(root));
    Snapshot later = Snapshot.withTimes(root);
    assertNotEquals(timed, later);
    assertTrue(
        timed.differences(later).contains("two.bin: last modified"), timed.differences(later));
  }

  @Test
  void without_leavesOutAnEntryAndEverythingBelowIt() throws IOException {
    Path root = tree(Fs.UNIX);
    Snapshot all = Snapshot.withTimes(root);
    Snapshot withoutA = all.without("a");
    assertEquals(Set.of("two.bin"), withoutA.entries().keySet());
    Files.writeString(root.resolve("a").resolve("new.txt"), "changed below a");
    assertEquals(withoutA, Snapshot.withTimes(root).without("a"));
    assertNotEquals(all, Snapshot.withTimes(root));
  }
}
