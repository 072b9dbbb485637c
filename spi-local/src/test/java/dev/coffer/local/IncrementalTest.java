package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.NoSuchBackupException;
import dev.coffer.testkit.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Incremental backups: hard links for unchanged files, complete snapshots, independent of their
 * base.
 */
class IncrementalTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void
      unchangedFilesAreHardLinked_changesAndDeletionsRestoreExactly_andDeletingTheBaseKeepsItRestorable(
          Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = Trees.populate(root.resolve("source"));
    Trees.write(source, "gone/soon.txt", "to be deleted");
    Path repoDir = root.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata base = repo.backup(source);
      Trees.write(source, "file2.dat", "changed content!!");
      Files.setLastModifiedTime(
          source.resolve("file2.dat"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
      Files.delete(source.resolve("gone").resolve("soon.txt"));
      Files.delete(source.resolve("gone"));
      Trees.write(source, "new.txt", "new");
      Snapshot expected = Snapshot.withTimes(source);

      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()));
      assertEquals(BackupType.INCREMENTAL, inc.backupType());
      assertEquals(base.backupId(), inc.baseBackupId());
      assertEquals(4, inc.totalFiles());
      assertEquals(11 + 17 + 14 + 3, inc.totalBytes());
      Path baseData = repoDir.resolve(base.backupId()).resolve("data");
      Path incData = repoDir.resolve(inc.backupId()).resolve("data");
      assertTrue(Files.isSameFile(baseData.resolve("file1.dat"), incData.resolve("file1.dat")));
      assertTrue(
          Files.isSameFile(
              baseData.resolve("subdir").resolve("nested.dat"),
              incData.resolve("subdir").resolve("nested.dat")));
      assertFalse(Files.isSameFile(baseData.resolve("file2.dat"), incData.resolve("file2.dat")));
      Path incMeta = repoDir.resolve(inc.backupId());
      long metadataBytes =
          Files.size(incMeta.resolve("metadata.json"))
              + Files.size(incMeta.resolve("metadata.json.crc32c"));
      assertEquals(
          17 + 3 + metadataBytes, repo.storedBytes(inc.id()), "linked files are not counted again");
      assertTrue(repo.verify(inc.id()).ok());

      repo.restore(inc.id(), root.resolve("r1"));
      assertEquals(expected, Snapshot.withTimes(root.resolve("r1")));

      repo.delete(base.id());
      assertEquals(List.of(inc), repo.list());
      assertTrue(repo.verify(inc.id()).ok());
      repo.restore(inc.id(), root.resolve("r2"));
      assertEquals(expected, Snapshot.withTimes(root.resolve("r2")));
    }
  }

  @Test
  void withHardlinksOff_unchangedFilesAreCopied() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo =
        new LocalBackupProvider().open(repoDir, Map.of("fsync", "false", "hardlinks", "false"))) {
      BackupMetadata base = repo.backup(source);
      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()));
      assertFalse(
          Files.isSameFile(
              repoDir.resolve(base.backupId()).resolve("data").resolve("file1.dat"),
              repoDir.resolve(inc.backupId()).resolve("data").resolve("file1.dat")));
      assertEquals(
          Files.size(repoDir.resolve(inc.backupId()).resolve("metadata.json")) + 9 + 45,
          repo.storedBytes(inc.id()));
    }
  }

  @Test
  void withCompareCrc_aSameSizeSameTimeChangeIsCopiedNotLinked() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo =
        new LocalBackupProvider().open(repoDir, Map.of("fsync", "false", "compare-crc", "true"))) {
      BackupMetadata base = repo.backup(source);
      Path f = source.resolve("file1.dat");
      FileTime t = Files.getLastModifiedTime(f);
      Files.writeString(f, "HELLO WORLD");
      Files.setLastModifiedTime(f, t);
      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, base.id()));
      assertFalse(
          Files.isSameFile(
              repoDir.resolve(base.backupId()).resolve("data").resolve("file1.dat"),
              repoDir.resolve(inc.backupId()).resolve("data").resolve("file1.dat")));
      assertTrue(
          Files.isSameFile(
              repoDir.resolve(base.backupId()).resolve("data").resolve("file2.dat"),
              repoDir.resolve(inc.backupId()).resolve("data").resolve("file2.dat")));
      repo.restore(inc.id(), tmp.resolve("r"));
      assertEquals("HELLO WORLD", Files.readString(tmp.resolve("r").resolve("file1.dat")));
    }
  }

  @Test
  void unknownOrMalformedBase_failsWithNoSuchBackupAndWritesNothing() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      assertThrows(
          NoSuchBackupException.class,
          () ->
              repo.backup(
                  BackupRequest.incremental(
                      source, BackupId.of("0190e7c4-0000-7000-8000-000000000000"))));
      assertEquals(List.of(), AmatersPortTest.listNames(repoDir, ""));
    }
  }

  @Test
  void incrementalOnASeedBase_copiesEverythingAndRecordsTheBase() throws Exception {
    Path repoDir = AmatersCompatibilityTest.amatersRepo(tmp);
    Path source = tmp.resolve("source");
    Trees.copyTree(repoDir.resolve(AmatersCompatibilityTest.AMATERS_ID).resolve("data"), source);
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata inc =
          repo.backup(
              BackupRequest.incremental(source, BackupId.of(AmatersCompatibilityTest.AMATERS_ID)));
      assertEquals(AmatersCompatibilityTest.AMATERS_ID, inc.baseBackupId());
      assertTrue(repo.verify(inc.id()).ok());
      assertTrue(AmatersCompatibilityTest.seedVerifyBackup(repoDir.resolve(inc.backupId())));
    }
  }
}
