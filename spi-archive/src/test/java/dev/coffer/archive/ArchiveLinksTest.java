package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Symbolic links in archives: stored as their target text, restored as links, never followed. */
class ArchiveLinksTest {

  @TempDir Path tmp;

  static java.util.stream.Stream<String> fileSystems() {
    return java.util.stream.Stream.of("unix", "osx", "windows", "disk");
  }

  private Path base(String fsKind) throws IOException {
    Path b =
        fsKind.equals("disk") ? tmp : TestSupport.root(TestSupport.jimfs(fsKind)).resolve("work");
    return Files.createDirectories(b);
  }

  /**
   * A source with an absolute link out of the tree, a relative one, a dangling one and a link to a
   * directory.
   */
  private static Path sourceWithLinks(Path b) throws IOException {
    Path outside = Files.createDirectories(b.resolve("outside"));
    TestSupport.write(outside.resolve("secret.txt"), "outside content");
    Path src = TestSupport.sampleSource(b.resolve("src"));
    Files.createSymbolicLink(src.resolve("to-outside-dir"), outside);
    Files.createSymbolicLink(
        src.resolve("wal_tail/to-text"), src.getFileSystem().getPath("..", "text.txt"));
    Files.createSymbolicLink(
        src.resolve("dangling"), src.getFileSystem().getPath("no", "such", "file"));
    return src;
  }

  private static Map<String, String> links(Path root) throws IOException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (var s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isSymbolicLink(p)) {
          out.put(
              dev.coffer.spi.support.RelativePaths.relativize(root, p),
              Files.readSymbolicLink(p).toString());
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fileSystems")
  void links_areRestoredAsLinksWithTheirExactTargets_andNothingBehindThemIsStored(String fsKind)
      throws IOException {
    Path b = base(fsKind);
    Path src = sourceWithLinks(b);
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      assertEquals(5, md.totalFiles(), "links are not files and their targets are not stored");
      Path out = b.resolve("out");
      repo.restore(md.id(), out);
      assertEquals(links(src), links(out));
      assertEquals(3, links(out).size());
      assertEquals(Snapshot.of(src), Snapshot.of(out));
      assertFalse(Files.isDirectory(out.resolve("to-outside-dir"), LinkOption.NOFOLLOW_LINKS));
      assertEquals(List.of("secret.txt"), TestSupport.names(b.resolve("outside")));
      assertTrue(repo.verify(md.id()).ok());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fileSystems")
  void incremental_recordsAddedChangedAndRemovedLinks(String fsKind) throws IOException {
    Path b = base(fsKind);
    Path src = sourceWithLinks(b);
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata full = repo.backup(src);
      Files.delete(src.resolve("dangling"));
      Files.delete(src.resolve("wal_tail/to-text"));
      Files.createSymbolicLink(
          src.resolve("wal_tail/to-text"), src.getFileSystem().getPath("zero"));
      Files.createSymbolicLink(
          src.resolve("empty/new-link"), src.getFileSystem().getPath("nested"));
      BackupMetadata inc = repo.backup(BackupRequest.incremental(src, full.id()));
      Path out = b.resolve("out");
      repo.restore(inc.id(), out);
      assertEquals(links(src), links(out));
      assertEquals(Snapshot.of(src), Snapshot.of(out));
      Path first = b.resolve("first");
      repo.restore(full.id(), first);
      assertEquals(
          "no"
              + src.getFileSystem().getSeparator()
              + "such"
              + src.getFileSystem().getSeparator()
              + "file",
          links(first).get("dangling"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fileSystems")
  void partialRestore_ofALinkOrItsDirectory_restoresTheLinkOnly(String fsKind) throws IOException {
    Path b = base(fsKind);
    Path src = sourceWithLinks(b);
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      Path one = b.resolve("one");
      repo.restore(RestoreRequest.of(md.id(), one).withPaths(List.of("to-outside-dir")));
      assertEquals(Map.of("to-outside-dir", b.resolve("outside").toString()), links(one));
      assertEquals(Set.of("to-outside-dir"), Snapshot.of(one).entries().keySet());
      assertEquals(Snapshot.Kind.LINK, Snapshot.of(one).entries().get("to-outside-dir").kind());
      Path dir = b.resolve("dir");
      repo.restore(RestoreRequest.of(md.id(), dir).withPaths(List.of("wal_tail")));
      assertEquals(
          List.of("segment_1.aedbwal", "to-text", "zero"),
          TestSupport.names(dir.resolve("wal_tail")));
      assertTrue(Files.isSymbolicLink(dir.resolve("wal_tail/to-text")));
    }
  }
}
