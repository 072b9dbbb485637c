package dev.coffer.local;

import dev.coffer.CorruptBackupException;
import dev.coffer.ProgressListener;
import dev.coffer.VerifyReport.Problem;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One published backup as its format stores it: Coffer's ({@link CofferBackup}, every file recorded
 * with its CRC32C) or the AmateRS {@code amaters-core} 0.2.0 layout ({@link AmatersBackup}, only a
 * CRC32 over the whole data). The repository and its operations ask this interface what differs
 * between the two; {@link #of} is the one place that tells them apart.
 */
interface StoredBackup {

  /** The backup in {@code dir} whose {@code metadata.json} parsed to {@code manifest}. */
  static StoredBackup of(Path dir, String id, Manifest manifest) {
    return manifest.coffer()
        ? new CofferBackup(dir, id, manifest)
        : new AmatersBackup(dir, id, manifest);
  }

  /** Its directory. */
  Path dir();

  /** Its id. */
  String id();

  /** Its parsed metadata. */
  Manifest manifest();

  /** Its directory's {@code data/}. */
  default Path data() {
    return dir().resolve(Layout.DATA);
  }

  /**
   * Whether a missing or wrong sidecar is damage even where none was written (AmateRS writes none).
   */
  boolean sidecarRequired();

  /**
   * Whether an incremental on it may hard-link its stored files (their recorded sizes and sums are
   * trusted).
   */
  boolean hardLinkable();

  /**
   * What a restore writes, after checking the stored tree's shape.
   *
   * @throws CorruptBackupException if the stored data does not match what is recorded
   */
  Contents contents() throws IOException;

  /** A fresh check of the data a restore reads beside the per-file ones. */
  WholeCheck wholeCheck();

  /**
   * Reads every stored file and adds what is wrong to {@code problems}.
   *
   * @param stored what the data directory holds
   * @return the files and bytes checked
   */
  Checked verifyData(
      StoredTree stored, ParallelCopy copies, ProgressListener listener, List<Problem> problems)
      throws IOException;

  /**
   * The bytes its data takes beside its base's (files hard-linked from the base are not counted).
   */
  long storedDataBytes() throws IOException;

  /** What a backup holds: from the manifest, or for an AmateRS backup from its data directory. */
  record Contents(List<FileEntry> files, List<String> directories, List<Symlink> symlinks) {
    boolean has(String p) {
      return files.stream().anyMatch(f -> RelativePaths.isWithin(p, f.path()))
          || directories.stream().anyMatch(d -> RelativePaths.isWithin(p, d))
          || symlinks.stream().anyMatch(s -> RelativePaths.isWithin(p, s.path()));
    }
  }

  /** The files and bytes a verify read. */
  record Checked(long files, long bytes) {}

  /**
   * The check a restore makes over every file it reads, beside each file's own: none for Coffer's
   * format, the whole-data CRC32 for AmateRS's (so a partial restore of one still reads every
   * file).
   */
  interface WholeCheck {
    /** None: a restore reads the files it writes and checks each by itself. */
    WholeCheck NONE =
        new WholeCheck() {
          @Override
          public boolean reads(boolean wanted) {
            return wanted;
          }

          @Override
          public boolean crc32() {
            return false;
          }

          @Override
          public void add(FileEntry f, Checksums.Sums sums) {}

          @Override
          public void finish() {}
        };

    /** Whether a restore reads a file, wanted by the request or not. */
    boolean reads(boolean wanted);

    /** Whether the reads compute CRC32 too. */
    boolean crc32();

    /** Adds a file read, in the contents' order. */
    void add(FileEntry f, Checksums.Sums sums);

    /**
     * Ends the check.
     *
     * @throws CorruptBackupException if the files read do not make what is recorded
     */
    void finish() throws CorruptBackupException;
  }
}
