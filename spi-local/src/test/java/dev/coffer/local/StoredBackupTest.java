package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupRepository;
import dev.coffer.CorruptBackupException;
import dev.coffer.local.Manifest.FileEntry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one dispatch on the stored format, and what each format answers. */
class StoredBackupTest {

  @TempDir Path tmp;

  @Test
  void anAmatersBackup_needsNoSidecar_isNeverLinked_andIsCheckedOnlyAsAWhole() throws Exception {
    Path repo = AmatersCompatibilityTest.amatersRepo(tmp);
    String id = AmatersCompatibilityTest.AMATERS_ID;
    StoredBackup b = new MetadataFiles().open(repo.resolve(id), id);
    assertInstanceOf(AmatersBackup.class, b);
    assertFalse(b.sidecarRequired());
    assertFalse(b.hardLinkable());
    StoredBackup.WholeCheck check = b.wholeCheck();
    assertTrue(check.reads(false), "a partial restore still reads every file");
    assertTrue(check.crc32());
    check.add(new FileEntry("a", 1, -1, -1, null, false), new Checksums.Sums(1, 0, 0));
    assertThrows(
        CorruptBackupException.class, check::finish, "one wrong file breaks the whole-data CRC32");
  }

  @Test
  void aCofferBackup_requiresItsSidecar_mayBeLinked_andChecksEachFileByItself() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    String id;
    try (BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      id = repo.backup(source).backupId();
    }
    StoredBackup b = new MetadataFiles().open(tmp.resolve("repo").resolve(id), id);
    assertInstanceOf(CofferBackup.class, b);
    assertTrue(b.sidecarRequired());
    assertTrue(b.hardLinkable());
    assertSame(StoredBackup.WholeCheck.NONE, b.wholeCheck());
    assertFalse(b.wholeCheck().reads(false), "a partial restore reads only what it writes");
  }
}
