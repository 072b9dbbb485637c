package dev.coffer.archive.aedb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coffer.CorruptBackupException;
import dev.coffer.archive.SecretBytes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AedbManifestTest {

  /** The signed fixture's HMAC key: bytes 0x00..0x1f. */
  static final SecretBytes HMAC_KEY =
      new SecretBytes(
          HexFormat.of()
              .parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tempDir;
  private final List<FileSystem> opened = new ArrayList<>();

  @AfterEach
  void closeFileSystems() throws IOException {
    for (FileSystem fs : opened) {
      fs.close();
    }
  }

  static List<String> fileSystems() {
    return AedbArchiveReaderTest.fileSystems().toList();
  }

  /** The seed's {@code sample_manifest()}. */
  private static Map<String, Object> sample() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("backup_id", "bk_1");
    m.put("backup_type", "full");
    m.put("parent_backup_id", null);
    m.put("from_seq", null);
    m.put("created_at_micros", 1);
    m.put("aedb_version", "0.1.0");
    m.put("checkpoint_seq", 1);
    m.put("wal_head_seq", 2);
    m.put("checkpoint_file", "checkpoint_1.aedbcp");
    m.put("wal_segments", List.of("segment_2.aedbwal"));
    Map<String, String> files = new LinkedHashMap<>();
    files.put("checkpoint_1.aedbcp", "a".repeat(64));
    files.put("wal_tail/segment_2.aedbwal", "b".repeat(64));
    m.put("file_sha256", files);
    return m;
  }

  private static byte[] json(Object value) throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
  }

  private static AedbManifest parse(byte[] json) throws CorruptBackupException {
    return AedbManifest.parse(json, null, null, true, "test");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> files(Map<String, Object> m) {
    return (Map<String, String>) m.get("file_sha256");
  }

  // ---------------------------------------------------------------------------------------------------
  // The seed's tests, ported

  @Test
  void seedTest_sampleManifest_parses() throws IOException {
    AedbManifest m = parse(json(sample()));
    assertEquals("bk_1", m.backupId());
    assertFalse(m.authenticated());
    assertEquals(List.of("segment_2.aedbwal"), m.walSegments());
  }

  @Test
  void seedTest_backupManifestRejectsUnsafePaths() throws IOException {
    Map<String, Object> m = sample();
    m.put("wal_segments", List.of("../segment_2.aedbwal"));
    CorruptBackupException e = assertThrows(CorruptBackupException.class, () -> parse(json(m)));
    assertTrue(e.getMessage().contains("unsafe wal_segments[]"), e.getMessage());
  }

  @Test
  void seedTest_backupManifestRequiresWalChecksums() throws IOException {
    Map<String, Object> m = sample();
    files(m).remove("wal_tail/segment_2.aedbwal");
    CorruptBackupException e = assertThrows(CorruptBackupException.class, () -> parse(json(m)));
    assertTrue(
        e.getMessage().contains("missing the checksum of wal segment segment_2.aedbwal"),
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not_hex",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "abc",
        ""
      })
  void seedTest_backupManifestRejectsInvalidChecksumHex(String value) throws IOException {
    Map<String, Object> m = sample();
    files(m).put("checkpoint_1.aedbcp", value);
    CorruptBackupException e = assertThrows(CorruptBackupException.class, () -> parse(json(m)));
    assertTrue(e.getMessage().contains("invalid sha256 for checkpoint_1.aedbcp"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("fileSystems")
  void seedTest_backupManifestRejectsSymlinkEscape(String fs) throws IOException {
    Path root = AedbArchiveReaderTest.root(fs, tempDir, opened);
    Path dir = Files.createDirectory(root.resolve("backup"));
    Path outside = Files.createDirectory(root.resolve("outside"));
    Path outsideFile =
        Files.write(outside.resolve("outside.bin"), "outside".getBytes(StandardCharsets.US_ASCII));
    Files.createSymbolicLink(dir.resolve("checkpoint_1.aedbcp"), outsideFile);
    Files.createDirectory(dir.resolve("wal_tail"));
    Path wal = Files.write(dir.resolve("wal_tail").resolve("segment_2.aedbwal"), new byte[] {'x'});
    Map<String, Object> m = sample();
    files(m).put("checkpoint_1.aedbcp", sha256(Files.readAllBytes(outsideFile)));
    files(m).put("wal_tail/segment_2.aedbwal", sha256(Files.readAllBytes(wal)));
    AedbManifest manifest = parse(json(m));
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class, () -> AedbBackupDirectory.verifyFiles(manifest, dir));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("fileSystems")
  void verifyFiles_refusesASymlinkedParentDirectory(String fs) throws IOException {
    Path root = AedbArchiveReaderTest.root(fs, tempDir, opened);
    Path dir = Files.createDirectory(root.resolve("backup"));
    Path outside = Files.createDirectory(root.resolve("outside"));
    Files.write(dir.resolve("checkpoint_1.aedbcp"), new byte[] {'x'});
    Path wal = Files.write(outside.resolve("segment_2.aedbwal"), new byte[] {'x'});
    Files.createSymbolicLink(dir.resolve("wal_tail"), outside);
    Map<String, Object> m = sample();
    files(m).put("checkpoint_1.aedbcp", sha256(new byte[] {'x'}));
    files(m).put("wal_tail/segment_2.aedbwal", sha256(Files.readAllBytes(wal)));
    AedbManifest manifest = parse(json(m));
    assertThrows(
        CorruptBackupException.class, () -> AedbBackupDirectory.verifyFiles(manifest, dir));
  }

  // ---------------------------------------------------------------------------------------------------
  // Fixtures

  private Path signedFixture(String fs) throws IOException {
    Path root = AedbArchiveReaderTest.root(fs, tempDir, opened);
    Path dir = Files.createDirectory(root.resolve("signed"));
    AedbArchiveReaderTest.copyTree(AedbArchiveReaderTest.resources().resolve("source"), dir);
    AedbArchiveReaderTest.copyTree(
        AedbArchiveReaderTest.resources().resolve("manifest-signed"), dir);
    return dir;
  }

  @ParameterizedTest
  @MethodSource("fileSystems")
  void signedFixture_verifiesWithItsKeyAndEveryFileMatches(String fs) throws IOException {
    Path dir = signedFixture(fs);
    AedbManifest m = AedbBackupDirectory.load(dir, HMAC_KEY, true);
    assertTrue(m.authenticated());
    assertEquals("bk_seedref_full_1", m.backupId());
    assertEquals("full", m.backupType());
    assertNull(m.parentBackupId());
    assertEquals(Instant.parse("2023-11-14T22:13:20.123456Z"), m.createdAt());
    assertEquals("checkpoint_42.aedbcp", m.checkpointFile());
    assertEquals(16, m.fileSha256().size());
    AedbBackupDirectory.verifyFiles(m, dir);
  }

  @Test
  void signedFixture_withWrongKey_isRefused() throws IOException {
    Path dir = signedFixture("unix");
    byte[] wrong = HMAC_KEY.bytes().clone();
    wrong[31] ^= 1;
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> AedbBackupDirectory.load(dir, new SecretBytes(wrong), true));
    assertTrue(e.getMessage().contains("wrong manifest key or modified bytes"), e.getMessage());
  }

  @Test
  void signedFixture_withoutHmacFile_isRefusedWhenAKeyIsConfigured() throws IOException {
    Path dir = signedFixture("unix");
    Files.delete(dir.resolve(AedbManifest.HMAC_FILE_NAME));
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class, () -> AedbBackupDirectory.load(dir, HMAC_KEY, true));
    assertTrue(e.getMessage().contains("not signed"), e.getMessage());
    assertFalse(AedbBackupDirectory.load(dir, null, true).authenticated());
  }

  @Test
  void signedFixture_withAnyFlippedBit_isRefused() throws IOException {
    Path dir = AedbArchiveReaderTest.resources().resolve("manifest-signed");
    byte[] json = Files.readAllBytes(dir.resolve(AedbManifest.FILE_NAME));
    byte[] hmac = Files.readAllBytes(dir.resolve(AedbManifest.HMAC_FILE_NAME));
    assertTrue(AedbManifest.parse(json, hmac, HMAC_KEY, true, "fixture").authenticated());
    for (int i = 0; i < json.length; i++) {
      byte[] tampered = json.clone();
      tampered[i] ^= 0x01;
      assertThrows(
          CorruptBackupException.class,
          () -> AedbManifest.parse(tampered, hmac, HMAC_KEY, true, "t"),
          "flip at " + i);
    }
  }

  @Test
  void signedFixture_withTamperedFile_failsVerification() throws IOException {
    Path dir = signedFixture("unix");
    Files.write(
        dir.resolve("wal_tail").resolve("segment_43.aedbwal"),
        "forged".getBytes(StandardCharsets.US_ASCII));
    AedbManifest m = AedbBackupDirectory.load(dir, HMAC_KEY, true);
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> AedbBackupDirectory.verifyFiles(m, dir));
    assertEquals(Optional.of("wal_tail/segment_43.aedbwal"), e.path());
  }

  @Test
  void signedFixture_withMissingFile_failsVerification() throws IOException {
    Path dir = signedFixture("unix");
    Files.delete(dir.resolve("checkpoint_42.aedbcp"));
    AedbManifest m = AedbBackupDirectory.load(dir, HMAC_KEY, true);
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> AedbBackupDirectory.verifyFiles(m, dir));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void incrementalUnsignedFixture_parsesWithoutKeyAndIsRefusedWithOne() throws IOException {
    Path dir = AedbArchiveReaderTest.resources().resolve("manifest-incremental-unsigned");
    AedbManifest m = AedbBackupDirectory.load(dir, null, true);
    assertEquals("incremental", m.backupType());
    assertEquals("bk_seedref_full_1", m.parentBackupId());
    assertEquals(43L, m.fromSeq());
    assertFalse(m.authenticated());
    AedbBackupDirectory.verifyFiles(m, dir);
    assertThrows(CorruptBackupException.class, () -> AedbBackupDirectory.load(dir, HMAC_KEY, true));
  }

  @Test
  void load_withoutManifest_isNoSuchFile() throws IOException {
    Path dir = AedbArchiveReaderTest.root("unix", tempDir, opened);
    assertThrows(NoSuchFileException.class, () -> AedbBackupDirectory.load(dir, null, true));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ea345469d13e4a2fe24ba4090f62510f52b9385808641e48c98bc57444f1e3f1\n",
        "  EA345469D13E4A2FE24BA4090F62510F52B9385808641E48C98BC57444F1E3F1\r\n"
      })
  void hmacFile_inTheSeedsTolerantForms_isAccepted(String hmacText) throws IOException {
    byte[] json =
        Files.readAllBytes(
            AedbArchiveReaderTest.resources().resolve("manifest-signed/backup_manifest.json"));
    assertTrue(
        AedbManifest.parse(json, hmacText.getBytes(StandardCharsets.US_ASCII), HMAC_KEY, true, "t")
            .authenticated());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ea345469d13e4a2fe24ba4090f62510f52b9385808641e48c98bc57444f1e3f",
        "ea345469d13e4a2fe24ba4090f62510f52b9385808641e48c98bc57444f1e3f1ea",
        "zz345469d13e4a2fe24ba4090f62510f52b9385808641e48c98bc57444f1e3f1",
        ""
      })
  void malformedHmacFile_isRefused(String hmacText) throws IOException {
    byte[] json =
        Files.readAllBytes(
            AedbArchiveReaderTest.resources().resolve("manifest-signed/backup_manifest.json"));
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () ->
                AedbManifest.parse(
                    json, hmacText.getBytes(StandardCharsets.US_ASCII), HMAC_KEY, true, "t"));
    assertTrue(e.getMessage().contains("malformed signature"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------------
  // Strict JSON

  @Test
  void strictJson_refusesDuplicateKeysUnknownFieldsAndTrailingContent() throws IOException {
    String good = new String(json(sample()), StandardCharsets.UTF_8);
    List<String> bad =
        List.of(
            good.replace(
                "\"backup_id\" : \"bk_1\",", "\"backup_id\" : \"bk_1\", \"backup_id\" : \"bk_2\","),
            good.replace(
                "\"checkpoint_1.aedbcp\" : \"a",
                "\"checkpoint_1.aedbcp\" : \""
                    + "c".repeat(64)
                    + "\", \"checkpoint_1.aedbcp\" : \"a"),
            good.replace("{", "{ \"extra\" : 1,"),
            good + " {}",
            good + " x",
            "[]",
            "",
            "{\"backup_id\": ");
    for (String text : bad) {
      assertThrows(
          CorruptBackupException.class, () -> parse(text.getBytes(StandardCharsets.UTF_8)), text);
    }
    assertEquals("bk_1", parse(good.getBytes(StandardCharsets.UTF_8)).backupId());
  }

  @Test
  void strictJson_refusesWrongTypesAndRanges() throws IOException {
    List<Map.Entry<String, Object>> edits =
        List.of(
            Map.entry("created_at_micros", -1),
            Map.entry("created_at_micros", 1.5),
            Map.entry("created_at_micros", new java.math.BigInteger("18446744073709551615")),
            Map.entry("checkpoint_seq", "1"),
            Map.entry("backup_id", 7),
            Map.entry("wal_segments", "segment_2.aedbwal"),
            Map.entry("wal_segments", List.of(1)),
            Map.entry("file_sha256", List.of()),
            Map.entry("backup_type", "differential"),
            Map.entry("parent_backup_id", "bk_0"),
            Map.entry("checkpoint_file", "other.aedbcp"),
            Map.entry("checkpoint_file", "/abs"));
    for (Map.Entry<String, Object> edit : edits) {
      Map<String, Object> m = sample();
      m.put(edit.getKey(), edit.getValue());
      assertThrows(CorruptBackupException.class, () -> parse(json(m)), edit.toString());
    }
    for (String required :
        List.of(
            "backup_id",
            "backup_type",
            "created_at_micros",
            "aedb_version",
            "checkpoint_seq",
            "wal_head_seq",
            "checkpoint_file",
            "wal_segments",
            "file_sha256")) {
      Map<String, Object> m = sample();
      m.remove(required);
      assertThrows(CorruptBackupException.class, () -> parse(json(m)), required);
    }
    Map<String, Object> optional = sample();
    optional.remove("parent_backup_id");
    optional.remove("from_seq");
    assertNull(parse(json(optional)).fromSeq());
  }

  @Test
  void incrementalWithoutParent_andCollidingPaths_areRefused() throws IOException {
    Map<String, Object> m = sample();
    m.put("backup_type", "incremental");
    assertThrows(CorruptBackupException.class, () -> parse(json(m)));
    Map<String, Object> c = sample();
    files(c).put("CHECKPOINT_1.aedbcp", "a".repeat(64));
    CorruptBackupException e = assertThrows(CorruptBackupException.class, () -> parse(json(c)));
    assertTrue(e.getMessage().contains("collid"), e.getMessage());
  }

  @Test
  void oversizedManifest_isRefusedBeforeParsing() {
    byte[] huge = new byte[AedbManifest.MAX_MANIFEST_BYTES + 1];
    CorruptBackupException e = assertThrows(CorruptBackupException.class, () -> parse(huge));
    assertTrue(e.getMessage().contains("more than the limit"), e.getMessage());
  }

  @Test
  void crossCheck_reportsMissingAndMismatchedFiles() throws IOException {
    AedbManifest m = parse(json(sample()));
    Map<String, String> actual = new LinkedHashMap<>();
    actual.put("checkpoint_1.aedbcp", "a".repeat(64));
    CorruptBackupException missing =
        assertThrows(CorruptBackupException.class, () -> m.crossCheck(actual, "t"));
    assertEquals(Optional.of("wal_tail/segment_2.aedbwal"), missing.path());
    actual.put("wal_tail/segment_2.aedbwal", "c".repeat(64));
    assertThrows(CorruptBackupException.class, () -> m.crossCheck(actual, "t"));
    actual.put("wal_tail/segment_2.aedbwal", "b".repeat(64));
    m.crossCheck(actual, "t");
  }

  private static String sha256(byte[] bytes) throws IOException {
    return AedbManifest.sha256Hex(new ByteArrayInputStream(bytes));
  }
}
