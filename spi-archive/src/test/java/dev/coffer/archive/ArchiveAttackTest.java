package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.luben.zstd.Zstd;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every tampering fails with CorruptBackupException or WrongKeyException, and writes nothing
 * visible.
 */
class ArchiveAttackTest {

  private static final String ID = "victim";
  private static final int CHUNK = Format.MIN_CHUNK_SIZE;

  private FileSystem fs;
  private Path repoDir;
  private Path src;
  private byte[] original;

  @BeforeEach
  void setUp() throws IOException {
    // POSIX views and a link: the manifest's optional fields get every byte flipped and cut too
    fs = ArchivePosixTest.posixJimfs("unix");
    Path root = TestSupport.root(fs);
    src = root.resolve("src");
    Files.createDirectories(src.resolve("d/empty"));
    byte[] rnd = new byte[1500];
    new Random(1).nextBytes(rnd);
    Files.write(src.resolve("d/random.bin"), rnd);
    TestSupport.write(src.resolve("a.txt"), "alpha ".repeat(50));
    Files.createSymbolicLink(src.resolve("d/link"), fs.getPath("../a.txt"));
    ArchivePosixTest.chmod(src.resolve("d/random.bin"), "rw-------");
    repoDir = root.resolve("repo");
    original = archive(src, 1);
    repo().close(); // creates the repository the tests plant archives into
  }

  private byte[] archive(Path source, long seed) throws IOException {
    Path dir = TestSupport.root(fs).resolve("make-" + seed + "-" + System.nanoTime());
    try (ArchiveRepository r =
        TestSupport.deterministic(
            dir, TestSupport.keyOptions(TestSupport.KEY_HEX), seed, ID, CHUNK)) {
      r.backup(source);
    }
    return Files.readAllBytes(dir.resolve(ID + ".coffer"));
  }

  private ArchiveRepository repo() throws IOException {
    return TestSupport.open(repoDir, TestSupport.keyOptions(TestSupport.KEY_HEX));
  }

  private void plant(byte[] archive) throws IOException {
    Files.createDirectories(repoDir);
    Files.write(repoDir.resolve(ID + ".coffer"), archive);
  }

  /** Restore and verify must both refuse the planted archive, leaving no visible trace. */
  private void assertRefused(ArchiveRepository repo, String what) throws IOException {
    Path target = TestSupport.root(fs).resolve("out");
    List<String> before = TestSupport.names(TestSupport.root(fs));
    try {
      repo.restore(BackupId.of(ID), target);
      fail("restore accepted " + what);
    } catch (CorruptBackupException | WrongKeyException expected) {
      // refused
    }
    assertFalse(Files.exists(target), what);
    assertEquals(before, TestSupport.names(TestSupport.root(fs)), what);
    try {
      VerifyReport report = repo.verify(BackupId.of(ID));
      assertFalse(report.ok(), "verify accepted " + what);
    } catch (WrongKeyException expected) {
      // a tampered header can only be told apart from a wrong key by the commitment
    }
  }

  @Test
  void intactArchive_restoresAndVerifies() throws IOException {
    plant(original);
    try (ArchiveRepository repo = repo()) {
      assertTrue(repo.verify(BackupId.of(ID)).ok());
      repo.restore(BackupId.of(ID), TestSupport.root(fs).resolve("out"));
      assertEquals(Snapshot.of(src), Snapshot.of(TestSupport.root(fs).resolve("out")));
      assertEquals(
          ArchivePosixTest.modes(src), ArchivePosixTest.modes(TestSupport.root(fs).resolve("out")));
      assertTrue(original.length > 2 * (CHUNK + 16), "the archive must span several chunks");
    }
  }

  @Test
  void truncationAtEveryByteOffset_isRefused() throws IOException {
    try (ArchiveRepository repo = repo()) {
      for (int len = 0; len < original.length; len++) {
        plant(Arrays.copyOf(original, len));
        assertRefused(repo, "truncation to " + len + " bytes");
      }
    }
  }

  @Test
  void flippedBitAtEveryByte_isRefused() throws IOException {
    try (ArchiveRepository repo = repo()) {
      for (int i = 0; i < original.length; i++) {
        byte[] copy = original.clone();
        copy[i] ^= (byte) (1 << (i % 8));
        plant(copy);
        assertRefused(repo, "bit flip at byte " + i);
      }
    }
  }

