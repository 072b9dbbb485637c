package dev.coffer.local;

import dev.coffer.BackupWarning;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ReadCheck;
import dev.coffer.spi.support.SourceEntry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The check of one source file a backup copies (rule P34): {@link ReadCheck} around each read, the
 * {@link ChangedFilesPolicy} after it. Used by the one worker thread that copies the file ({@link
 * CopyBatch}); its outcome ({@link #change()}, {@link #gone()}) is read by the calling thread after
 * the file's result is published under the batch lock.
 */
final class SourceRead {

  private final SourceEntry scanned;
  private final ChangedFilesPolicy policy;
  private ReadCheck check;
  private int reads = 1;
  private BackupWarning change;
  private boolean gone;

  SourceRead(SourceEntry scanned, ChangedFilesPolicy policy) {
    this.scanned = scanned;
    this.policy = policy;
  }

  /**
   * Records the file's attributes before a read (the first, or a read again).
   *
   * @return false when the file is gone: it is then left out, with a warning
   * @throws dev.coffer.BackupException when it is gone under {@code changed-files=fail}
   */
  boolean before(Path source) throws IOException {
    try {
      check = reads == 1 ? ReadCheck.before(source, scanned) : ReadCheck.reread(source, scanned);
      return true;
    } catch (NoSuchFileException e) {
      vanished();
      return false;
    }
  }

  /**
   * The source could not be opened because it is gone: it is left out, with a warning.
   *
   * @throws dev.coffer.BackupException under {@code changed-files=fail}
   */
  void vanished() throws IOException {
    BackupWarning w = ReadCheck.vanished(scanned);
    policy.readAgain(w, reads); // throws under FAIL, logs otherwise; never reads a vanished file
    change = w;
    gone = true;
  }

  /**
   * Completes the check of a read that returned {@code bytesRead} bytes.
   *
   * @return true to read the file again (its copy is to be rewritten), false to keep this read
   * @throws dev.coffer.BackupException when it changed under {@code changed-files=fail}
   */
  boolean readAgain(long bytesRead) throws IOException {
    Optional<BackupWarning> found = check.after(bytesRead);
    if (found.isEmpty()) {
      change = null;
      return false;
    }
    if (policy.readAgain(found.get(), reads)) {
      reads++;
      return true;
    }
    change = found.get();
    return false;
  }

  /** The modification time seen after the last read: that of the bytes stored. */
  Instant lastModified() {
    return check.lastModified();
  }

  /** The warning this file's backup records, or null. */
  BackupWarning change() {
    return change;
  }

  /** Whether the file was gone and is left out of the backup. */
  boolean gone() {
    return gone;
  }
}
