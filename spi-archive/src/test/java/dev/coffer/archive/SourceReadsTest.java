package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupWarning;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule P34 across the attempts of one archive backup: how many archives {@code retry} may begin,
 * which check a file gets in each, and the refusal of an archive salt used before.
 */
class SourceReadsTest {

  private static final BackupWarning CHANGED =
      new BackupWarning("b.txt", BackupWarning.Kind.CHANGED_WHILE_READ, "size 1 -> 2 bytes");

  @TempDir Path tmp;

  private static byte[] salt(int b) {
    byte[] s = new byte[32];
    s[0] = (byte) b;
    return s;
  }

  @Test
  void retry_beginsAtMostRetriesMoreArchives_thenKeepsTheChangeAsAWarning() throws IOException {
    SourceReads reads = new SourceReads(new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 2));
    reads.begin(salt(1));
    assertThrows(SourceReads.ReadAgain.class, () -> reads.kept(CHANGED));
    reads.begin(salt(2));
    assertThrows(SourceReads.ReadAgain.class, () -> reads.kept(CHANGED));
    reads.begin(salt(3));
    assertSame(CHANGED, reads.kept(CHANGED), "the third read is the last one allowed");
    assertEquals(3, reads.attempts());
  }

  @Test
  void warnAndFail_neverBeginAgain() throws IOException {
    SourceReads warn = new SourceReads(ChangedFilesPolicy.DEFAULT);
    warn.begin(salt(1));
    assertSame(CHANGED, warn.kept(CHANGED));
    SourceReads fail = new SourceReads(new ChangedFilesPolicy(ChangedFilesPolicy.Action.FAIL, 3));
    fail.begin(salt(1));
    BackupException e = assertThrows(BackupException.class, () -> fail.kept(CHANGED));
    assertTrue(e.getMessage().contains("b.txt"), e.getMessage());
  }

  @Test
  void aVanishedFile_isAWarningEvenUnderRetry() throws IOException {
    SourceReads reads = new SourceReads(new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 3));
    reads.begin(salt(1));
    SourceEntry e =
        new SourceEntry("gone.txt", SourceEntry.Type.FILE, 4, java.time.Instant.EPOCH, null);
    assertEquals(BackupWarning.Kind.VANISHED_WHILE_READ, reads.vanished(e).kind());
  }

  @Test
  void begin_refusesAnArchiveSaltUsedByAnEarlierAttempt_sinceItsKeysWouldSealOtherBytes() {
    SourceReads reads = new SourceReads(new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 3));
    reads.begin(salt(7));
    assertThrows(IllegalStateException.class, () -> reads.begin(salt(7)));
  }

  @Test
  void before_checksAFileFoundChangedByAnEarlierAttemptAgainstItsNewReadOnly() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("b.txt"), "0123456789");
    SourceEntry scanned = SourceTree.scan(src).files().get(0);
    Files.writeString(src.resolve("b.txt"), "more", StandardOpenOption.APPEND);
    SourceReads reads = new SourceReads(new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 3));
    reads.begin(salt(1));
    BackupWarning first = reads.before(src.resolve("b.txt"), scanned).after(14).orElseThrow();
    assertThrows(SourceReads.ReadAgain.class, () -> reads.kept(first));
    reads.begin(salt(2));
    assertTrue(
        reads.before(src.resolve("b.txt"), scanned).after(14).isEmpty(),
        "stable since: its second read is clean, though the scan's size is stale");
  }
}
