package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupId;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Format v1 known-answer vectors: a fixed source, key and injected randomness give exactly the
 * committed archive bytes, and the committed bytes restore to the source. Regenerate (only for a
 * deliberate format change) with {@code -Dcoffer.writeVectors=<dir>}.
 */
class KnownAnswerTest {

  static final String ID = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";

  static Path vectorSource(FileSystem fs) throws IOException {
    Path src = TestSupport.root(fs).resolve("src");
    Files.createDirectories(src.resolve("dir/empty"));
    TestSupport.write(src.resolve("hello.txt"), "hello, coffer\n");
    byte[] data = new byte[2000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 % 13);
    }
    Files.write(src.resolve("dir/data.bin"), data);
    Files.setLastModifiedTime(src.resolve("hello.txt"), FileTime.from(TestSupport.T0));
    Files.setLastModifiedTime(src.resolve("dir/data.bin"), FileTime.from(TestSupport.T0));
    return src;
  }

  static Map<String, String> options(String vector) {
    return switch (vector) {
      case "encrypted" -> Map.of("key", TestSupport.KEY_HEX, "threads", "1");
      case "signed" -> Map.of("key", TestSupport.KEY_HEX, "mode", "signed", "threads", "1");
      case "plain" -> Map.of("mode", "plain", "threads", "1");
      default ->
          Map.of(
              "passphrase",
              "correct horse battery staple",
              "argon2-memory-kib",
              "64",
              "argon2-iterations",
              "1",
              "argon2-parallelism",
              "1",
              "threads",
              "1");
    };
  }

  static int chunkSize(String vector) {
    return vector.equals("passphrase") ? Format.MIN_CHUNK_SIZE : Format.DEFAULT_CHUNK_SIZE;
  }

  /**
   * The POSIX vector's source: modes, owner names (no numeric ids: Jimfs numbers them per JVM) and
   * a link.
   */
  static Path posixVectorSource(FileSystem fs) throws IOException {
    Path src = vectorSource(fs);
    Files.createSymbolicLink(src.resolve("dir/link"), fs.getPath("../hello.txt"));
    java.nio.file.attribute.UserPrincipalLookupService lookup = fs.getUserPrincipalLookupService();
    for (Path p :
        List.of(
            src,
            src.resolve("dir"),
            src.resolve("dir/empty"),
            src.resolve("hello.txt"),
            src.resolve("dir/data.bin"))) {
      java.nio.file.attribute.PosixFileAttributeView view =
          Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class);
      view.setOwner(lookup.lookupPrincipalByName("postgres"));
      view.setGroup(lookup.lookupPrincipalByGroupName("postgres"));
    }
    ArchivePosixTest.chmod(src, "rwx------");
    ArchivePosixTest.chmod(src.resolve("dir"), "rwxr-x---");
    ArchivePosixTest.chmod(src.resolve("dir/empty"), "r-x------");
    ArchivePosixTest.chmod(src.resolve("hello.txt"), "rw-r-----");
    ArchivePosixTest.chmod(src.resolve("dir/data.bin"), "rw-------");
    return src;
  }

  static FileSystem posixVectorFileSystem() {
    return Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix").build());
  }

  /**
   * Known answer for the manifest's optional fields: the writer gives exactly the committed archive
   * {@code vectors/posix.coffer}, whose manifest is exactly {@code vectors/posix-manifest.json},
   * and the committed archive restores modes, owners and the link.
   */
  @Test
  void posixVector_writerProducesTheCommittedBytes_andTheyRestoreModesOwnersAndLinks()
      throws IOException {
    FileSystem fs = posixVectorFileSystem();
    Path src = posixVectorSource(fs);
    Path repoDir = TestSupport.root(fs).resolve("repo");
    try (ArchiveRepository repo =
        TestSupport.deterministic(
            repoDir, options("encrypted"), 2026, ID, Format.DEFAULT_CHUNK_SIZE)) {
      repo.backup(src);
    }
    byte[] actual = Files.readAllBytes(repoDir.resolve(ID + ".coffer"));
    Manifest manifest = ArchivePosixTest.manifestOf(repoDir.resolve(ID + ".coffer"), ID);
    byte[] json = ManifestCodec.encode(manifest);
    String out = System.getProperty("coffer.writeVectors");
    if (out != null) {
      Path dir = Path.of(out); // test-only: the developer's disk
      Files.createDirectories(dir);
      Files.write(dir.resolve("posix.coffer"), actual);
      Files.write(dir.resolve("posix-manifest.json"), json);
    }
    assertArrayEquals(
        resource("posix-manifest.json"), json, "manifest differs from the committed vector");
    byte[] expected = resource("posix.coffer");
    assertArrayEquals(expected, actual, "archive bytes differ from the committed vector posix");
    assertEquals("0750", manifest.posix().get("dir").mode());
    assertEquals("postgres", manifest.posix().get(Manifest.ROOT).owner());
    assertEquals(List.of(new Manifest.Link("dir/link", "../hello.txt")), manifest.links());

    FileSystem other = posixVectorFileSystem();
    Path repo2 = TestSupport.root(other).resolve("repo");
    try (ArchiveRepository repo = TestSupport.open(repo2, options("encrypted"))) {
      Files.write(repo2.resolve(ID + ".coffer"), expected);
      Path target = TestSupport.root(other).resolve("out");
      repo.restore(BackupId.of(ID), target);
      assertEquals(ArchivePosixTest.modes(src), ArchivePosixTest.modes(target));
      assertEquals("postgres", Files.getOwner(target).getName());
      assertEquals("postgres", Files.getOwner(target.resolve("dir/data.bin")).getName());
      assertEquals("../hello.txt", Files.readSymbolicLink(target.resolve("dir/link")).toString());
      assertEquals(Snapshot.of(src), Snapshot.of(target));
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = KnownAnswerTest.class.getResourceAsStream("/vectors/" + name)) {
      assertNotNull(in, "missing vector " + name);
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"encrypted", "signed", "plain", "passphrase"})
  void writer_producesTheCommittedVector_andReaderRestoresIt(String vector) throws IOException {
    FileSystem fs = TestSupport.jimfs("unix");
    Path src = vectorSource(fs);
    Path repoDir = TestSupport.root(fs).resolve("repo");
    try (ArchiveRepository repo =
        TestSupport.deterministic(repoDir, options(vector), 2026, ID, chunkSize(vector))) {
      repo.backup(src);
    }
    byte[] actual = Files.readAllBytes(repoDir.resolve(ID + ".coffer"));
    String out = System.getProperty("coffer.writeVectors");
    if (out != null) {
      Path dir = Path.of(out); // test-only: the developer's disk
      Files.createDirectories(dir);
      Files.write(dir.resolve(vector + ".coffer"), actual);
    }
    byte[] expected;
    try (InputStream in =
        KnownAnswerTest.class.getResourceAsStream("/vectors/" + vector + ".coffer")) {
      assertNotNull(in, "missing vector " + vector);
      expected = in.readAllBytes();
    }
    assertArrayEquals(expected, actual, "archive bytes differ from the committed vector " + vector);

    // the committed bytes, read by a fresh repository, restore the source exactly
    Path other = TestSupport.root(fs).resolve("other");
    try (ArchiveRepository repo = TestSupport.open(other, options(vector))) {
      Files.write(other.resolve(ID + ".coffer"), expected);
      repo.restore(BackupId.of(ID), TestSupport.root(fs).resolve("out"));
      assertEquals(Snapshot.of(src), Snapshot.of(TestSupport.root(fs).resolve("out")));
      assertEquals(TestSupport.T0, repo.find(BackupId.of(ID)).orElseThrow().createdAt());
    }
  }
}
