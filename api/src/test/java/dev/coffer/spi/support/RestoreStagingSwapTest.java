package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupException;
import dev.coffer.RestoreMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A process that can write the target's parent renames the staging directory away during a restore
 * and puts a link to its own directory in its place (issue #16): nothing may land there, and the
 * target stays as it was.
 */
class RestoreStagingSwapTest {

  @TempDir Path disk;

  /** What a restore does after the swap. */
  enum Step {
    NEW_FILE,
    NEW_FILE_IN_NEW_DIRECTORY,
    DIRECTORY,
    LINK,
    TIME,
    COMMIT_ONLY
  }

  static Stream<Arguments> cases() {
    return Stream.of("unix", "osx", "windows", "disk")
        .flatMap(fs -> Stream.of(Step.values()).map(step -> Arguments.of(fs, step)));
  }

  private Path root(String fs) throws IOException {
    return switch (fs) {
      case "unix" -> FileSystems.UNIX.newRoot();
      case "osx" -> FileSystems.OSX.newRoot();
      case "windows" -> FileSystems.WINDOWS.newRoot();
      default -> disk;
    };
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void aStagingDirectorySwappedForALink_failsTheRestore_writesNothingThere_andKeepsTheTarget(
      String fs, Step step) throws IOException {
    Path root = root(fs);
    Path attacker = Files.createDirectory(root.resolve("attacker"));
    Path target = Files.createDirectory(root.resolve("target"));
    Files.writeString(target.resolve("old"), "old content");
    RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.REPLACE);
    try {
      write(staging, "before", "written before the swap");
      staging.createDirectory("dir");
      Path name = staging.directory();
      Files.move(name, root.resolve("moved-away"));
      Files.createSymbolicLink(name, attacker);

      assertThrows(
          BackupException.class,
          () -> {
            switch (step) {
              case NEW_FILE -> write(staging, "after", "secret");
              case NEW_FILE_IN_NEW_DIRECTORY -> write(staging, "new/after", "secret");
              case DIRECTORY -> staging.createDirectory("dir2");
              case LINK -> staging.createSymbolicLink("link", "before");
              case TIME -> staging.setLastModifiedTime("before", FileTime.fromMillis(0));
              case COMMIT_ONLY -> {}
            }
            staging.commit();
          });
    } finally {
      staging.close();
    }
    assertEquals(List.of(), names(attacker), "nothing lands in the swapped-in directory");
    assertFalse(Files.isSymbolicLink(target), "the target is never published as the link");
    assertEquals("old content", Files.readString(target.resolve("old")));
    assertEquals(List.of("old"), names(target));
  }

  @Test
  void stagingNames_areUnguessable_andTheDirectoryIsOwnerOnly_onDisk() throws IOException {
    Path target = disk.resolve("target");
    try (RestoreStaging a = RestoreStaging.begin(target, RestoreMode.CREATE);
        RestoreStaging b = RestoreStaging.begin(target, RestoreMode.CREATE)) {
      String name = a.directory().getFileName().toString();
      assertTrue(name.matches("\\.target\\.coffer-restore-[0-9a-f]{32}"), name);
      assertFalse(name.equals(b.directory().getFileName().toString()));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(a.directory(), LinkOption.NOFOLLOW_LINKS)));
    }
  }

  @Test
  void theDefaultFileSystemAndJimfsUnix_useAHandle_jimfsOsxAndWindows_checkTheName()
      throws IOException {
    try (StagingDirectory d = StagingDirectory.create(disk.resolve("s"));
        StagingDirectory unix = StagingDirectory.create(FileSystems.UNIX.newRoot().resolve("s"));
        StagingDirectory osx = StagingDirectory.create(FileSystems.OSX.newRoot().resolve("s"));
        StagingDirectory win =
            StagingDirectory.create(FileSystems.WINDOWS.newRoot().resolve("s"))) {
      assertTrue(d.secure(), "Linux and macOS have SecureDirectoryStream");
      assertTrue(unix.secure());
      assertFalse(osx.secure());
      assertFalse(win.secure());
    }
  }

  @Test
  void aStagingDirectoryOfAnotherOwner_isRefused() throws IOException {
    FileSystem fs =
        Jimfs.newFileSystem(
            Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix").build());
    try (fs;
        StagingDirectory dir = StagingDirectory.create(fs.getPath("/staging"))) {
      assertFalse(dir.keepsModes(), "no complaint about the owner; Jimfs drops creation modes");
      // as if another process had put its own directory under the name before the first look-up
      Files.setOwner(
          dir.path(), fs.getUserPrincipalLookupService().lookupPrincipalByName("intruder"));
      assertThrows(BackupException.class, dir::keepsModes);
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void write(RestoreStaging staging, String path, String content)
      throws IOException {
    try (FileChannel ch = staging.newFile(path)) {
      ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