  @Test
  void appendedBytes_areRefused() throws IOException {
    try (ArchiveRepository repo = repo()) {
      for (int extra : new int[] {1, 16, CHUNK + 16, CHUNK + 17}) {
        plant(Arrays.copyOf(original, original.length + extra));
        assertRefused(repo, extra + " appended bytes");
      }
    }
  }

  private int headerLength() {
    return ArchiveHeader.FIXED_PREFIX + ID.length() + ArchiveHeader.COMMITMENT_LENGTH;
  }

  private List<byte[]> chunks(byte[] archive) {
    List<byte[]> out = new ArrayList<>();
    for (int at = headerLength(); at < archive.length; at += CHUNK + 16) {
      out.add(Arrays.copyOfRange(archive, at, Math.min(archive.length, at + CHUNK + 16)));
    }
    return out;
  }

  private byte[] assemble(byte[] headerSource, List<byte[]> chunks) {
    ByteBuffer b =
        ByteBuffer.allocate(headerLength() + chunks.stream().mapToInt(c -> c.length).sum());
    b.put(headerSource, 0, headerLength());
    chunks.forEach(b::put);
    return b.array();
  }

  @Test
  void chunkSwapDropAndDuplicate_areRefused() throws IOException {
    List<byte[]> c = chunks(original);
    assertTrue(c.size() >= 3);
    try (ArchiveRepository repo = repo()) {
      List<byte[]> swapped = new ArrayList<>(c);
      swapped.set(0, c.get(1));
      swapped.set(1, c.get(0));
      plant(assemble(original, swapped));
      assertRefused(repo, "swapped chunks");

      List<byte[]> dropped = new ArrayList<>(c);
      dropped.remove(1);
      plant(assemble(original, dropped));
      assertRefused(repo, "dropped chunk");

      List<byte[]> droppedLast = new ArrayList<>(c.subList(0, c.size() - 1));
      plant(assemble(original, droppedLast));
      assertRefused(repo, "dropped final chunk");

      List<byte[]> dup = new ArrayList<>(c);
      dup.add(1, c.get(0));
      plant(assemble(original, dup));
      assertRefused(repo, "duplicated chunk");

      List<byte[]> dupLast = new ArrayList<>(c);
      dupLast.add(c.get(c.size() - 1));
      plant(assemble(original, dupLast));
      assertRefused(repo, "duplicated final chunk");
    }
  }

  @Test
  void splicingTwoArchivesUnderOneKey_atEveryChunkBoundary_isRefused() throws IOException {
    // the same source, id and key, another salt: every chunk boundary is a possible splice point
    byte[] other = archive(src, 2);
    List<byte[]> a = chunks(original);
    List<byte[]> b = chunks(other);
    assertEquals(a.size(), b.size());
    try (ArchiveRepository repo = repo()) {
      for (int k = 0; k <= a.size(); k++) {
        List<byte[]> mixed = new ArrayList<>(a.subList(0, k));
        mixed.addAll(b.subList(k, b.size()));
        plant(assemble(original, mixed));
        if (k < a.size()) {
          assertRefused(repo, "splice at chunk " + k);
        }
        List<byte[]> mixed2 = new ArrayList<>(b.subList(0, k));
        mixed2.addAll(a.subList(k, a.size()));
        plant(assemble(original, mixed2));
        if (k > 0) {
          assertRefused(repo, "reverse splice at chunk " + k);
        }
      }
    }
  }

  @Test
  void everyHeaderFieldEdited_isRefused() throws IOException {
    int[][] fields = { // offset, length
      {0, 8},
      {8, 2},
      {10, 1},
      {11, 1},
      {12, 4},
      {16, 4},
      {20, 4},
      {24, 32},
      {56, 32},
      {88, 4},
      {92, 1},
      {93, ID.length()},
      {93 + ID.length(), 32}
    };
    try (ArchiveRepository repo = repo()) {
      for (int[] f : fields) {
        for (int value : new int[] {0x00, 0x01, 0x02, 0x03, 0xFF}) {
          byte[] copy = original.clone();
          Arrays.fill(copy, f[0], f[0] + f[1], (byte) value);
          if (Arrays.equals(copy, original)) {
            continue;
          }
          plant(copy);
          assertRefused(repo, "header field at " + f[0] + " set to " + value);
        }
      }
      byte[] signed = original.clone();
      signed[10] = (byte) Mode.SIGNED.code;
      plant(signed);
      assertThrows(
          WrongKeyException.class,
          () -> repo.restore(BackupId.of(ID), TestSupport.root(fs).resolve("out")));
      byte[] plain = original.clone();
      plain[10] = (byte) Mode.PLAIN.code;
      plant(plain);
      assertThrows(
          CorruptBackupException.class,
          () -> repo.restore(BackupId.of(ID), TestSupport.root(fs).resolve("out")));
    }
  }

