package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupType;
import dev.coffer.NoSuchBackupException;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.testkit.Snapshot;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The seed's own tests (000, amaters-core backup), ported, run on every file system. */
class AmatersPortTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void createFullBackup_storesEveryFileUnderDataBesideMetadata(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = Trees.populate(root.resolve("source"));
    try (BackupRepository repo = Trees.open(root.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      assertEquals(3, meta.totalFiles());
      assertEquals(45, meta.totalBytes());
      assertEquals(BackupType.FULL, meta.backupType());
      Path dir = root.resolve("backups").resolve(meta.backupId());
      assertTrue(Files.isDirectory(dir.resolve("data")));
      assertTrue(Files.exists(dir.resolve("metadata.json")));
      assertTrue(Files.exists(dir.resolve("data").resolve("file1.dat")));
      assertTrue(Files.exists(dir.resolve("data").resolve("subdir").resolve("nested.dat")));
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void restoreBackup_reproducesTheSourceExactly(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = Trees.populate(root.resolve("source"));
    try (BackupRepository repo = Trees.open(root.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      BackupMetadata restored = repo.restore(meta.id(), root.resolve("restored"));
      assertEquals(meta, restored);
      assertEquals(Snapshot.withTimes(source), Snapshot.withTimes(root.resolve("restored")));
    }
  }

  @Test
  void listBackups_returnsAllNewestFirst() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    try (BackupRepository repo = Trees.open(tmp.resolve("backups"))) {
      BackupMetadata a = repo.backup(source);
      BackupMetadata b = repo.backup(source);
      BackupMetadata c = repo.backup(source);
      List<BackupMetadata> list = repo.list();
      assertEquals(List.of(c, b, a), list);
      assertEquals(c, repo.latest().orElseThrow());
      assertEquals(b, repo.find(b.id()).orElseThrow());
    }
  }

  @Test
  void deleteBackup_removesItAndUnknownIdsFail() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    try (BackupRepository repo = Trees.open(tmp.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      assertEquals(1, repo.list().size());
      repo.delete(meta.id());
      assertEquals(List.of(), repo.list());
      assertFalse(Files.exists(tmp.resolve("backups").resolve(meta.backupId())));
      assertThrows(NoSuchBackupException.class, () -> repo.delete(BackupId.of("nonexistent")));
      assertThrows(NoSuchBackupException.class, () -> repo.delete(meta.id()));
    }
  }

  @Test
  void verifyBackup_passesThenDetectsOverwrittenFile() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    try (BackupRepository repo = Trees.open(tmp.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      assertTrue(repo.verify(meta.id()).ok());
      Files.writeString(
          tmp.resolve("backups").resolve(meta.backupId()).resolve("data").resolve("file1.dat"),
          "corrupted!");
      VerifyReport report = repo.verify(meta.id());
      assertFalse(report.ok());
      assertEquals("file1.dat", report.problems().get(0).path());
      assertEquals(VerifyReport.Kind.CORRUPT, report.problems().get(0).kind());
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void backupWithBinaryData_restoresBytesExactly(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = root.resolve("source");
    byte[] wal = new byte[256];
    for (int i = 0; i < wal.length; i++) {
      wal[i] = (byte) i;
    }
    byte[] sst = new byte[1024];
    for (int i = 0; i < sst.length; i++) {
      sst[i] = (byte) ((i * 7) % 256);
    }
    Trees.write(source, "wal/000001.wal", wal);
    Trees.write(source, "sstables/L0/table_001.sst", sst);
    try (BackupRepository repo = Trees.open(root.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      assertEquals(2, meta.totalFiles());
      Path restored = root.resolve("restored");
      repo.restore(meta.id(), restored);
      assertArrayEquals(wal, Files.readAllBytes(restored.resolve("wal").resolve("000001.wal")));
      assertArrayEquals(
          sst,
          Files.readAllBytes(restored.resolve("sstables").resolve("L0").resolve("table_001.sst")));
    }
  }

  @Test
  void metadataJson_roundTripsBothBackupTypesInTheSeedShape() throws Exception {
    Instant now = Instant.parse("2026-11-22T03:32:04.349338298Z");
    BackupMetadata full =
        new BackupMetadata(
            "test-id-123",
            now,
            "/tmp/source",
            1,
            11,
            BackupType.FULL,
            null,
            "local",
            "0.2.0",
            Map.of("lsn", "42"));
    FileEntry entry = new FileEntry("a/b.txt", 11, 0x1234L, 0xDEADBEEFL, now, false);
    Manifest m = new Manifest(full, 0xDEADBEEFL, true, List.of(entry), List.of("a"), List.of());
    byte[] json = m.toJson();
    String text = new String(json, java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(text.contains("\"backup_type\" : \"Full\""), text);
    assertTrue(text.contains("\"checksum\" : 3735928559"), text);
    assertTrue(text.contains("\"created_at\" : \"2026-11-22T03:32:04.349338298Z\""), text);
    assertEquals(m, Manifest.parse(json, "test-id-123"));

    BackupMetadata inc =
        new BackupMetadata(
            "test-id-124",
            now,
            "/tmp/source",
            1,
            11,
            BackupType.INCREMENTAL,
            "base-123",
            "local",
            "0.2.0",
            Map.of());
    Manifest mi = new Manifest(inc, 0xDEADBEEFL, true, List.of(entry), List.of("a"), List.of());
    byte[] json2 = mi.toJson();
    assertTrue(
        new String(json2, java.nio.charset.StandardCharsets.UTF_8)
            .replaceAll("\\s", "")
            .contains("\"backup_type\":{\"Incremental\":{\"base_backup_id\":\"base-123\"}}"));
    Manifest back = Manifest.parse(json2, "test-id-124");
    assertEquals("base-123", back.metadata().baseBackupId());
    assertEquals(mi, back);
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void emptySource_backsUpVerifiesAndRestores(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = Files.createDirectories(root.resolve("source"));
    try (BackupRepository repo = Trees.open(root.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      assertEquals(0, meta.totalFiles());
      assertEquals(0, meta.totalBytes());
      assertTrue(repo.verify(meta.id()).ok());
      repo.restore(meta.id(), root.resolve("restored"));
      assertTrue(Files.isDirectory(root.resolve("restored")));
    }
  }

  @Test
  void restoreToExistingNonEmptyDirectory_failsUnchangedInCreateModeAndSwapsInReplaceMode()
      throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Path target = tmp.resolve("target");
    Trees.write(target, "old_file.txt", "old content");
    try (BackupRepository repo = Trees.open(tmp.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      Snapshot before = Snapshot.withTimes(target);
      assertThrows(DirectoryNotEmptyException.class, () -> repo.restore(meta.id(), target));
      assertEquals(before, Snapshot.withTimes(target));
      repo.restore(RestoreRequest.of(meta.id(), target).withMode(RestoreMode.REPLACE));
      assertFalse(Files.exists(target.resolve("old_file.txt")));
      assertEquals(Snapshot.withTimes(source), Snapshot.withTimes(target));
      assertEquals(List.of("target"), listNames(tmp, "target"));
    }
  }

  @Test
  void backupSize_isTheDataBytesPlusTheMetadataFiles() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    try (BackupRepository repo = Trees.open(tmp.resolve("backups"))) {
      BackupMetadata meta = repo.backup(source);
      Path dir = tmp.resolve("backups").resolve(meta.backupId());
      long metadataBytes =
          Files.size(dir.resolve("metadata.json"))
              + Files.size(dir.resolve("metadata.json.crc32c"));
      assertEquals(meta.totalBytes() + metadataBytes, repo.storedBytes(meta.id()));
    }
  }

  @Test
  void restoreNonexistentBackup_failsWithNoSuchBackupAndCreatesNothing() throws Exception {
    try (BackupRepository repo = Trees.open(tmp.resolve("backups"))) {
      Path target = tmp.resolve("target");
      for (String text :
          new String[] {"does-not-exist", "../x", "", ".staging-x", "a/b", "..", "C:x"}) {
        if (!BackupId.isValid(
            text)) { // a malformed id is refused where it is made, before any repository
          assertThrows(IllegalArgumentException.class, () -> BackupId.of(text), text);
          continue;
        }
        BackupId id = BackupId.of(text);
        assertThrows(NoSuchBackupException.class, () -> repo.restore(id, target), text);
        assertThrows(NoSuchBackupException.class, () -> repo.verify(id), text);
        assertThrows(NoSuchBackupException.class, () -> repo.storedBytes(id), text);
        assertThrows(NoSuchBackupException.class, () -> repo.delete(id), text);
        assertTrue(repo.find(id).isEmpty(), text);
      }
      assertFalse(Files.exists(target));
    }
  }

  @Test
  void backupNonexistentSource_failsAndLeavesRepositoryEmpty() throws Exception {
    Path repoDir = tmp.resolve("backups");
    try (BackupRepository repo = Trees.open(repoDir)) {
      assertThrows(NoSuchFileException.class, () -> repo.backup(tmp.resolve("nonexistent/path")));
      Files.writeString(tmp.resolve("file"), "x");
      assertThrows(
          java.nio.file.NotDirectoryException.class, () -> repo.backup(tmp.resolve("file")));
      assertEquals(List.of(), repo.list());
      assertEquals(List.of(), listNames(repoDir, ""));
    }
  }

  static List<String> listNames(Path dir, String prefix) throws java.io.IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix) || n.startsWith("." + prefix))
          .sorted()
          .toList();
    }
  }
}
