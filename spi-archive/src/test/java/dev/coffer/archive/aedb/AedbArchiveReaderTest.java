package dev.coffer.archive.aedb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.luben.zstd.Zstd;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import dev.coffer.CorruptBackupException;
import dev.coffer.RestoreMode;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreStaging;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AedbArchiveReaderTest {

  /** The 14 entries of both fixture archives, in archive order (FIXTURE-INFO.md). */
  static final List<String> FIXTURE_ENTRIES =
      List.of(
          "B.txt",
          "a-b.txt",
          "a.txt",
          "a/b.txt",
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

  static final byte[] KEY = filled(0x09);
  static final byte[] WRONG_KEY = filled(0x07);
  static final AedbReadOptions DEFAULTS = AedbReadOptions.defaults();

  /**
   * The reader holds keys as {@link SecretBytes}; the fixtures keep raw bytes to write archives
   * with.
   */
  static SecretBytes secret(byte[] key) {
    return key == null ? null : new SecretBytes(key);
  }

  @TempDir Path tempDir;
  private final List<FileSystem> opened = new ArrayList<>();
  private Path work;

  @BeforeEach
  void setUp() throws IOException {
    work = root("unix", tempDir, opened);
  }

  @AfterEach
  void closeFileSystems() throws IOException {
    for (FileSystem fs : opened) {
      fs.close();
    }
  }

  static Stream<String> fileSystems() {
    return Stream.of("unix", "osx", "windows", "disk");
  }

  // ---------------------------------------------------------------------------------------------------
  // Known answers

  @ParameterizedTest
  @MethodSource("fileSystems")
  void plainFixture_extractsAllFourteenFilesByteIdenticalInOrder(String fs) throws IOException {
    Path root = root(fs, tempDir, opened);
    Path archive = copyResource("aedb-plain.aedbarc", root);
    Path out = Files.createDirectory(root.resolve("out"));
    AedbReadResult result;
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "aedb-plain", null, DEFAULTS)) {
      assertFalse(reader.encrypted());
      assertEquals(FIXTURE_ENTRIES, reader.entries().stream().map(AedbEntry::path).toList());
      result = reader.extractTo(out, p -> true, null);
    }
    assertMatchesSource(out);
    assertEquals(14, result.files());
    assertEquals(3151112, result.bytes());
    assertEquals(
        "b2bdb93921c7b5e49dd1b8434882bb6682bee14a11d566e88a7ec8dcf5c9883d",
        result.sha256().get("large/big-3MiB.bin"));
    assertTrue(result.manifest().isEmpty());
  }

  @ParameterizedTest
  @MethodSource("fileSystems")
  void encryptedFixture_withItsKey_extractsAllFourteenFilesByteIdentical(String fs)
      throws IOException {
    Path root = root(fs, tempDir, opened);
    Path archive = copyResource("aedb-encrypted.aedbarc", root);
    Path out = Files.createDirectory(root.resolve("out"));
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(archive, "aedb-encrypted", secret(KEY), DEFAULTS)) {
      assertTrue(reader.encrypted());
      assertEquals(FIXTURE_ENTRIES, reader.entries().stream().map(AedbEntry::path).toList());
      assertEquals(1576283, reader.entries().get(8).payloadBytes());
      AedbReadResult result = reader.extractTo(out, p -> true, null);
      assertEquals(3151112, result.bytes());
    }
    assertMatchesSource(out);
  }

  @Test
  void sinkReadingOneByteAtATime_seesTheSameBytesWithUnboundedOutputLimit() throws IOException {
    Path archive = copyResource("aedb-plain.aedbarc", work);
    Map<String, String> seen = new LinkedHashMap<>();
    AedbReadOptions unbounded = DEFAULTS.withMaxTotalOutputBytes(Long.MAX_VALUE);
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "plain", null, unbounded)) {
      AedbReadResult result =
          reader.read(
              p -> !p.startsWith("large/"),
              (entry, in) -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int b; (b = in.read()) >= 0; ) {
                  bytes.write(b);
                }
                seen.put(
                    entry.path(),
                    AedbManifest.sha256Hex(new java.io.ByteArrayInputStream(bytes.toByteArray())));
              },
              null);
      assertEquals(13, seen.size());
      seen.forEach((path, sha) -> assertEquals(result.sha256().get(path), sha, path));
    }
  }

  @Test
  void deriveNonce_matchesTheSeedsNoncesOfTheEncryptedFixture() throws IOException {
    byte[] archive = resourceBytes("aedb-encrypted.aedbarc");
    byte[] salt = Arrays.copyOfRange(archive, 9, 25);
    assertEquals("ebcc2d6b3abc41968778b592de6e3dcc", HexFormat.of().formatHex(salt));
    Blake3Digest blake3 = new Blake3Digest();
    assertEquals(
        "3fd7d2e3a98f838924972bd4",
        HexFormat.of()
            .formatHex(
                AedbFormat.deriveNonce(blake3, salt, 0, "B.txt".getBytes(StandardCharsets.UTF_8))));
    assertEquals(
        "84ce65d695d40b8b9715338a",
        HexFormat.of()
            .formatHex(
                AedbFormat.deriveNonce(
                    blake3, salt, 13, "ünïcödé/日本語ファイル.txt".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void partialExtract_writesOnlySelectedFilesButChecksEveryEntry() throws IOException {
    Path archive = copyResource("aedb-encrypted.aedbarc", work);
    Path out = Files.createDirectory(work.resolve("out"));
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "enc", secret(KEY), DEFAULTS)) {
      AedbReadResult result = reader.extractTo(out, p -> RelativePaths.isWithin("nested", p), null);
      assertEquals(14, result.sha256().size());
    }
    assertEquals(List.of("nested/deep/deeper/leaf.txt", "nested/level1.txt"), listFiles(out));
  }

  @Test
  void describe_listsFixturesWithoutAKey() throws IOException {
    Path archive = copyResource("aedb-encrypted.aedbarc", work);
    Path named = Files.move(archive, work.resolve("0193a5e0-7b1c-7def-8a00-000000000001.aedbarc"));
    Instant modified = Instant.parse("2024-05-01T10:00:00Z");
    Files.setLastModifiedTime(named, FileTime.from(modified));
    AedbArchiveInfo info = AedbArchiveInfo.describe(named, DEFAULTS);
    assertEquals("0193a5e0-7b1c-7def-8a00-000000000001", info.backupId());
    assertTrue(info.encrypted());
    assertEquals(14, info.files());
    assertEquals(1578730, info.archiveBytes());
    // payloads = archive - header - END - per entry (type, path length, path, payload length)
    long headers =
        FIXTURE_ENTRIES.stream()
            .mapToLong(p -> 13 + p.getBytes(StandardCharsets.UTF_8).length)
            .sum();
    assertEquals(1578730 - 25 - 1 - headers, info.storedPayloadBytes());
    BackupMetadata meta = info.toMetadata("archive", "0.1.0", Optional.empty());
    assertEquals(modified, meta.createdAt());
    assertEquals(BackupType.FULL, meta.backupType());
    assertEquals("AEDBARC1", meta.labels().get(AedbArchiveInfo.FORMAT_LABEL));
    assertEquals(14, meta.totalFiles());
  }

  @Test
  void idOf_acceptsOnlyValidIdsWithTheSuffix() {
    assertEquals(Optional.of("bk_1"), AedbArchiveInfo.idOf(work.resolve("bk_1.aedbarc")));
    assertEquals(Optional.empty(), AedbArchiveInfo.idOf(work.resolve("bk_1.tar")));
    assertEquals(Optional.empty(), AedbArchiveInfo.idOf(work.resolve(".aedbarc")));
    assertEquals(Optional.empty(), AedbArchiveInfo.idOf(work.resolve("-x.aedbarc")));
    assertEquals(Optional.empty(), AedbArchiveInfo.idOf(work.resolve("a b.aedbarc")));
  }

  // ---------------------------------------------------------------------------------------------------
  // Keys

  @Test
  void encryptedFixture_withWrongKey_isRefusedAsWrongKeyAndWritesNothing() throws IOException {
    Path archive = copyResource("aedb-encrypted.aedbarc", work);
    Path out = Files.createDirectory(work.resolve("out"));
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(archive, "enc", secret(WRONG_KEY), DEFAULTS)) {
      WrongKeyException e =
          assertThrows(WrongKeyException.class, () -> reader.extractTo(out, p -> true, null));
      assertTrue(e.getMessage().contains("wrong key or modified bytes"), e.getMessage());
    }
    assertTrue(FileTrees.isEmptyDirectory(out));
  }

  @Test
  void encryptedFixture_withoutKey_isRefusedAsWrongKey() throws IOException {
    Path archive = copyResource("aedb-encrypted.aedbarc", work);
    WrongKeyException e =
        assertThrows(
            WrongKeyException.class, () -> AedbArchiveReader.open(archive, "enc", null, DEFAULTS));
    assertTrue(e.getMessage().contains("no key"), e.getMessage());
  }

  @Test
  void plainFixture_withKey_isRefusedByDefaultAsDowngrade() throws IOException {
    Path archive = copyResource("aedb-plain.aedbarc", work);
    WrongKeyException e =
        assertThrows(
            WrongKeyException.class,
            () -> AedbArchiveReader.open(archive, "plain", secret(KEY), DEFAULTS));
    assertTrue(
        e.getMessage()
            .contains("unencrypted aedb archive plain refused because a key is configured"),
        e.getMessage());
  }

  @Test
  void plainFixture_withKey_isReadWhenExplicitlyAllowed() throws IOException {
    Path archive = copyResource("aedb-plain.aedbarc", work);
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(
            archive, "plain", secret(KEY), DEFAULTS.withAllowUnencryptedWithKey(true))) {
      assertEquals(14, reader.read(p -> false, (e, in) -> fail(), null).files());
    }
  }

  @Test
  void open_withKeyOfWrongLength_isACallerMistake() throws IOException {
    Path archive = copyResource("aedb-encrypted.aedbarc", work);
    assertThrows(
        IllegalArgumentException.class,
        () -> AedbArchiveReader.open(archive, "enc", new SecretBytes(new byte[16]), DEFAULTS));
  }

  @Test
  void tamperedLaterEntry_isCorruptNotWrongKey() throws IOException {
    byte[] bytes = resourceBytes("aedb-encrypted.aedbarc");
    bytes[139 + 12 + 5] ^= 0x01; // ciphertext of entry 1 (a-b.txt), payload at offset 139
    Path archive = Files.write(work.resolve("t.aedbarc"), bytes);
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "t", secret(KEY), DEFAULTS)) {
      CorruptBackupException e = assertThrows(CorruptBackupException.class, () -> readAll(reader));
      assertEquals(Optional.of("a-b.txt"), e.path());
      assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Truncation, bit flips, malformed structure

  @Test
  void truncatedFixtures_atEveryOffsetOfTheFirst2KiBAndAStrideBeyond_areCorrupt()
      throws IOException {
    for (String name : List.of("aedb-plain.aedbarc", "aedb-encrypted.aedbarc")) {
      byte[] full = resourceBytes(name);
      List<Integer> cuts = new ArrayList<>();
      for (int n = 0; n <= 2048; n++) {
        cuts.add(n);
      }
      for (int n = 2049; n < full.length; n += 7919) {
        cuts.add(n);
      }
      cuts.add(full.length - 1);
      cuts.sort(java.util.Comparator.reverseOrder()); // so one file can be cut shorter and shorter
      Path archive = Files.write(work.resolve("cut.aedbarc"), full);
      for (int n : cuts) {
        try (java.nio.channels.SeekableByteChannel ch =
            Files.newByteChannel(archive, StandardOpenOption.WRITE)) {
          ch.truncate(n);
        }
        assertEquals(n, Files.size(archive));
        assertRefused(
            archive, name.contains("encrypted") ? KEY : null, "cut at " + n + " of " + name);
      }
    }
  }

  @Test
  void flippedBitsInTheEncryptedFixture_areRefused() throws IOException {
    byte[] full = resourceBytes("aedb-encrypted.aedbarc");
    long bigPayload;
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(
            copyResource("aedb-encrypted.aedbarc", work), "enc", secret(KEY), DEFAULTS)) {
      bigPayload = reader.entries().get(8).payloadOffset();
    }
    // Every byte of the header and the first two entries (every field kind), every 5th byte up to
    // the
    // 3 MiB entry's nonce, its nonce, then a stride (each flip there costs a 1.5 MB decryption).
    List<Integer> offsets = new ArrayList<>();
    for (int i = 0; i < bigPayload + 16; i++) {
      if (i < 256 || i % 5 == 0 || i >= bigPayload - 30) {
        offsets.add(i);
      }
    }
    for (int i = (int) bigPayload + 16; i < full.length; i += 262144) {
      offsets.add(i);
    }
    offsets.add(full.length - 1); // the end marker
    offsets.add(full.length - 2); // the tag of the last entry
    Path archive = Files.write(work.resolve("flip.aedbarc"), full);
    for (int offset : offsets) {
      poke(archive, offset, (byte) (full[offset] ^ 0x10));
      assertRefused(archive, KEY, "bit flipped at " + offset);
      poke(archive, offset, full[offset]);
    }
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(archive, "restored", secret(KEY), DEFAULTS)) {
      assertEquals(14, readAll(reader).files());
    }
  }

  @Test
  void flippedBitAtEveryByteOfASmallEncryptedArchive_isRefused() throws IOException {
    Map<String, byte[]> files = new java.util.TreeMap<>(RelativePaths.ORDER);
    files.put("a.txt", "alpha".getBytes(StandardCharsets.US_ASCII));
    files.put("d/b.bin", new byte[300]);
    files.put("empty", new byte[0]);
    files.put("z.txt", "omega omega omega".getBytes(StandardCharsets.US_ASCII));
    byte[] full = aedbArchive(KEY, files);
    Path archive = Files.write(work.resolve("small.aedbarc"), full);
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(archive, "small", secret(KEY), DEFAULTS)) {
      assertEquals(4, readAll(reader).files());
    }
    for (int offset = 0; offset < full.length; offset++) {
      for (int bit : new int[] {0x01, 0x80}) {
        poke(archive, offset, (byte) (full[offset] ^ bit));
        assertRefused(archive, KEY, "bit " + bit + " flipped at " + offset);
      }
      poke(archive, offset, full[offset]);
    }
  }

  @Test
  void seedTest_oversizedPathAndPayloadLengths_areRefused() throws IOException {
    Raw raw = new Raw(0, new byte[16]);
    raw.u8(AedbFormat.ENTRY_FILE).u32(AedbFormat.MAX_PATH_BYTES + 1);
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> openBytes(raw.bytes(), null));
    assertTrue(e.getMessage().contains("path exceeds max length"), e.getMessage());

    Raw raw2 = new Raw(0, new byte[16]);
    raw2.u8(AedbFormat.ENTRY_FILE)
        .u32(8)
        .put("file.bin".getBytes(StandardCharsets.US_ASCII))
        .u64(AedbFormat.MAX_PAYLOAD_BYTES + 1);
    e = assertThrows(CorruptBackupException.class, () -> openBytes(raw2.bytes(), null));
    assertTrue(e.getMessage().contains("payload exceeds max size"), e.getMessage());

    Raw raw3 = new Raw(0, new byte[16]);
    raw3.u8(AedbFormat.ENTRY_FILE)
        .u32(8)
        .put("file.bin".getBytes(StandardCharsets.US_ASCII))
        .u64(-1L);
    e = assertThrows(CorruptBackupException.class, () -> openBytes(raw3.bytes(), null));
    assertTrue(e.getMessage().contains("18446744073709551615"), e.getMessage());
  }

  @Test
  void encryptedPayloadAboveTheInMemoryCap_isRefusedBeforeAnythingIsRead() throws IOException {
    Path archive = copyResource("aedb-encrypted.aedbarc", work);
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () ->
                AedbArchiveReader.open(
                    archive, "enc", secret(KEY), DEFAULTS.withMaxEncryptedPayloadBytes(1 << 20)));
    assertTrue(e.getMessage().contains("too large for authenticated streaming"), e.getMessage());
    assertEquals(Optional.of("large/big-3MiB.bin"), e.path());
  }

  @Test
  void malformedStructure_isCorruptWithAPreciseMessage() throws IOException {
    byte[] plain = resourceBytes("aedb-plain.aedbarc");
    Map<String, byte[]> cases = new LinkedHashMap<>();
    byte[] badMagic = plain.clone();
    badMagic[7] = '2';
    cases.put("invalid magic", badMagic);
    byte[] badFlags = plain.clone();
    badFlags[8] = 0x02;
    cases.put("unknown flags 0x02", badFlags);
    byte[] badType = plain.clone();
    badType[25] = 0x02;
    cases.put("invalid entry type 0x02 at offset 25", badType);
    byte[] trailing = Arrays.copyOf(plain, plain.length + 3);
    cases.put("3 trailing bytes after the end marker", trailing);
    byte[] twoEnds = Arrays.copyOf(plain, plain.length + 1);
    twoEnds[plain.length] = (byte) 0xFF;
    cases.put("1 trailing bytes after the end marker", twoEnds);
    cases.put("truncated", new byte[0]);
    for (Map.Entry<String, byte[]> c : cases.entrySet()) {
      CorruptBackupException e =
          assertThrows(CorruptBackupException.class, () -> openBytes(c.getValue(), null));
      assertTrue(e.getMessage().contains(c.getKey()), c.getKey() + " vs " + e.getMessage());
    }
  }

  @Test
  void corruptZstdDataInAPlainEntry_isCorrupt() throws IOException {
    Raw raw =
        new Raw(0, new byte[16])
            .file("a.txt", "this is not zstd".getBytes(StandardCharsets.US_ASCII))
            .end();
    try (AedbArchiveReader reader = open(raw.bytes(), null, DEFAULTS)) {
      CorruptBackupException e = assertThrows(CorruptBackupException.class, () -> readAll(reader));
      assertEquals(Optional.of("a.txt"), e.path());
      assertTrue(e.getMessage().contains("corrupt zstd data"), e.getMessage());
    }
    byte[] frame = Zstd.compress("hello hello hello".getBytes(StandardCharsets.US_ASCII), 3);
    Raw cut = new Raw(0, new byte[16]).file("b.txt", Arrays.copyOf(frame, frame.length - 2)).end();
    try (AedbArchiveReader reader = open(cut.bytes(), null, DEFAULTS)) {
      assertThrows(CorruptBackupException.class, () -> readAll(reader));
    }
  }

  @Test
  void decompressionBomb_isCutOffAtTheOutputLimit() throws IOException {
    byte[] zeros = new byte[16 << 20];
    byte[] bomb = Zstd.compress(zeros, 19);
    assertTrue(bomb.length < 4096, "a bomb is small: " + bomb.length);
    Raw raw = new Raw(0, new byte[16]).file("bomb.bin", bomb).end();
    long limit = 1 << 20;
    long[] delivered = {0};
    try (AedbArchiveReader reader =
        open(raw.bytes(), null, DEFAULTS.withMaxTotalOutputBytes(limit))) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class,
              () ->
                  reader.read(
                      p -> true,
                      (entry, in) -> {
                        byte[] buf = new byte[8192];
                        for (int n; (n = in.read(buf)) >= 0; ) {
                          delivered[0] += n;
                        }
                      },
                      null));
      assertTrue(e.getMessage().contains("output limit"), e.getMessage());
    }
    assertTrue(delivered[0] <= limit, "delivered " + delivered[0]);
  }

  // ---------------------------------------------------------------------------------------------------
  // Hostile paths and collisions

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../x",
        "/abs",
        "a\\b",
        "C:x",
        "a\0b",
        "a//b",
        "./a",
        "a/",
        "a/./b",
        "a/../b",
        ".",
        "CON",
        "a:b",
        "x\u0001y",
        "cafe\u0301.txt",
        "dot."
      })
  void hostilePaths_areRefusedBeforeAnythingIsWritten(String path) throws IOException {
    Raw raw =
        new Raw(0, new byte[16])
            .file("ok.txt", Zstd.compress(new byte[1], 3))
            .file(path, Zstd.compress(new byte[1], 3))
            .end();
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> open(raw.bytes(), null, DEFAULTS));
    assertTrue(e.getMessage().contains("hostile or malformed path"), e.getMessage());
  }

  @Test
  void nonUtf8Path_isRefused() throws IOException {
    Raw raw = new Raw(0, new byte[16]);
    raw.u8(AedbFormat.ENTRY_FILE)
        .u32(2)
        .put(new byte[] {(byte) 0xC3, 0x28})
        .u64(9)
        .put(new byte[9])
        .end();
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> openBytes(raw.bytes(), null));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
  }

  @Test
  void basicPathRules_stillApplyWhenPortableRulesAreOff() throws IOException {
    byte[] z = Zstd.compress(new byte[1], 3);
    Raw ok = new Raw(0, new byte[16]).file("CON", z).file("ab:c", z).end();
    try (AedbArchiveReader reader = open(ok.bytes(), null, DEFAULTS.withPortablePaths(false))) {
      assertEquals(2, reader.entries().size());
    }
    Raw bad = new Raw(0, new byte[16]).file("../x", z).end();
    assertThrows(
        CorruptBackupException.class,
        () -> open(bad.bytes(), null, DEFAULTS.withPortablePaths(false)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"a.txt|a.txt", "A.txt|a.txt", "dir/x|DIR/y", "a|a/b", "a/b|a", "x/Y/z|x/y"})
  void duplicateAndCollidingPaths_areRefusedBeforeAnythingIsWritten(String pair)
      throws IOException {
    String[] paths = pair.split("\\|");
    byte[] z = Zstd.compress(new byte[] {1, 2, 3}, 3);
    Raw raw = new Raw(0, new byte[16]).file(paths[0], z).file(paths[1], z).end();
    Path archive = Files.write(work.resolve("dup.aedbarc"), raw.bytes());
    assertThrows(
        CorruptBackupException.class, () -> AedbArchiveReader.open(archive, "dup", null, DEFAULTS));
  }

  @Test
  void normalizationCollision_isRefusedEvenWithoutPortableRules() throws IOException {
    byte[] z = Zstd.compress(new byte[] {1}, 3);
    Raw raw = new Raw(0, new byte[16]).file("caf\u00e9", z).file("cafe\u0301", z).end();
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> open(raw.bytes(), null, DEFAULTS.withPortablePaths(false)));
    assertTrue(e.getMessage().contains("collide"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("fileSystems")
  void corruptionFoundMidStream_leavesARestoreStagingTargetUntouched(String fs) throws IOException {
    Path root = root(fs, tempDir, opened);
    byte[] good =
        Zstd.compress("written before the failure".getBytes(StandardCharsets.US_ASCII), 3);
    Raw raw =
        new Raw(0, new byte[16])
            .file("a.txt", good)
            .file("b.txt", "not zstd".getBytes(StandardCharsets.US_ASCII))
            .end();
    Path archive = Files.write(root.resolve("mid.aedbarc"), raw.bytes());
    Path target = root.resolve("target");
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "mid", null, DEFAULTS);
        RestoreStaging staging = RestoreStaging.begin(target, RestoreMode.CREATE)) {
      assertThrows(
          CorruptBackupException.class,
          () -> reader.extractTo(staging.directory(), p -> true, null));
      assertTrue(
          Files.exists(staging.directory().resolve("a.txt")),
          "the first file was written to staging");
    }
    assertFalse(Files.exists(target));
    try (Stream<Path> left = Files.list(root)) {
      assertEquals(List.of("mid.aedbarc"), left.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void moreEntriesThanTheLimit_isRefused() throws IOException {
    byte[] z = Zstd.compress(new byte[1], 3);
    Raw raw = new Raw(0, new byte[16]).file("a", z).file("b", z).file("c", z).end();
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> open(raw.bytes(), null, DEFAULTS.withMaxEntries(2)));
    assertTrue(e.getMessage().contains("more than 2 entries"), e.getMessage());
  }

  @Test
  void seedTest_symlinkedParentPlantedInTheTarget_isRefusedAndNothingIsWrittenThrough()
      throws IOException {
    Path archive = copyResource("aedb-plain.aedbarc", work);
    Path out = Files.createDirectory(work.resolve("out"));
    Path outside = Files.createDirectory(work.resolve("outside"));
    Files.createSymbolicLink(out.resolve("nested"), outside);
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "plain", null, DEFAULTS)) {
      assertThrows(DirectoryNotEmptyException.class, () -> reader.extractTo(out, p -> true, null));
    }
    assertTrue(FileTrees.isEmptyDirectory(outside));
  }

  // ---------------------------------------------------------------------------------------------------
  // A seed manifest inside the archive

  @Test
  void archiveWithSignedManifest_isCrossCheckedAndAuthenticated() throws IOException {
    Map<String, byte[]> files = manifestBackup();
    byte[] archive = aedbArchive(KEY, files);
    try (AedbArchiveReader reader = open(archive, KEY, DEFAULTS)) {
      AedbReadResult result =
          reader.read(
              p -> true,
              (e, in) -> in.transferTo(OutputStreamSink.NULL),
              AedbManifestTest.HMAC_KEY);
      assertTrue(result.manifest().isPresent());
      assertTrue(result.manifest().get().authenticated());
      assertEquals("bk_seedref_full_1", result.manifest().get().backupId());
      assertEquals(List.of("extra.txt"), result.unlistedPaths());
    }
  }

  @Test
  void readManifest_readsOnlyTheManifestForAListing() throws IOException {
    byte[] archive = aedbArchive(KEY, manifestBackup());
    Path file = Files.write(work.resolve("bk_7.aedbarc"), archive);
    try (AedbArchiveReader reader = AedbArchiveReader.open(file, "bk_7", secret(KEY), DEFAULTS)) {
      AedbManifest m = reader.readManifest(AedbManifestTest.HMAC_KEY).orElseThrow();
      assertTrue(m.authenticated());
      BackupMetadata meta =
          AedbArchiveInfo.describe(file, DEFAULTS).toMetadata("archive", "0.1.0", Optional.of(m));
      assertEquals(Instant.parse("2023-11-14T22:13:20.123456Z"), meta.createdAt());
      assertEquals("bk_seedref_full_1", meta.labels().get("legacy.backup-id"));
      assertEquals(
          19, meta.totalFiles()); // 14 source files, 2 manifest files, checkpoint, wal, extra
    }
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(copyResource("aedb-plain.aedbarc", work), "p", null, DEFAULTS)) {
      assertEquals(Optional.empty(), reader.readManifest(null));
      assertThrows(
          CorruptBackupException.class, () -> reader.readManifest(AedbManifestTest.HMAC_KEY));
    }
  }

  @Test
  void archiveCutAfterAnEntryWithANewEndMarker_isCaughtByTheManifest() throws IOException {
    Map<String, byte[]> files = manifestBackup();
    files.remove("wal_tail/segment_43.aedbwal"); // as if the archive ended before that entry
    byte[] archive = aedbArchive(KEY, files);
    try (AedbArchiveReader reader = open(archive, KEY, DEFAULTS)) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class,
              () -> reader.read(p -> true, (x, in) -> {}, AedbManifestTest.HMAC_KEY));
      assertTrue(e.getMessage().contains("is missing"), e.getMessage());
      assertEquals(Optional.of("wal_tail/segment_43.aedbwal"), e.path());
    }
  }

  @Test
  void plainArchiveWithAlteredFile_isCaughtByTheManifest() throws IOException {
    Map<String, byte[]> files = manifestBackup();
    files.put("checkpoint_42.aedbcp", "forged checkpoint".getBytes(StandardCharsets.US_ASCII));
    try (AedbArchiveReader reader = open(aedbArchive(null, files), null, DEFAULTS)) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class, () -> reader.read(p -> true, (x, in) -> {}, null));
      assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
    }
  }

  @Test
  void manifestKeyConfigured_butArchiveHasNoManifest_isRefused() throws IOException {
    Path archive = copyResource("aedb-plain.aedbarc", work);
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "plain", null, DEFAULTS)) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class,
              () -> reader.read(p -> true, (x, in) -> {}, AedbManifestTest.HMAC_KEY));
      assertTrue(e.getMessage().contains("no backup_manifest.json"), e.getMessage());
    }
  }

  @Test
  void unsignedManifestInArchive_withManifestKey_isRefused() throws IOException {
    Map<String, byte[]> files = manifestBackup();
    files.remove(AedbManifest.HMAC_FILE_NAME);
    try (AedbArchiveReader reader = open(aedbArchive(KEY, files), KEY, DEFAULTS)) {
      CorruptBackupException e =
          assertThrows(
              CorruptBackupException.class,
              () -> reader.read(p -> true, (x, in) -> {}, AedbManifestTest.HMAC_KEY));
      assertTrue(e.getMessage().contains("not signed"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Helpers (also used by AedbManifestTest)

  /** The signed manifest fixture plus its files, and one file the manifest does not list. */
  private static Map<String, byte[]> manifestBackup() throws IOException {
    Map<String, byte[]> files = new java.util.TreeMap<>(RelativePaths.ORDER);
    Path signed = resources().resolve("manifest-signed");
    Path source = resources().resolve("source");
    for (Path dir : List.of(source, signed)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.filter(Files::isRegularFile).toList()) {
          files.put(RelativePaths.relativize(dir, p), Files.readAllBytes(p));
        }
      }
    }
    files.put("extra.txt", "not listed".getBytes(StandardCharsets.US_ASCII));
    return files;
  }

  private void assertRefused(Path archive, byte[] key, String what) {
    try (AedbArchiveReader reader = AedbArchiveReader.open(archive, "x", secret(key), DEFAULTS)) {
      readAll(reader);
      fail(what + ": accepted");
    } catch (CorruptBackupException | WrongKeyException expected) {
      assertFalse(expected.getMessage().isEmpty());
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(what + ": wrong failure " + e, e);
    }
  }

  private static void poke(Path file, long offset, byte value) throws IOException {
    try (java.nio.channels.SeekableByteChannel ch =
        Files.newByteChannel(file, StandardOpenOption.WRITE)) {
      ch.position(offset);
      ch.write(ByteBuffer.wrap(new byte[] {value}));
    }
  }

  private static AedbReadResult readAll(AedbArchiveReader reader) throws IOException {
    return reader.read(p -> true, (e, in) -> in.transferTo(OutputStreamSink.NULL), null);
  }

  private AedbArchiveReader open(byte[] bytes, byte[] key, AedbReadOptions options)
      throws IOException {
    Path archive = Files.write(work.resolve("crafted-" + System.nanoTime() + ".aedbarc"), bytes);
    return AedbArchiveReader.open(archive, "crafted", secret(key), options);
  }

  private void openBytes(byte[] bytes, byte[] key) throws IOException {
    try (AedbArchiveReader reader = open(bytes, key, DEFAULTS)) {
      readAll(reader);
    }
  }

  /** Output that discards everything. */
  static final class OutputStreamSink {
    static final java.io.OutputStream NULL = java.io.OutputStream.nullOutputStream();

    private OutputStreamSink() {}
  }

  static byte[] filled(int b) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) b);
    return k;
  }

  static Path resources() {
    try {
      return Path.of(AedbArchiveReaderTest.class.getResource("/aedb").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] resourceBytes(String name) throws IOException {
    return Files.readAllBytes(resources().resolve(name));
  }

  static Path copyResource(String name, Path dir) throws IOException {
    return Files.write(dir.resolve(name), resourceBytes(name));
  }

  /**
   * A fresh working directory on the named file system: Jimfs unix, osx or windows, or the real
   * disk.
   */
  static Path root(String fs, Path tempDir, List<FileSystem> opened) throws IOException {
    if (fs.equals("disk")) {
      return Files.createTempDirectory(tempDir, "legacy");
    }
    Configuration config =
        switch (fs) {
          case "unix" -> Configuration.unix();
          case "osx" -> Configuration.osX();
          case "windows" -> Configuration.windows();
          default -> throw new IllegalArgumentException(fs);
        };
    FileSystem jimfs = Jimfs.newFileSystem(config);
    opened.add(jimfs);
    Path root = jimfs.getRootDirectories().iterator().next().resolve("work");
    return Files.createDirectories(root);
  }

  /** Resolves a {@code /}-separated relative path one component at a time (any file system). */
  static Path resolve(Path root, String rel) {
    Path p = root;
    for (String part : rel.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  /** Copies the files of {@code from} (default file system) to {@code to} (any file system). */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        Path target = resolve(to, RelativePaths.relativize(from, p));
        Files.createDirectories(target.getParent());
        Files.write(target, Files.readAllBytes(p));
      }
    }
  }

  static List<String> listFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> RelativePaths.relativize(root, p))
          .sorted(RelativePaths.ORDER)
          .toList();
    }
  }

  private static void assertMatchesSource(Path out) throws IOException {
    List<String> sorted = new ArrayList<>(FIXTURE_ENTRIES);
    sorted.sort(RelativePaths.ORDER);
    assertEquals(sorted, listFiles(out));
    Path source = resources().resolve("source");
    for (String rel : FIXTURE_ENTRIES) {
      assertArrayEquals(
          Files.readAllBytes(resolve(source, rel)), Files.readAllBytes(resolve(out, rel)), rel);
    }
  }

  /**
   * Writes archives as the seed's {@code write_backup_archive} does, entries in the order given.
   */
  static byte[] aedbArchive(byte[] key, Map<String, byte[]> files) {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    Raw raw = new Raw(key == null ? 0 : AedbFormat.FLAG_ENCRYPTED, salt);
    Blake3Digest blake3 = new Blake3Digest();
    long index = 0;
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      byte[] compressed = Zstd.compress(f.getValue(), 3);
      byte[] payload = compressed;
      if (key != null) {
        byte[] nonce =
            AedbFormat.deriveNonce(
                blake3, salt, index, f.getKey().getBytes(StandardCharsets.UTF_8));
        try {
          Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
          cipher.init(
              Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
          byte[] ct = cipher.doFinal(compressed);
          payload = ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      }
      raw.file(f.getKey(), payload);
      index++;
    }
    return raw.end().bytes();
  }

  /** Builds archive bytes field by field, hostile ones included. */
  static final class Raw {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Raw(int flags, byte[] salt) {
      put(AedbFormat.MAGIC);
      u8(flags);
      put(salt);
    }

    Raw put(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    Raw u8(int v) {
      out.write(v);
      return this;
    }

    Raw u32(long v) {
      return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    Raw u64(long v) {
      return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    Raw file(String path, byte[] payload) {
      byte[] p = path.getBytes(StandardCharsets.UTF_8);
      return u8(AedbFormat.ENTRY_FILE).u32(p.length).put(p).u64(payload.length).put(payload);
    }

    Raw end() {
      return u8(AedbFormat.ENTRY_END);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
