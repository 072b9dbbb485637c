package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SourceTreeTest {

  private static Path sampleSource(Path root) throws IOException {
    Path src = root.resolve("src");
    Files.createDirectories(src.resolve("wal"));
    Files.createDirectories(src.resolve("empty"));
    Files.createDirectories(src.resolve("a"));
    Files.write(src.resolve("wal").resolve("000001.log"), new byte[1000]);
    Files.writeString(src.resolve("a").resolve("b.txt"), "ab");
    Files.writeString(src.resolve("a-b.txt"), "a-b");
    Files.writeString(src.resolve("a.txt"), "a");
    Files.createFile(src.resolve("zero"));
    Files.setLastModifiedTime(
        src.resolve("a.txt"), FileTime.from(Instant.parse("2020-01-02T03:04:05.123Z")));
    return src;
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void scan_listsEverythingInRustPathOrderWithSizes(FileSystems kind) throws IOException {
    Path src = sampleSource(kind.newRoot());
    SourceTree tree = SourceTree.scan(src);
    assertEquals(
        List.of("a", "a/b.txt", "a-b.txt", "a.txt", "empty", "wal", "wal/000001.log", "zero"),
        tree.entries().stream().map(SourceEntry::path).toList());
    assertEquals(
        List.of("a/b.txt", "a-b.txt", "a.txt", "wal/000001.log", "zero"),
        tree.files().stream().map(SourceEntry::path).toList());
    assertEquals(1000 + 2 + 3 + 1, tree.totalBytes());
    SourceEntry a = tree.entries().get(3);
    assertEquals(SourceEntry.Type.FILE, a.type());
    assertEquals(Instant.parse("2020-01-02T03:04:05.123Z"), a.lastModified());
    assertEquals(SourceEntry.Type.DIRECTORY, tree.entries().get(4).type());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void scan_reportsLinksWithoutFollowingThem(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path src = sampleSource(root);
    Path outside = root.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("secret.txt"), "not part of the source");
    Files.createSymbolicLink(src.resolve("link-dir"), outside);
    Files.createSymbolicLink(src.resolve("link-file"), outside.resolve("secret.txt"));

    SourceTree tree = SourceTree.scan(src);
    assertEquals(
        List.of("link-dir", "link-file"), tree.symlinks().stream().map(SourceEntry::path).toList());
    assertEquals(outside.toString(), tree.symlinks().get(0).linkTarget());
    assertTrue(
        tree.entries().stream().noneMatch(e -> e.path().startsWith("link-dir/")),
        "links are never followed");
    assertEquals(1006, tree.totalBytes(), "a link to a file adds no bytes");
    BackupException e = assertThrows(BackupException.class, tree::refuseSymlinks);
    assertTrue(e.getMessage().contains("'link-dir'"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void scan_resolvesALinkedRootOnce(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path src = sampleSource(root);
    Path alias = root.resolve("alias");
    Files.createSymbolicLink(alias, src);
    SourceTree tree = SourceTree.scan(alias);
    assertEquals(8, tree.entries().size());
    assertEquals(src.toRealPath(), tree.root());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void scan_missingSourceOrFile_failsWithTheJdkTypes(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    assertThrows(NoSuchFileException.class, () -> SourceTree.scan(root.resolve("missing")));
    Files.writeString(root.resolve("file"), "x");
    assertThrows(NotDirectoryException.class, () -> SourceTree.scan(root.resolve("file")));
  }

  @ParameterizedTest
  @EnumSource(value = FileSystems.class, names = "UNIX")
  void scan_nameWithBackslash_isRefusedByName(FileSystems kind) throws IOException {
    Path src = kind.newRoot().resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("evil\\name"), "x");
    BackupException e = assertThrows(BackupException.class, () -> SourceTree.scan(src));
    assertTrue(e.getMessage().contains("evil\\name"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void scan_emptySource_hasNoEntries(FileSystems kind) throws IOException {
    Path src = kind.newRoot().resolve("empty-src");
    Files.createDirectories(src);
    SourceTree tree = SourceTree.scan(src);
    assertEquals(List.of(), tree.entries());
    assertEquals(0, tree.totalBytes());
  }

  @ParameterizedTest
  @EnumSource(
      value = FileSystems.class,
      names = {"UNIX", "OSX"})
  void refuseUnportableNames_namesAWindowsReservedName_andPassesAPortableTree(FileSystems kind)
      throws IOException {
    Path src = kind.newRoot().resolve("src");
    Files.createDirectories(src.resolve("dir"));
    Files.writeString(src.resolve("dir/data.txt"), "kept");
    SourceTree.scan(src).refuseUnportableNames(); // nothing to refuse

    Files.writeString(src.resolve("dir/aux.txt"), "a name Windows reserves");
    SourceTree tree = SourceTree.scan(src);
    BackupException e = assertThrows(BackupException.class, tree::refuseUnportableNames);
    assertTrue(e.getMessage().contains("'dir/aux.txt'"), e.getMessage());
  }
}
