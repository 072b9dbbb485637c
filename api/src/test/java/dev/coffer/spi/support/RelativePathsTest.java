package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RelativePathsTest {

  static List<String> hostile() {
    return List.of(
        "",
        "/",
        "/etc/passwd",
        "a//b",
        "a/",
        "/a",
        ".",
        "..",
        "a/../b",
        "../x",
        "./a",
        "a/.",
        "a/..",
        "a\\b",
        "..\\x",
        "a\0b",
        "C:x",
        "c:/x",
        "C:",
        "z:\\evil",
        "x".repeat(256),
        "a/" + "x".repeat(256),
        "d/".repeat(256) + "f",
        ("x".repeat(200) + "/").repeat(21) + "f");
  }

  @ParameterizedTest
  @MethodSource("hostile")
  void basicRules_refuseHostilePaths(String path) {
    assertTrue(RelativePaths.basicProblem(path).isPresent(), path);
    assertThrows(IllegalArgumentException.class, () -> RelativePaths.requireValid(path));
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> RelativePaths.checkStored(path, "b1"));
    assertTrue(e.getMessage().contains("b1"), e.getMessage());
    assertFalse(e.getMessage().contains("\0"), "control characters are escaped in messages");
  }

  @Test
  void basicRules_refuseNull() {
    assertTrue(RelativePaths.basicProblem(null).isPresent());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "a/b.txt",
        "ünïcödé/日本語ファイル.txt",
        "a b",
        ".hidden",
        "..foo",
        "foo..",
        "ab:c",
        "wal/000001.log",
        "sort-😀.txt",
        "CON",
        "a.",
        "tab\there"
      })
  void basicRules_acceptOrdinaryNames(String path) {
    assertEquals(path, RelativePaths.requireValid(path));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CON",
        "con.txt",
        "a/NUL",
        "aux",
        "COM1",
        "lpt9.log",
        "COM¹",
        "a.",
        "a ",
        "dir./f",
        "a\tb",
        "a\u007fb",
        "a:b",
        "a*b",
        "a?b",
        "a<b",
        "a|b",
        "a\"b",
        "e\u0301.txt"
      })
  void portableRules_refuseNamesOtherSystemsCannotHold(String path) {
    assertTrue(RelativePaths.portableProblem(path).isPresent(), path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"COMMON", "console.txt", "conx", "é.txt", "nul_device", "a/b/c.d", "sort-！.txt"})
  void portableRules_acceptPortableNames(String path) {
    assertEquals(java.util.Optional.empty(), RelativePaths.portableProblem(path), path);
  }

  @Test
  void order_isTheSeedsRustPathBufOrder() {
    // files_in_checksum_order from the seed fixture amaters-checksum.json (written by the seed's
    // own code)
    List<String> expected =
        List.of(
            "B.txt",
            "a/b.txt",
            "a-b.txt",
            "a.txt",
            "bin/bytes-0-255.bin",
            "bin/random-1000.bin",
            "café.txt",
            "empty.txt",
            "large/big-3MiB.bin",
            "nested/deep/deeper/leaf.txt",
            "nested/level1.txt",
            "sort-！.txt",
            "sort-😀.txt",
            "ünïcödé/日本語ファイル.txt");
    List<String> shuffled = new ArrayList<>(expected);
    java.util.Collections.reverse(shuffled);
    shuffled.sort(RelativePaths.ORDER);
    assertEquals(expected, shuffled);
  }

  @Test
  void order_putsDirectoryBeforeItsContentsAndDiffersFromStringOrder() {
    assertTrue(RelativePaths.ORDER.compare("a", "a/b") < 0);
    assertTrue(RelativePaths.ORDER.compare("a/b", "a-b") < 0);
    assertTrue(
        "a/b".compareTo("a-b") > 0, "Java's String order differs, which is why ORDER exists");
    assertTrue(RelativePaths.ORDER.compare("sort-！.txt", "sort-😀.txt") < 0);
    assertTrue(
        "sort-！.txt".compareTo("sort-😀.txt") > 0, "UTF-16 order differs for astral characters");
    assertEquals(0, RelativePaths.ORDER.compare("x/y", "x/y"));
  }

  @Test
  void findCollision_reportsCaseNormalizationAndDuplicates() {
    assertTrue(RelativePaths.findCollision(List.of("A.txt", "a.txt")).isPresent());
    assertTrue(RelativePaths.findCollision(List.of("é.txt", "e\u0301.txt")).isPresent());
    assertTrue(RelativePaths.findCollision(List.of("dir/x", "DIR/x")).isPresent());
    assertTrue(RelativePaths.findCollision(List.of("same", "same")).get().contains("duplicate"));
    assertTrue(RelativePaths.findCollision(List.of("a.txt", "b.txt", "a/b")).isEmpty());
  }

  @Test
  void ancestorsAndWithin() {
    assertEquals(List.of("a", "a/b"), new ArrayList<>(RelativePaths.ancestors("a/b/c")));
    assertEquals(Set.of(), RelativePaths.ancestors("top"));
    assertTrue(RelativePaths.isWithin("a", "a/b"));
    assertTrue(RelativePaths.isWithin("a", "a"));
    assertFalse(RelativePaths.isWithin("a", "ab"));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void relativize_joinsWithSlashOnEveryFileSystem(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    assertEquals(
        "a/b/c.txt",
        RelativePaths.relativize(root, root.resolve("a").resolve("b").resolve("c.txt")));
    assertThrows(IllegalArgumentException.class, () -> RelativePaths.relativize(root, root));
    assertThrows(
        IllegalArgumentException.class,
        () -> RelativePaths.relativize(root.resolve("x"), root.resolve("y")));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void resolveForWrite_createsParentsOneAtATime(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path file = RelativePaths.resolveForWrite(root, "a/b/c.txt", true);
    assertEquals(root.resolve("a").resolve("b").resolve("c.txt"), file);
    assertTrue(Files.isDirectory(root.resolve("a").resolve("b")));
    assertFalse(Files.exists(file), "the final component is left to the caller");
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void resolveForWrite_withoutCreate_reportsMissingParent(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    assertThrows(
        NoSuchFileException.class,
        () -> RelativePaths.resolveForWrite(root, "missing/c.txt", false));
    assertFalse(Files.exists(root.resolve("missing")));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void resolveForWrite_refusesSymlinkedParentAndLeavesOutsideUntouched(FileSystems kind)
      throws IOException {
    Path root = kind.newRoot();
    Path outside = root.resolveSibling("outside");
    Files.createDirectories(outside);
    Files.createSymbolicLink(root.resolve("wal"), outside);
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> RelativePaths.resolveForWrite(root, "wal/deep/x.log", true));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    try (var entries = Files.list(outside)) {
      assertEquals(0, entries.count(), "nothing may be created through the link");
    }
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void resolveForWrite_refusesFileAsParent(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Files.writeString(root.resolve("f"), "x");
    assertThrows(
        CorruptBackupException.class, () -> RelativePaths.resolveForWrite(root, "f/x", true));
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void resolveForWrite_refusesHostilePathsBeforeTouchingAnything(FileSystems kind)
      throws IOException {
    Path root = kind.newRoot();
    for (String hostile : List.of("../escape", "/abs", "a\\..\\b", "C:x", "a/../../b")) {
      assertThrows(
          CorruptBackupException.class,
          () -> RelativePaths.resolveForWrite(root, hostile, true),
          hostile);
    }
    try (var entries = Files.list(root.getParent())) {
      assertEquals(List.of(root), entries.toList());
    }
  }

  /**
   * basicProblem as it was written first (regex, split, getBytes): the reference for the faster
   * one.
   */
  private static java.util.Optional<String> referenceBasicProblem(String path) {
    if (path == null || path.isEmpty()) {
      return java.util.Optional.of("empty path");
    }
    if (path.indexOf('\0') >= 0) {
      return java.util.Optional.of("NUL character in path");
    }
    if (path.indexOf('\\') >= 0) {
      return java.util.Optional.of("backslash in path");
    }
    if (path.startsWith("/")) {
      return java.util.Optional.of("absolute path");
    }
    if (java.util.regex.Pattern.compile("^[A-Za-z]:.*", java.util.regex.Pattern.DOTALL)
        .matcher(path)
        .matches()) {
      return java.util.Optional.of("drive letter in path");
    }
    if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        > RelativePaths.MAX_PATH_BYTES) {
      return java.util.Optional.of("path longer than " + RelativePaths.MAX_PATH_BYTES + " bytes");
    }
    String[] parts = path.split("/", -1);
    if (parts.length > RelativePaths.MAX_DEPTH) {
      return java.util.Optional.of("path deeper than " + RelativePaths.MAX_DEPTH + " components");
    }
    for (String part : parts) {
      if (part.isEmpty()) {
        return java.util.Optional.of("empty component in path");
      }
      if (part.equals(".") || part.equals("..")) {
        return java.util.Optional.of("'" + part + "' component in path");
      }
      if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
          > RelativePaths.MAX_COMPONENT_BYTES) {
        return java.util.Optional.of(
            "component longer than " + RelativePaths.MAX_COMPONENT_BYTES + " bytes");
      }
    }
    return java.util.Optional.empty();
  }

  @Test
  void basicProblem_saysWhatTheReferenceSays_onRandomTrickyPaths() {
    String[] atoms = {
      "a",
      "Z",
      "/",
      ".",
      "..",
      ":",
      "\\",
      "\0",
      "\u00e9",
      "\u65e5",
      "\ud83d\ude00",
      "\ud83d",
      "\ude00",
      "x".repeat(84),
      "y".repeat(85),
      "\u65e5".repeat(85),
      "\ud83d\ude00".repeat(64),
      "/".repeat(2)
    };
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 200_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(i % 1000 == 0 ? 400 : 8);
      for (int k = 0; k < n; k++) {
        sb.append(atoms[r.nextInt(atoms.length)]);
      }
      String p = sb.toString();
      assertEquals(
          referenceBasicProblem(p),
          RelativePaths.basicProblem(p),
          () -> RelativePaths.printable(p));
    }
    for (String p :
        new String[] {
          "a/".repeat(255) + "b",
          "a/".repeat(256) + "b",
          "c:",
          "C:x",
          "1:x",
          "\u00e9:x",
          "x".repeat(4096),
          "\u00e9".repeat(2048) + "x",
          ".a",
          "a..",
          "...",
          "a/./b",
          "a/../b",
          null
        }) {
      assertEquals(referenceBasicProblem(p), RelativePaths.basicProblem(p), String.valueOf(p));
    }
  }
}
