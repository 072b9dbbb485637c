package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupType;
import dev.coffer.CorruptBackupException;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Layout compatibility with the seed, both ways, against the seed's own output ({@code
 * src/test/resources/amaters/amaters-repo}, written by the seed's {@code create_backup}; git drops
 * its empty directory {@code data/empty-dir}, so the tests recreate it).
 */
class AmatersCompatibilityTest {

  static final String AMATERS_ID = "94af8703-9b80-4406-a418-5c6d6af33b74";
  static final long SEED_CHECKSUM = 2233192309L;

  @TempDir Path tmp;

  /** Copies the seed's repository onto {@code root} and returns the repository path. */
  static Path amatersRepo(Path root) throws Exception {
    Path from =
        Paths.get(AmatersCompatibilityTest.class.getResource("/amaters/amaters-repo").toURI());
    Path repo = root.resolve("amaters-repo");
    Trees.copyTree(from, repo);
    Files.createDirectories(repo.resolve(AMATERS_ID).resolve("data").resolve("empty-dir"));
    return repo;
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void amatersRepository_isListedVerifiedAndRestoredByteForByte(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path repoDir = amatersRepo(root);
    try (BackupRepository repo = Trees.open(repoDir)) {
      List<BackupMetadata> list = repo.list();
      assertEquals(1, list.size());
      BackupMetadata m = list.get(0);
      assertEquals(AMATERS_ID, m.backupId());
      assertEquals(Instant.parse("2026-11-22T03:32:04.349338298Z"), m.createdAt());
      assertEquals("source", m.sourceDir());
      assertEquals(14, m.totalFiles());
      assertEquals(3151112, m.totalBytes());
      assertEquals(BackupType.FULL, m.backupType());
      assertEquals("0.2.0", m.version());
      VerifyReport report = repo.verify(BackupId.of(AMATERS_ID));
      assertTrue(report.ok(), report.toString());
      assertEquals(14, report.filesChecked());
      Path target = root.resolve("restored");
      repo.restore(BackupId.of(AMATERS_ID), target);
      assertEquals(Snapshot.of(repoDir.resolve(AMATERS_ID).resolve("data")), Snapshot.of(target));
      assertTrue(Files.isDirectory(target.resolve("empty-dir")));
      Path partial = root.resolve("partial");
      repo.restore(
          RestoreRequest.of(BackupId.of(AMATERS_ID), partial).withPaths(List.of("nested")));
      assertEquals(
          List.of(
              "nested",
              "nested/deep",
              "nested/deep/deeper",
              "nested/deep/deeper/leaf.txt",
              "nested/level1.txt"),
          new ArrayList<>(Snapshot.of(partial).entries().keySet()));
    }
  }

  @Test
  void amatersRepository_withAFlippedByte_failsVerifyAndRestoreLeavesNoTarget() throws Exception {
    Path repoDir = amatersRepo(tmp);
    Path file =
        repoDir.resolve(AMATERS_ID).resolve("data").resolve("large").resolve("big-3MiB.bin");
    byte[] b = Files.readAllBytes(file);
    b[1_000_000] ^= 1;
    Files.write(file, b);
    try (BackupRepository repo = Trees.open(repoDir)) {
      assertFalse(repo.verify(BackupId.of(AMATERS_ID)).ok());
      Path target = tmp.resolve("restored");
      assertThrows(
          CorruptBackupException.class, () -> repo.restore(BackupId.of(AMATERS_ID), target));
      assertFalse(Files.exists(target));
      assertEquals(List.of("amaters-repo"), AmatersPortTest.listNames(tmp, ""));
    }
  }

  @Test
  void seedChecksumOrder_isRustPathBufOrder() throws Exception {
    JsonNode expected = readJson("/amaters/amaters-checksum.json");
    List<String> order = new ArrayList<>();
    expected.get("files_in_checksum_order").forEach(n -> order.add(n.get("path").textValue()));
    List<String> sorted = new ArrayList<>(order);
    sorted.sort(AmatersCompatibilityTest::rustPathOrder);
    assertEquals(order, sorted);
    List<String> coffer = new ArrayList<>(order);
    coffer.sort(dev.coffer.spi.support.RelativePaths.ORDER);
    assertEquals(order, coffer);
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void cofferFullBackupOfTheSeedSource_hasTheSeedChecksumAndPassesTheSeedsVerify(Trees.Fs fs)
      throws Exception {
    Path root = fs.root(tmp);
    Path source = root.resolve("source");
    Trees.copyTree(amatersRepo(root).resolve(AMATERS_ID).resolve("data"), source);
    Path repoDir = root.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata m = repo.backup(source);
      Path dir = repoDir.resolve(m.backupId());
      JsonNode json = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("metadata.json")));
      assertEquals(SEED_CHECKSUM, json.get("checksum").longValue());
      assertSeedShape(json, m.backupId());
      assertTrue(seedVerifyBackup(dir), "the seed's verify_backup rejects a Coffer backup");
    }
  }

  /**
   * serde's view of metadata.json: only the seed's fields, with the seed's types; extras are
   * ignored.
   */
  static void assertSeedShape(JsonNode json, String id) {
    assertEquals(id, json.get("backup_id").textValue());
    Instant.parse(json.get("created_at").textValue());
    assertTrue(json.get("created_at").textValue().endsWith("Z"));
    assertTrue(json.get("source_dir").isTextual());
    assertTrue(
        json.get("total_files").canConvertToLong() && json.get("total_files").longValue() >= 0);
    assertTrue(json.get("total_bytes").isIntegralNumber());
    long checksum = json.get("checksum").longValue();
    assertTrue(json.get("checksum").isIntegralNumber() && checksum >= 0 && checksum <= 0xFFFFFFFFL);
    JsonNode type = json.get("backup_type");
    assertTrue(
        type.isTextual() && type.textValue().equals("Full")
            || type.isObject() && type.get("Incremental").get("base_backup_id").isTextual(),
        type.toString());
    assertTrue(json.get("version").isTextual());
  }

  /**
   * The seed's verify_backup, literally: CRC32 over sorted relative paths then contents of files in
   * data/.
   */
  static boolean seedVerifyBackup(Path backupDir) throws IOException {
    JsonNode meta =
        new ObjectMapper().readTree(Files.readAllBytes(backupDir.resolve("metadata.json")));
    Path data = backupDir.resolve("data");
    if (!Files.exists(data)) {
      return meta.get("total_files").longValue() == 0 && meta.get("checksum").longValue() == 0;
    }
    List<String> paths = new ArrayList<>();
    try (var walk = Files.walk(data)) {
      walk.filter(Files::isRegularFile)
          .forEach(
              p -> {
                StringBuilder sb = new StringBuilder();
                for (Path part : data.relativize(p)) {
                  sb.append(sb.length() == 0 ? "" : "/").append(part);
                }
                paths.add(sb.toString());
              });
    }
    paths.sort(AmatersCompatibilityTest::rustPathOrder);
    CRC32 crc = new CRC32();
    for (String p : paths) {
      crc.update(p.getBytes(StandardCharsets.UTF_8));
      crc.update(Files.readAllBytes(Layout.under(data, p)));
    }
    return crc.getValue() == meta.get("checksum").longValue();
  }

  /** Rust's Ord for Path: component by component, each component's bytes compared unsigned. */
  static int rustPathOrder(String a, String b) {
    String[] ca = a.split("/");
    String[] cb = b.split("/");
    for (int i = 0; i < Math.min(ca.length, cb.length); i++) {
      int c =
          java.util.Arrays.compareUnsigned(
              ca[i].getBytes(StandardCharsets.UTF_8), cb[i].getBytes(StandardCharsets.UTF_8));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(ca.length, cb.length);
  }

  static JsonNode readJson(String resource) throws IOException {
    try (InputStream in = AmatersCompatibilityTest.class.getResourceAsStream(resource)) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void metadataWrittenByCoffer_keepsTheSeedsFieldsFirstAndAddsExtrasBeside() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    try (BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      BackupMetadata full = repo.backup(source);
      BackupMetadata inc =
          repo.backup(
              dev.coffer.BackupRequest.incremental(source, full.id()).withLabel("lsn", "42"));
      JsonNode json =
          new ObjectMapper()
              .readTree(
                  Files.readAllBytes(
                      tmp.resolve("repo").resolve(inc.backupId()).resolve("metadata.json")));
      assertSeedShape(json, inc.backupId());
      assertEquals(
          full.backupId(),
          json.get("backup_type").get("Incremental").get("base_backup_id").textValue());
      assertEquals(1, json.get("coffer_format").intValue());
      assertEquals("local", json.get("provider").textValue());
      assertEquals(Map.of("lsn", "42"), inc.labels());
      assertEquals("42", json.get("labels").get("lsn").textValue());
      assertTrue(seedVerifyBackup(tmp.resolve("repo").resolve(inc.backupId())));
    }
  }
}
