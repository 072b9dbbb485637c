package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.testkit.FaultyFileSystem;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The temporary files of backups being written: a crashed writer's are removed by the next open, a
 * running writer's (in this JVM or another process) are kept.
 */
class TemporaryArchiveTest {

  @TempDir Path tmp;

  @Test
  void aBackupCrashingAtEveryOperation_leavesNothingBehindAfterTheNextOpen() throws IOException {
    FaultyFileSystem faulty = FaultyFileSystem.wrap(Jimfs.newFileSystem(Configuration.unix()));
    Path source = TestSupport.sampleSource(Files.createDirectories(faulty.getPath("/src")));
    Path repoDir = faulty.getPath("/repo");
    BackupId first;
    try (ArchiveRepository repo = TestSupport.open(repoDir, TestSupport.plainOptions())) {
      first = repo.backup(source).id();
    }
    List<String> before = TestSupport.names(repoDir);
    faulty.resetCount();
    try (ArchiveRepository repo = TestSupport.open(repoDir, TestSupport.plainOptions())) {
      repo.delete(repo.backup(source).id());
    }
    long operations = faulty.operations();
    int crashes = 0;
    for (long n = 1; n <= operations; n++) {
      faulty.resetCount();
      faulty.crashAt(n);
      try (ArchiveRepository repo = TestSupport.open(repoDir, TestSupport.plainOptions())) {
        repo.delete(repo.backup(source).id());
      } catch (IOException | RuntimeException crashed) {
        // the crash
      }
      faulty.clearFaults();
      if (faulty.crashed()) {
        crashes++;
        faulty.recover();
      }
      try (ArchiveRepository repo = TestSupport.open(repoDir, TestSupport.plainOptions())) {
        for (BackupMetadata m : repo.list()) {
          if (!m.id().equals(first)) {
            repo.delete(m.id()); // a backup that completed before the crash
          }
        }
      }
      assertEquals(before, TestSupport.names(repoDir), "after a crash at operation " + n);
    }
    assertTrue(crashes > 3, "the backup crashed at " + crashes + " operations");
  }

  @Test
  void aBackupRunningInThisJvm_keepsItsTemporaryFileAcrossAnotherOpen() throws IOException {
    Path repoDir = TestSupport.root(TestSupport.jimfs("unix")).resolve("repo");
    TestSupport.open(repoDir, TestSupport.plainOptions()).close();
    try (TemporaryArchive running = TemporaryArchive.begin(repoDir, "01-running")) {
      TestSupport.write(running.file(), "half an archive");
      TestSupport.open(repoDir, TestSupport.plainOptions()).close();
      assertTrue(Files.exists(running.file()));
      assertFalse(TemporaryArchive.removeIfAbandoned(repoDir, "01-running"));
    }
    assertFalse(Files.exists(repoDir.resolve(Format.TEMP_PREFIX + "01-running")));
    assertFalse(Files.exists(repoDir.resolve(TemporaryArchive.LOCK_PREFIX + "01-running")));
  }

  @Test
  void aBackupWhoseLockIsHeldElsewhere_keepsItsTemporaryFile() throws IOException {
    Path repoDir = tmp.resolve("repo");
    TestSupport.open(repoDir, TestSupport.plainOptions()).close();
    Path temp = Files.writeString(repoDir.resolve(Format.TEMP_PREFIX + "02-elsewhere"), "half");
    Path lockFile = repoDir.resolve(TemporaryArchive.LOCK_PREFIX + "02-elsewhere");
    // the lock another process's writer holds (not registered in this JVM's set of running backups)
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      assertTrue(held.isValid());
      assertFalse(TemporaryArchive.removeIfAbandoned(repoDir, "02-elsewhere"));
      assertTrue(Files.exists(temp));
    }
    TestSupport.open(repoDir, TestSupport.plainOptions()).close();
    assertFalse(Files.exists(temp), "once its writer is gone, the next open removes it");
    assertFalse(Files.exists(lockFile));
  }

  @Test
  void aSecondBackupOfTheSameId_cannotBegin() throws IOException {
    Path repoDir = Files.createDirectories(tmp.resolve("repo"));
    try (TemporaryArchive first = TemporaryArchive.begin(repoDir, "03-twice")) {
      assertFalse(Files.exists(first.file()), "begin creates only the lock file");
      assertThrows(IOException.class, () -> TemporaryArchive.begin(repoDir, "03-twice"));
      assertTrue(
          Files.exists(repoDir.resolve(TemporaryArchive.LOCK_PREFIX + "03-twice")),
          "the failed second begin leaves the first one's lock file");
    }
  }
}
