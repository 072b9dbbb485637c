package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coffer.SpecialFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SourceTree#scan(Path, ScanOptions)} with exclusion patterns: left out, subtree and all,
 * never read.
 */
class SourceTreeExclusionTest {

  @TempDir Path tmp;

  private static List<String> paths(SourceTree tree) {
    return tree.entries().stream().map(SourceEntry::path).toList();
  }

  private static SourceTree scan(Path src, Set<String> followed, Set<String> excluded)
      throws IOException {
    return SourceTree.scan(src, new ScanOptions(followed, SpecialFiles.FAIL, excluded));
  }

  /** A small data directory: a lock file, a log directory, temporary files at two depths. */
  private static Path dataDir(Path root) throws IOException {
    Path src = Files.createDirectories(root.resolve("src"));
    Files.writeString(src.resolve("server.pid"), "4711");
    Files.writeString(src.resolve("server.conf"), "port=1");
    Files.createDirectories(src.resolve("log/archive"));
    Files.writeString(src.resolve("log/000001"), "segment 1");
    Files.writeString(src.resolve("log/archive/000000"), "old");
    Files.createDirectories(src.resolve("base/1/tmp"));
    Files.writeString(src.resolve("base/1/t1"), "table");
    Files.writeString(src.resolve("base/1/tmp/sort.0"), "spill");
    Files.writeString(src.resolve("base/tmp.1"), "spill");
    return src;
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void excludedFilesAndDirectories_areLeftOutWithEverythingBelowThem(FileSystems kind)
      throws IOException {
    Path src = dataDir(kind.newRoot());
    SourceTree tree =
        scan(src, Set.of(), Set.of("server.pid", "log/*", "base/*/tmp", "base/tmp.?"));
    assertEquals(List.of("base", "base/1", "base/1/t1", "log", "server.conf"), paths(tree));
    assertEquals(5 + 6, tree.totalBytes());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void aPatternNamesOneDepth_andNothingElseIsLeftOut(FileSystems kind) throws IOException {
    Path src = dataDir(kind.newRoot());
    assertEquals(
        paths(SourceTree.scan(src)),
        paths(scan(src, Set.of(), Set.of("000001", "tmp", "base/1/t1/x"))),
        "a pattern matches whole paths from the root, at its own depth only");
    assertEquals(
        List.of(
            "base",
            "log",
            "log/000001",
            "log/archive",
            "log/archive/000000",
            "server.conf",
            "server.pid"),
        paths(scan(src, Set.of(), Set.of("base/*"))),
        "dir/* keeps the directory itself");
  }

  @ParameterizedTest
  @EnumSource(
      value = FileSystems.class,
      names = {"UNIX", "OSX"}) // a backslash is a separator on Windows
  void anExcludedName_isNotChecked(FileSystems kind) throws IOException {
    Path src = dataDir(kind.newRoot());
    List<String> clean = paths(SourceTree.scan(src));
    Files.writeString(src.resolve("log").resolve("bad\\name"), "x");
    assertEquals(clean, paths(scan(src, Set.of(), Set.of("log/bad?name"))));
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void anExcludedEntry_isNeverRead_notEvenForItsType(PosixFileSystems kind) throws IOException {
    Path root = kind.newRoot(tmp);
    Path src = dataDir(root);
    // read, a broken followed link fails the scan: left out, it cannot
    Files.createSymbolicLink(src.resolve("gone"), root.resolve("no-such-directory"));
    assertEquals(
        paths(scan(src, Set.of("gone"), Set.of("gone"))),
        paths(SourceTree.scan(src)).stream().filter(p -> !p.equals("gone")).toList());
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void exclusionsApplyBelowAFollowedLink(PosixFileSystems kind) throws IOException {
    Path root = kind.newRoot(tmp);
    Path src = Files.createDirectories(root.resolve("src"));
    Path wal = Files.createDirectories(root.resolve("wal"));
    Files.writeString(wal.resolve("000001"), "segment");
    Files.createDirectories(wal.resolve("archive_status"));
    Files.createSymbolicLink(src.resolve("pg_wal"), wal);
    assertEquals(List.of("pg_wal"), paths(scan(src, Set.of("pg_wal"), Set.of("pg_wal/*"))));
    assertEquals(
        SourceEntry.Type.DIRECTORY,
        scan(src, Set.of("pg_wal"), Set.of("pg_wal/*")).entries().get(0).type());
  }
}
