package dev.coffer.archive;

import dev.coffer.BackupException;
import dev.coffer.BackupWarning;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ReadCheck;
import dev.coffer.spi.support.SourceEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rule P34 across the attempts of one archive backup: which {@link ReadCheck} each source file
 * gets, and what a change means under {@code changed-files}. Format 1 appends a file's blocks to
 * the archive while it reads them, and a chunk holding them is sealed under its index as soon as it
 * fills; taking the file back would seal that index again with other bytes, which under AES-GCM is
 * a nonce reused. So {@code retry} does not rewind: it throws {@link ReadAgain}, and the backup
 * writes a new temporary archive from the start, under a new archive salt and therefore new keys
 * (docs/archive-format.md §7.2). Every file is then read again; one found changed before is checked
 * from its new read on ({@link ReadCheck#reread}). At most {@code changed-retries} such restarts:
 * the attempt number is the number of times each file has been read. Confined to the backup's
 * thread.
 */
final class SourceReads {

  /** Thrown out of an attempt to write the archive again: a changed file is to be read again. */
  static final class ReadAgain extends IOException {
    private static final long serialVersionUID = 1L;

    ReadAgain(BackupWarning change) {
      super(change + "; the archive is written again (changed-files=retry)");
    }
  }

  private final ChangedFilesPolicy policy;
  private final Set<String> changedBefore = new HashSet<>();
  private final List<byte[]> salts = new ArrayList<>();
  private int attempt;

  SourceReads(ChangedFilesPolicy policy) {
    this.policy = policy;
  }

  /**
   * Starts an attempt whose archive has {@code archiveSalt}.
   *
   * @throws IllegalStateException if an earlier attempt had the same salt: its keys, and so its
   *     nonces, would be used again for other bytes
   */
  void begin(byte[] archiveSalt) {
    for (byte[] s : salts) {
      if (MessageDigest.isEqual(s, archiveSalt)) {
        throw new IllegalStateException("the entropy source repeated an archive salt");
      }
    }
    salts.add(archiveSalt.clone());
    attempt++;
  }

  /** How many archives this backup began. */
  int attempts() {
    return attempt;
  }

  /**
   * The check of {@code file} just before this attempt reads it: against the scan, or for a file an
   * earlier attempt found changed, against this read only.
   *
   * @throws java.nio.file.NoSuchFileException if the file is gone
   */
  ReadCheck before(Path file, SourceEntry scanned) throws IOException {
    return changedBefore.contains(scanned.path())
        ? ReadCheck.reread(file, scanned)
        : ReadCheck.before(file, scanned);
  }

  /**
   * Applies the policy to a change found after this attempt's read: returns it as a warning of the
   * backup (logged).
   *
   * @throws ReadAgain under {@code retry} with restarts left
   * @throws BackupException under {@code fail}
   */
  BackupWarning kept(BackupWarning change) throws IOException {
    if (policy.readAgain(change, attempt)) {
      changedBefore.add(change.path());
      throw new ReadAgain(change);
    }
    return change;
  }

  /**
   * A file gone between the scan and its read: a warning, never read again.
   *
   * @throws BackupException under {@code changed-files=fail}
   */
  BackupWarning vanished(SourceEntry scanned) throws IOException {
    return kept(ReadCheck.vanished(scanned));
  }
}
