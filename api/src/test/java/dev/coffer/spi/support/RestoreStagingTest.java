package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.RestoreMode;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RestoreStagingTest {

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void create_intoAbsentTarget_publishesOnCommitOnly(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path target = root.resolve("target");
    try (RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.CREATE)) {
      Files.writeString(staging.directory().resolve("f"), "new");
      assertFalse(Files.exists(target), "nothing is visible before commit");
      assertEquals(
          target.getParent(), staging.directory().getParent(), "staging lives beside the target");
      staging.commit();
    }
    assertEquals("new", Files.readString(target.resolve("f")));
    assertEquals(List.of("target"), names(root));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void create_intoEmptyTarget_replacesTheEmptyDirectory(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path target = Files.createDirectory(root.resolve("target"));
    try (RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.CREATE)) {
      Files.writeString(staging.directory().resolve("f"), "new");
      staging.commit();
    }
    assertEquals(List.of("f"), names(target));
    assertEquals(List.of("target"), names(root));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void create_intoNonEmptyTarget_failsAndCreatesNothing(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path target = Files.createDirectory(root.resolve("target"));
    Files.writeString(target.resolve("keep"), "old");
    assertThrows(
        DirectoryNotEmptyException.class, () -> RestoreStaging.begin(target, RestoreMode.CREATE));
    assertEquals(List.of("target"), names(root));
    assertEquals("old", Files.readString(target.resolve("keep")));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void close_withoutCommit_removesStagingAndLeavesTargetAsItWas(FileSystems kind)
      throws IOException {
    Path root = kind.newRoot();
    Path target = root.resolve("target");
    try (RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.CREATE)) {
      Files.createDirectories(staging.directory().resolve("deep/er"));
      Files.writeString(staging.directory().resolve("deep/er/f"), "partial");
    }
    assertEquals(List.of(), names(root));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void replace_swapsContentAndRemovesTheOldCopy(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path target = Files.createDirectory(root.resolve("target"));
    Files.writeString(target.resolve("old"), "old");
    try (RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.REPLACE)) {
      Files.writeString(staging.directory().resolve("new"), "new");
      assertEquals(List.of("old"), names(target), "old content intact until commit");
      staging.commit();
    }
    assertEquals(List.of("new"), names(target));
    assertEquals(List.of("target"), names(root));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void replace_abandoned_keepsOldContent(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path target = Files.createDirectory(root.resolve("target"));
    Files.writeString(target.resolve("old"), "old");
    try (RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.REPLACE)) {
      Files.writeString(staging.directory().resolve("new"), "new");
    }
    assertEquals(List.of("old"), names(target));
    assertEquals(List.of("target"), names(root));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void begin_refusesFilesLinksAndMissingParents(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Files.writeString(root.resolve("file"), "x");
    assertThrows(
        NotDirectoryException.class,
        () -> RestoreStaging.begin(root.resolve("file"), RestoreMode.REPLACE));
    Path real = Files.createDirectory(root.resolve("real"));
    Files.createSymbolicLink(root.resolve("link"), real);
    assertThrows(
        NotDirectoryException.class,
        () -> RestoreStaging.begin(root.resolve("link"), RestoreMode.CREATE));
    assertThrows(
        NoSuchFileException.class,
        () -> RestoreStaging.begin(root.resolve("no/such/target"), RestoreMode.CREATE));
    assertEquals(List.of("file", "link", "real"), names(root));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void commit_createMode_targetFilledMeanwhile_failsAndKeepsIt(FileSystems kind)
      throws IOException {
    Path root = kind.newRoot();
    Path target = Files.createDirectory(root.resolve("target"));
    try (RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.CREATE)) {
      Files.writeString(target.resolve("intruder"), "someone else's");
      assertThrows(DirectoryNotEmptyException.class, staging::commit);
    }
    assertEquals(List.of("intruder"), names(target));
    assertEquals(List.of("target"), names(root));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void deleteRecursively_removesLinksNotTheirTargets(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path outside = Files.createDirectory(root.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "x");
    Path doomed = Files.createDirectories(root.resolve("doomed/sub"));
    Files.createSymbolicLink(doomed.resolve("link"), outside);
    FileTrees.deleteRecursively(root.resolve("doomed"));
    FileTrees.deleteRecursively(root.resolve("never-existed"));
    assertEquals(List.of("outside"), names(root));
    assertTrue(Files.exists(outside.resolve("keep")));
    assertTrue(FileTrees.isEmptyDirectory(Files.createDirectory(root.resolve("e"))));
    assertFalse(FileTrees.isEmptyDirectory(outside));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void conflatesNames_isTrueWhereLookupsIgnoreCaseOrNormalization_andLeavesNoProbe(FileSystems kind)
      throws IOException {
    Path root = kind.newRoot();
    try (RestoreStaging staging =
        RestoreStaging.begin(root.resolve("target"), RestoreMode.CREATE)) {
      // Jimfs unix looks names up exactly; its osX and windows configurations ignore case
      assertEquals(kind != FileSystems.UNIX, staging.conflatesNames(), kind.name());
      assertEquals(List.of(), names(staging.directory()), "the probe files are removed");
    }
  }
}
