package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupWarning;
import dev.coffer.SpecialFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SourceTreePosixTest {

  @TempDir Path tmp;

  private static Map<String, SourceEntry> byPath(SourceTree tree) {
    return tree.entries().stream()
        .collect(Collectors.toMap(SourceEntry::path, Function.identity()));
  }

  private static void chmod(Path p, String mode) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void scan_recordsTheModeAndOwnerOfEveryEntryAndTheRoot(PosixFileSystems kind) throws IOException {
    Path src = Files.createDirectory(kind.newRoot(tmp).resolve("src"));
    Path dir = Files.createDirectory(src.resolve("base"));
    Path key = Files.writeString(dir.resolve("server.key"), "k");
    Path tool = Files.writeString(src.resolve("run.sh"), "#!/bin/sh");
    Files.createSymbolicLink(src.resolve("link"), tool.getFileName());
    chmod(src, "rwx------");
    chmod(dir, "rwxr-x---");
    chmod(key, "rw-------");
    chmod(tool, "rwxr-xr-x");

    SourceTree tree = SourceTree.scan(src);
    Map<String, SourceEntry> e = byPath(tree);
    assertEquals(0700, tree.rootPosix().permissions());
    assertEquals(0750, e.get("base").posix().permissions());
    assertEquals(0600, e.get("base/server.key").posix().permissions());
    assertEquals(0755, e.get("run.sh").posix().permissions());
    assertNotNull(e.get("link").posix(), "links carry their owner");
    String owner = Files.getOwner(key).getName();
    assertEquals(owner, e.get("base/server.key").posix().owner());
    assertEquals(owner, tree.rootPosix().owner());
  }

  @Test
  void scan_withoutPosixAttributes_recordsNone() throws IOException {
    Path src = Files.createDirectory(PosixFileSystems.windows().resolve("src"));
    Files.writeString(src.resolve("f"), "x");
    SourceTree tree = SourceTree.scan(src);
    assertNull(tree.rootPosix());
    assertNull(tree.entries().get(0).posix());
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void scan_followsNamedLinksOnceAndNothingElse(PosixFileSystems kind) throws IOException {
    Path root = kind.newRoot(tmp);
    Path src = Files.createDirectory(root.resolve("src"));
    Path wal = Files.createDirectory(root.resolve("wal"));
    Files.writeString(wal.resolve("000001"), "wal bytes");
    Files.createSymbolicLink(wal.resolve("inner"), root.resolve("elsewhere"));
    chmod(wal, "rwx------");
    Path space = Files.createDirectory(root.resolve("space"));
    Files.writeString(space.resolve("t"), "table");
    Files.createDirectory(src.resolve("pg_tblspc"));
    Files.createSymbolicLink(src.resolve("pg_wal"), wal);
    Files.createSymbolicLink(src.resolve("pg_tblspc").resolve("16384"), space);
    Files.createSymbolicLink(src.resolve("other"), space);

    SourceTree tree =
        SourceTree.scan(src, new ScanOptions(Set.of("pg_wal", "pg_tblspc/*"), SpecialFiles.SKIP));
    Map<String, SourceEntry> e = byPath(tree);
    assertEquals(SourceEntry.Type.DIRECTORY, e.get("pg_wal").type());
    assertEquals(
        0700, e.get("pg_wal").posix().permissions(), "a followed link records its target's mode");
    assertEquals(9, e.get("pg_wal/000001").sizeBytes());
    assertEquals(
        SourceEntry.Type.SYMLINK,
        e.get("pg_wal/inner").type(),
        "links inside a target are not followed");
    assertEquals(SourceEntry.Type.DIRECTORY, e.get("pg_tblspc/16384").type());
    assertEquals(SourceEntry.Type.FILE, e.get("pg_tblspc/16384/t").type());
    assertEquals(SourceEntry.Type.SYMLINK, e.get("other").type(), "an unnamed link stays a link");
    assertTrue(e.keySet().stream().noneMatch(p -> p.startsWith("other/")));
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void scan_brokenFollowedLink_failsNamingIt(PosixFileSystems kind) throws IOException {
    Path root = kind.newRoot(tmp);
    Path src = Files.createDirectory(root.resolve("src"));
    Files.createSymbolicLink(src.resolve("pg_wal"), root.resolve("gone"));
    BackupException e =
        assertThrows(
            BackupException.class,
            () -> SourceTree.scan(src, new ScanOptions(Set.of("pg_wal"), SpecialFiles.SKIP)));
    assertTrue(
        e.getMessage().contains("'pg_wal'") && e.getMessage().contains("does not exist"),
        e.getMessage());
    assertEquals(
        SourceEntry.Type.SYMLINK,
        SourceTree.scan(src).entries().get(0).type(),
        "not followed unless named");
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void scan_followedLinkToAFile_failsNamingIt(PosixFileSystems kind) throws IOException {
    Path root = kind.newRoot(tmp);
    Path src = Files.createDirectory(root.resolve("src"));
    Files.createSymbolicLink(
        src.resolve("conf"), Files.writeString(root.resolve("real.conf"), "x"));
    BackupException e =
        assertThrows(
            BackupException.class,
            () -> SourceTree.scan(src, new ScanOptions(Set.of("conf"), SpecialFiles.SKIP)));
    assertTrue(
        e.getMessage().contains("'conf'") && e.getMessage().contains("not a directory"),
        e.getMessage());
  }

  @Test
  void scan_socket_isSkippedAndReported_orRefusedUnderFail() throws IOException {
    Path src = Files.createDirectory(tmp.resolve("src"));
    Files.createDirectory(src.resolve("run"));
    Files.writeString(src.resolve("data"), "x");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(src.resolve("run").resolve("mysql.sock")));
      SourceTree tree = SourceTree.scan(src, ScanOptions.DEFAULT);
      assertEquals(List.of("data", "run"), tree.entries().stream().map(SourceEntry::path).toList());
      assertEquals(
          List.of(
              new BackupWarning(
                  "run/mysql.sock", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket")),
          tree.skipped());

      BackupException e =
          assertThrows(
              BackupException.class,
              () -> SourceTree.scan(src, new ScanOptions(Set.of(), SpecialFiles.FAIL)));
      assertTrue(
          e.getMessage().contains("'run/mysql.sock'") && e.getMessage().contains("socket"),
          e.getMessage());
      BackupException strict =
          assertThrows(
              BackupException.class,
              () -> SourceTree.scan(src),
              "the one-argument scan keeps refusing special files, for providers that do not report them");
      assertTrue(strict.getMessage().contains("'run/mysql.sock'"), strict.getMessage());
    }
  }

  @Test
  void scan_fifo_isSkippedAndReportedAsAFifo() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    Process p = new ProcessBuilder("mkfifo", src.resolve("pipe").toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
    SourceTree tree = SourceTree.scan(src, ScanOptions.DEFAULT);
    assertEquals(List.of(), tree.entries());
    assertEquals("FIFO", tree.skipped().get(0).detail());
  }

  @Test
  void scan_nameThatIsNotUtf8_failsShowingItsBytesInHex() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    Files.createDirectory(src.resolve("dir"));
    // Java cannot create such a name; the shell writes the raw bytes 'b' 0xff 'd'
    Process p =
        new ProcessBuilder(
                "sh", "-c", "touch \"$1/$(printf 'b\\377d')\"", "sh", src.resolve("dir").toString())
            .inheritIO()
            .start();
    assertEquals(0, p.waitFor());
    BackupException e = assertThrows(BackupException.class, () -> SourceTree.scan(src));
    assertTrue(
        e.getMessage().contains("62 ff 64") && e.getMessage().contains("'dir'"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(PosixFileSystems.class)
  void scan_nameHoldingAGenuineReplacementCharacter_isKept(PosixFileSystems kind)
      throws IOException {
    Path src = Files.createDirectory(kind.newRoot(tmp).resolve("src"));
    Files.writeString(src.resolve("a\uFFFDb"), "x");
    assertEquals("a\uFFFDb", SourceTree.scan(src).entries().get(0).path());
  }
}