  @Test
  void hugeArgon2Parameters_areRefusedBeforeRunning() throws IOException {
    Map<String, String> o = TestSupport.passphraseOptions("pw");
    Path dir = TestSupport.root(fs).resolve("pw-repo");
    try (ArchiveRepository r = TestSupport.deterministic(dir, o, 3, ID, CHUNK)) {
      r.backup(src);
    }
    byte[] archive = Files.readAllBytes(dir.resolve(ID + ".coffer"));
    int[][] edits = {{12, 0x7FFFFFFF}, {16, 1_000_000}, {20, 255}, {12, 0}};
    for (int[] e : edits) {
      byte[] copy = archive.clone();
      ByteBuffer.wrap(copy).putInt(e[0], e[1]);
      Files.write(dir.resolve(ID + ".coffer"), copy);
      try (ArchiveRepository r = TestSupport.open(dir, o)) {
        CorruptBackupException ex =
            assertThrows(
                CorruptBackupException.class,
                () -> r.restore(BackupId.of(ID), TestSupport.root(fs).resolve("out")));
        assertTrue(ex.getMessage().contains("Argon2"), ex.getMessage());
      }
    }
    assertFalse(Files.exists(TestSupport.root(fs).resolve("out")));
  }

  private static byte[] sha(byte[] data) {
    return ArchiveHeader.sha256(data);
  }

  private void assertForgedRefused(ArchiveForge.Body body, String what) throws IOException {
    plant(ArchiveForge.forge(ID, TestSupport.KEY_HEX, body));
    try (ArchiveRepository repo = repo()) {
      assertRefused(repo, what);
    }
  }

