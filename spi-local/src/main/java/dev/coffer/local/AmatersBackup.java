package dev.coffer.local;

import dev.coffer.CorruptBackupException;
import dev.coffer.ProgressListener;
import dev.coffer.VerifyReport.Kind;
import dev.coffer.VerifyReport.Problem;
import dev.coffer.local.Manifest.FileEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A backup in the layout of AmateRS ({@code amaters-core} 0.2.0 {@code BackupManager}): its {@code
 * metadata.json} holds totals and one CRC32 over every stored file (path, then content, in path
 * order), no file list; the files are whatever {@code data/} holds, checked only as a whole. Kept
 * in this package beside {@link CofferBackup}: it is one class and uses the same package-private
 * stages.
 *
 * @param dir the backup's directory
 * @param id its id
 * @param manifest its parsed metadata
 */
record AmatersBackup(Path dir, String id, Manifest manifest) implements StoredBackup {

  @Override
  public boolean sidecarRequired() {
    return false;
  }

  @Override
  public boolean hardLinkable() {
    return false;
  }

  @Override
  public Contents contents() throws IOException {
    StoredTree stored = StoredTree.walk(data());
    if (!stored.others.isEmpty()) {
      String p = stored.others.keySet().iterator().next();
      throw new CorruptBackupException(
          "stored entry "
              + p
              + " of backup "
              + id
              + " is not a regular file or "
              + "directory: "
              + stored.others.get(p),
          p);
    }
    List<FileEntry> files = new ArrayList<>();
    stored.files.forEach((p, size) -> files.add(new FileEntry(p, size, -1, -1, null, false)));
    return new Contents(files, List.copyOf(stored.directories), List.of());
  }

  @Override
  public WholeCheck wholeCheck() {
    return new WholeCheck() {
      private long whole;

      @Override
      public boolean reads(boolean wanted) {
        return true;
      }

      @Override
      public boolean crc32() {
        return true;
      }

      @Override
      public void add(FileEntry f, Checksums.Sums sums) {
        whole = Checksums.appendFile(whole, f.path(), sums.crc32(), sums.size());
      }

      @Override
      public void finish() throws CorruptBackupException {
        if (whole != manifest.checksum()) {
          throw new CorruptBackupException(
              "crc32 mismatch for the data of backup "
                  + id
                  + ": stored "
                  + Checksums.hex(manifest.checksum())
                  + ", computed "
                  + Checksums.hex(whole),
              null);
        }
      }
    };
  }

  @Override
  public Checked verifyData(
      StoredTree stored, ParallelCopy copies, ProgressListener listener, List<Problem> problems)
      throws IOException {
    stored.others.forEach(
        (p, what) -> problems.add(new Problem(p, Kind.UNEXPECTED, what + " in stored data")));
    Path data = data();
    List<Map.Entry<String, Long>> present = List.copyOf(stored.files.entrySet());
    List<ParallelCopy.Job> jobs =
        present.stream()
            .map(
                f -> new ParallelCopy.Job(Layout.under(data, f.getKey()), null, f.getValue(), true))
            .toList();
    long[] whole = {0};
    long[] checked = {0, 0}; // files, bytes
    VerifyProgress progress = new VerifyProgress(listener, checked, jobs);
    copies.run(
        jobs,
        (k, n) -> progress.in(present.get(k).getKey(), n),
        (k, sums) -> {
          progress.done(present.get(k).getKey(), sums.size());
          whole[0] =
              Checksums.appendFile(whole[0], present.get(k).getKey(), sums.crc32(), sums.size());
        });
    if (whole[0] != manifest.checksum()) {
      problems.add(
          new Problem(
              Layout.DATA,
              Kind.CORRUPT,
              "crc32 over all stored files (AmateRS format): recorded "
                  + Checksums.hex(manifest.checksum())
                  + ", computed "
                  + Checksums.hex(whole[0])));
    }
    if (checked[0] != manifest.metadata().totalFiles()
        || checked[1] != manifest.metadata().totalBytes()) {
      problems.add(
          new Problem(
              Layout.DATA,
              Kind.CORRUPT,
              "recorded "
                  + manifest.metadata().totalFiles()
                  + " files, "
                  + manifest.metadata().totalBytes()
                  + " bytes; stored "
                  + checked[0]
                  + " files, "
                  + checked[1]
                  + " bytes"));
    }
    return new Checked(checked[0], checked[1]);
  }

  @Override
  public long storedDataBytes() throws IOException {
    long total = 0;
    for (long s : StoredTree.walk(data()).files.values()) {
      total += s;
    }
    return total;
  }
}