  @Test
  void oversizedPathAndPayloadLengths_areRefusedBeforeAllocation() throws IOException {
    byte[] data = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Manifest m =
        ArchiveForge.manifest(
            ID,
            List.of(),
            List.of(new Manifest.FileEntry("file.bin", 1, 0, FileHasher.hex(sha(data)), ID, 0)));
    assertForgedRefused(
        (out, keys) -> {
          out.writeU8(Format.REC_FILE);
          out.writeU16(Format.MAX_PATH_BYTES + 1);
          out.write(new byte[Format.MAX_PATH_BYTES + 1]);
          ArchiveForge.manifestAndFooter(out, keys, m);
        },
        "oversized path length");
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.pathRecord(out, Format.REC_FILE, "file.bin");
          out.writeU32(Format.MAX_BLOCK_SIZE + 1);
          out.writeU8(Format.CODEC_RAW);
          out.writeU32(1);
          out.write(data);
          ArchiveForge.manifestAndFooter(out, keys, m);
        },
        "oversized block length");
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.pathRecord(out, Format.REC_FILE, "file.bin");
          out.writeU32(1);
          out.writeU8(Format.CODEC_RAW);
          out.writeU32(0xFFFFFFF0L);
          out.write(data);
          ArchiveForge.manifestAndFooter(out, keys, m);
        },
        "oversized stored length");
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.fileRecord(out, "file.bin", 1, Format.CODEC_RAW, data, sha(data));
          long at = out.position();
          out.writeU8(Format.REC_MANIFEST);
          out.writeU32(0x7FFFFFFFL);
          out.write(new byte[40]);
          out.writeU8(Format.REC_FOOTER);
          out.writeU64(at);
          out.write(Format.FOOTER_MAGIC);
        },
        "oversized manifest length");
  }

  /**
   * A file record holding far more than the size its manifest declares (a keyholder's forgery) is
   * cut at the declared size: the restore fails naming both sizes, and the reader hands the writer
   * no byte past it.
   */
  @Test
  void aFileRecordLargerThanItsManifestSize_stopsAtTheDeclaredSize() throws IOException {
    byte[] block = new byte[Format.MAX_BLOCK_SIZE];
    new Random(3).nextBytes(block);
    int blocks = 8;
    java.security.MessageDigest whole;
    try {
      whole = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    for (int i = 0; i < blocks; i++) {
      whole.update(block);
    }
    byte[] sha = whole.digest();
    Manifest m =
        ArchiveForge.manifest(
            ID,
            List.of(),
            List.of(new Manifest.FileEntry("big.bin", 1, 0, FileHasher.hex(sha), ID, 0)));
    plant(
        ArchiveForge.forge(
            ID,
            TestSupport.KEY_HEX,
            (out, keys) -> {
              ArchiveForge.pathRecord(out, Format.REC_FILE, "big.bin");
              for (int i = 0; i < blocks; i++) {
                out.writeU32(block.length);
                out.writeU8(Format.CODEC_RAW);
                out.writeU32(block.length);
                out.write(block);
              }
              out.writeU32(0);
              out.write(sha);
              ArchiveForge.manifestAndFooter(out, keys, m);
            }));
    try (ArchiveRepository repo = repo()) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class,
              () -> repo.restore(BackupId.of(ID), TestSupport.root(fs).resolve("out")));
      assertTrue(
          e.getMessage().contains("size mismatch")
              && e.getMessage().contains("manifest says 1 bytes"),
          e.getMessage());
      assertFalse(Files.exists(TestSupport.root(fs).resolve("out")));
      assertFalse(repo.verify(BackupId.of(ID)).ok());
    }
    long[] handedOut = new long[1];
    try (ArchiveReader r =
        ArchiveReader.open(
            repoDir.resolve(ID + ".coffer"),
            ID,
            Keyring.rawKey(ArchiveForge.key(TestSupport.KEY_HEX)),
            GcmWarmupSwitch.OFF)) {
      assertThrows(
          CorruptBackupException.class,
          () -> r.readFile(0, "big.bin", 1, raw -> handedOut[0] += raw.length));
    }
    assertEquals(0, handedOut[0], "bytes handed to the writer past the declared size");
  }

  @Test
  void decompressionBomb_isRefused() throws IOException {
    byte[] zeros = new byte[Format.MAX_BLOCK_SIZE];
    byte[] bomb = Zstd.compress(zeros, 3);
    byte[] small = Zstd.compress(new byte[10], 3);
    // claims 1000 bytes, expands to 1 MiB
    Manifest m1 =
        ArchiveForge.manifest(
            ID,
            List.of(),
            List.of(
                new Manifest.FileEntry("f", 1000, 0, FileHasher.hex(sha(new byte[1000])), ID, 0)));
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.fileRecord(out, "f", 1000, Format.CODEC_ZSTD, bomb, sha(new byte[1000]));
          ArchiveForge.manifestAndFooter(out, keys, m1);
        },
        "block expanding past its declared size");
    // claims 1 MiB, expands to 10 bytes
    Manifest m2 =
        ArchiveForge.manifest(
            ID,
            List.of(),
            List.of(
                new Manifest.FileEntry(
                    "f", Format.MAX_BLOCK_SIZE, 0, FileHasher.hex(sha(zeros)), ID, 0)));
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.fileRecord(
              out, "f", Format.MAX_BLOCK_SIZE, Format.CODEC_ZSTD, small, sha(zeros));
          ArchiveForge.manifestAndFooter(out, keys, m2);
        },
        "block shorter than its declared size");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../evil",
        "/abs",
        "a\\b",
        "C:x",
        "con",
        "nul.txt",
        "a\u0001b",
        "e\u0301",
        "trail.",
        "a/../b",
        "",
        "./a"
      })
  void hostilePathInManifest_isRefusedBeforeWriting(String hostile) throws IOException {
    byte[] data = "evil".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Manifest m =
        ArchiveForge.manifest(
            ID,
            List.of(),
            List.of(
                new Manifest.FileEntry(hostile, data.length, 0, FileHasher.hex(sha(data)), ID, 0)));
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.fileRecord(
              out,
              hostile.isEmpty() ? "x" : hostile,
              data.length,
              Format.CODEC_RAW,
              data,
              sha(data));
          ArchiveForge.manifestAndFooter(out, keys, m);
        },
        "hostile path " + hostile);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fileDirConflict", "fileUnderFile", "duplicate", "recordPathMismatch"})
  void collidingOrInconsistentPaths_areRefusedBeforeWriting(String kind) throws IOException {
    byte[] data = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    String h = FileHasher.hex(sha(data));
    List<String> dirs = new ArrayList<>();
    List<Manifest.FileEntry> files = new ArrayList<>();
    List<String> records = new ArrayList<>();
    switch (kind) {
      case "fileDirConflict" -> {
        dirs.add("a");
        files.add(new Manifest.FileEntry("b", 1, 0, h, ID, 0));
        dirs.add("b");
      }
      case "fileUnderFile" -> {
        files.add(new Manifest.FileEntry("x", 1, 0, h, ID, 0));
        files.add(new Manifest.FileEntry("x/b", 1, 0, h, ID, 0));
      }
      case "duplicate" -> {
        dirs.add("d");
        dirs.add("d");
      }
      default -> {
        files.add(new Manifest.FileEntry("good", 1, 0, h, ID, 0));
        records.add("bad");
      }
    }
    String recordPath = records.isEmpty() ? "x" : records.get(0);
    Manifest m =
        new Manifest(
            Manifest.FORMAT,
            ID,
            TestSupport.T0.toString(),
            "FULL",
            null,
            null,
            "/src",
            "archive",
            "1",
            Map.of(),
            files.size(),
            files.size(),
            dirs,
            files,
            List.of());
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.fileRecord(out, recordPath, 1, Format.CODEC_RAW, data, sha(data));
          ArchiveForge.manifestAndFooter(out, keys, m);
        },
        kind);
  }

  /**
   * Hostile links in an authentic manifest: each would make a restore write through a link or
   * outside the target if it were honoured, so each is refused before anything is written.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "fileBelowLink",
        "dirBelowLink",
        "linkNamedLikeDirectory",
        "linkNamedLikeFile",
        "dotDotInLinkName",
        "absoluteLinkName",
        "linkTwice",
        "emptyTarget",
        "nulInTarget",
        "linkUnderMissingParent"
      })
  void hostileLinkEntries_areRefusedBeforeWriting(String kind) throws IOException {
    byte[] data = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    String h = FileHasher.hex(sha(data));
    List<String> dirs = new ArrayList<>();
    List<Manifest.FileEntry> files = new ArrayList<>();
    List<Manifest.Link> links = new ArrayList<>();
    String outside = TestSupport.root(fs).resolve("outside").toString();
    String fileRecord = "x";
    switch (kind) {
      case "fileBelowLink" -> { // restoring l/x would write into the link's target
        links.add(new Manifest.Link("l", outside));
        files.add(new Manifest.FileEntry("l/x", 1, 0, h, ID, 0));
        fileRecord = "l/x";
      }
      case "dirBelowLink" -> {
        links.add(new Manifest.Link("l", outside));
        dirs.add("l/sub");
      }
      case "linkNamedLikeDirectory" -> { // the link would replace a directory holding a file
        dirs.add("d");
        links.add(new Manifest.Link("d", outside));
        files.add(new Manifest.FileEntry("d/x", 1, 0, h, ID, 0));
        fileRecord = "d/x";
      }
      case "linkNamedLikeFile" -> {
        files.add(new Manifest.FileEntry("x", 1, 0, h, ID, 0));
        links.add(new Manifest.Link("x", outside));
      }
      case "dotDotInLinkName" -> links.add(new Manifest.Link("../escape", "x"));
      case "absoluteLinkName" -> links.add(new Manifest.Link(outside + "/planted", "x"));
      case "linkTwice" -> {
        links.add(new Manifest.Link("l", "a"));
        links.add(new Manifest.Link("l", outside));
      }
      case "emptyTarget" -> links.add(new Manifest.Link("l", ""));
      case "nulInTarget" -> links.add(new Manifest.Link("l", "a\u0000b"));
      default -> links.add(new Manifest.Link("missing/l", "x"));
    }
    String recordPath = fileRecord;
    Manifest m =
        new Manifest(
            Manifest.FORMAT,
            ID,
            TestSupport.T0.toString(),
            "FULL",
            null,
            null,
            "/src",
            "archive",
            "1",
            Map.of(),
            files.size(),
            files.size(),
            dirs,
            files,
            List.of(),
            links,
            null,
            null);
    Files.createDirectories(TestSupport.root(fs).resolve("outside"));
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.fileRecord(out, recordPath, 1, Format.CODEC_RAW, data, sha(data));
          ArchiveForge.manifestAndFooter(out, keys, m);
        },
        kind);
    assertEquals(List.of(), TestSupport.names(TestSupport.root(fs).resolve("outside")), kind);
  }

  /**
   * Attributes for paths outside the backup, or malformed ones, in an authentic manifest: refused
   * before writing.
   */
  @ParameterizedTest
  @ValueSource(strings = {"../escape", "/abs", "nowhere", "x/../x", "badMode", "badOwner", "badId"})
  void hostileAttributeEntries_areRefusedBeforeWriting(String kind) throws IOException {
    byte[] data = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Manifest.Posix good = new Manifest.Posix("0600", 0, 0, "root", "root");
    Manifest.Posix attrs =
        switch (kind) {
          case "badMode" -> new Manifest.Posix("10600", 0, 0, "root", "root");
          case "badOwner" -> new Manifest.Posix("0600", 0, 0, "../root", "root");
          case "badId" -> new Manifest.Posix("0600", -5, 0, "root", "root");
          default -> good;
        };
    String key = kind.startsWith("bad") ? "x" : kind;
    Manifest m =
        new Manifest(
            Manifest.FORMAT,
            ID,
            TestSupport.T0.toString(),
            "FULL",
            null,
            null,
            "/src",
            "archive",
            "1",
            Map.of(),
            1,
            1,
            List.of(),
            List.of(new Manifest.FileEntry("x", 1, 0, FileHasher.hex(sha(data)), ID, 0)),
            List.of(),
            null,
            key.equals("x") ? Map.of("x", attrs) : Map.of("x", good, key, attrs),
            null);
    assertForgedRefused(
        (out, keys) -> {
          ArchiveForge.fileRecord(out, "x", 1, Format.CODEC_RAW, data, sha(data));
          ArchiveForge.manifestAndFooter(out, keys, m);
        },
        kind);
  }

  @Test
  void authenticLinkToOutside_isRestoredAsALinkAndNothingIsWrittenThroughIt() throws IOException {
    Path outside = Files.createDirectories(TestSupport.root(fs).resolve("outside"));
    byte[] data = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Manifest m =
        new Manifest(
            Manifest.FORMAT,
            ID,
            TestSupport.T0.toString(),
            "FULL",
            null,
            null,
            "/src",
            "archive",
            "1",
            Map.of(),
            1,
            1,
            List.of("d"),
            List.of(new Manifest.FileEntry("d/x", 1, 0, FileHasher.hex(sha(data)), ID, 0)),
            List.of(),
            List.of(
                new Manifest.Link("a-link", outside.toString()),
                new Manifest.Link("d/up", "../..")),
            null,
            null);
    plant(
        ArchiveForge.forge(
            ID,
            TestSupport.KEY_HEX,
            (out, keys) -> {
              ArchiveForge.fileRecord(out, "d/x", 1, Format.CODEC_RAW, data, sha(data));
              ArchiveForge.manifestAndFooter(out, keys, m);
            }));
    Path target = TestSupport.root(fs).resolve("out");
    try (ArchiveRepository repo = repo()) {
      repo.restore(BackupId.of(ID), target);
    }
    assertEquals(outside.toString(), Files.readSymbolicLink(target.resolve("a-link")).toString());
    assertEquals("../..", Files.readSymbolicLink(target.resolve("d/up")).toString());
    assertArrayEquals(data, Files.readAllBytes(target.resolve("d/x")));
    assertEquals(List.of(), TestSupport.names(outside));
  }

  @Test
  void manifestWithUnknownFieldOrDuplicateKey_isRefusedEvenWithValidMac() throws IOException {
    Manifest m = ArchiveForge.manifest(ID, List.of(), List.of());
    String json = new String(ManifestCodec.encode(m), java.nio.charset.StandardCharsets.UTF_8);
    for (String bad :
        List.of(
            json.replace("{\"format\"", "{\"extra\":1,\"format\""),
            json.replace("{\"format\"", "{\"backup_id\":\"" + ID + "\",\"format\""),
            json + " {}",
            "null",
            "[]")) {
      byte[] b = bad.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertForgedRefused(
          (out, keys) -> {
            ArchiveForge.pathRecord(out, Format.REC_DIR, "d");
            ArchiveForge.manifestAndFooter(out, keys, b);
          },
          "manifest " + bad);
    }
  }

  @Test
  void plantedSymlinkInReplaceTarget_isNeverWrittenThrough(@TempDir Path disk) throws IOException {
    Path source = TestSupport.sampleSource(disk.resolve("src"));
    Path outside = disk.resolve("outside");
    Files.createDirectories(outside);
    TestSupport.write(outside.resolve("keep"), "outside");
    Path target = disk.resolve("target");
    Files.createDirectories(target);
    Files.createSymbolicLink(target.resolve("wal_tail"), outside);
    try (ArchiveRepository repo =
        TestSupport.open(disk.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(source);
      repo.restore(RestoreRequest.of(md.id(), target).withMode(RestoreMode.REPLACE));
      assertEquals(Set.of("keep"), Snapshot.of(outside).entries().keySet());
      assertEquals(Snapshot.of(source), Snapshot.of(target));
      // a link as the target itself is refused
      Path linkTarget = disk.resolve("link-target");
      Files.createSymbolicLink(linkTarget, outside);
      assertThrows(
          IOException.class,
          () -> repo.restore(RestoreRequest.of(md.id(), linkTarget).withMode(RestoreMode.REPLACE)));
      assertEquals(List.of("keep"), TestSupport.names(outside));
    }
  }

  @Test
  void failureInjectedMidRestore_leavesTheOldTargetIntactAndNoStaging(@TempDir Path disk)
      throws IOException {
    Path source = TestSupport.sampleSource(disk.resolve("src"));
    Path target = disk.resolve("target");
    Files.createDirectories(target);
    TestSupport.write(target.resolve("old"), "old content");
    try (ArchiveRepository repo =
        TestSupport.open(disk.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(source);
      List<String> before = TestSupport.names(disk);
      RestoreRequest failing =
          RestoreRequest.of(md.id(), target)
              .withMode(RestoreMode.REPLACE)
              .withProgress(
                  p -> {
                    if (p.filesDone() == 2) {
                      throw new IllegalStateException("injected failure");
                    }
                  });
      assertThrows(IllegalStateException.class, () -> repo.restore(failing));
      assertEquals(List.of("old"), TestSupport.names(target));
      assertEquals(before, TestSupport.names(disk));
    }
  }

  @Test
  void incrementalOverTamperedBase_isRefused() throws IOException {
    try (ArchiveRepository repo =
        TestSupport.open(repoDir, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata full = repo.backup(src);
      TestSupport.write(src.resolve("n"), "n");
      BackupMetadata inc = repo.backup(BackupRequest.incremental(src, full.id()));
      Path baseFile = repoDir.resolve(full.backupId() + ".coffer");
      byte[] b = Files.readAllBytes(baseFile);
      b[b.length - 1] ^= 1;
      Files.write(baseFile, b);
      assertThrows(
          CorruptBackupException.class,
          () -> repo.restore(inc.id(), TestSupport.root(fs).resolve("o")));
      assertFalse(repo.verify(inc.id()).ok());
      assertFalse(Files.exists(TestSupport.root(fs).resolve("o")));
      assertArrayEquals(b, Files.readAllBytes(baseFile), "verify must not modify anything");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"signed", "plain"})
  void flippedBits_inSignedAndPlainArchives_areRefused(String mode) throws IOException {
    Map<String, String> o =
        mode.equals("plain")
            ? TestSupport.plainOptions()
            : TestSupport.keyOptions(TestSupport.KEY_HEX);
    if (mode.equals("signed")) {
      o.put("mode", "signed");
    }
    Path dir = TestSupport.root(fs).resolve(mode + "-repo");
    try (ArchiveRepository r = TestSupport.deterministic(dir, o, 4, ID, CHUNK)) {
      r.backup(src);
    }
    byte[] archive = Files.readAllBytes(dir.resolve(ID + ".coffer"));
    Path target = TestSupport.root(fs).resolve("out");
    try (ArchiveRepository r = TestSupport.open(dir, o)) {
      for (int i = 0; i < archive.length; i += 3) {
        byte[] copy = archive.clone();
        copy[i] ^= (byte) (1 << (i % 8));
        Files.write(dir.resolve(ID + ".coffer"), copy);
        try {
          r.restore(BackupId.of(ID), target);
          fail(mode + " archive accepted a bit flip at byte " + i);
        } catch (CorruptBackupException | WrongKeyException expected) {
          // refused
        }
        assertFalse(Files.exists(target));
      }
    }
  }
}
