package dev.coffer.local;

import dev.coffer.CorruptBackupException;
import dev.coffer.ProgressListener;
import dev.coffer.VerifyReport;
import dev.coffer.VerifyReport.Kind;
import dev.coffer.VerifyReport.Problem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One verify: reads a backup's metadata and sidecar, looks for entries that do not belong in its
 * directory, and has its format ({@link StoredBackup#verifyData}) read every stored file. Reports
 * every problem it finds instead of stopping at the first.
 */
final class LocalVerify {

  private final MetadataFiles metadata;
  private final ParallelCopy copies;

  LocalVerify(MetadataFiles metadata, ParallelCopy copies) {
    this.metadata = metadata;
    this.copies = copies;
  }

  VerifyReport run(Path dir, String id, ProgressListener listener) throws IOException {
    List<Problem> problems = new ArrayList<>();
    byte[] json;
    try {
      json = MetadataFiles.read(dir, id);
    } catch (NoSuchFileException e) {
      problems.add(
          new Problem(
              Layout.METADATA, Kind.MISSING, "metadata.json of backup " + id + " is missing"));
      return new VerifyReport(id, problems, 0, 0);
    } catch (CorruptBackupException e) {
      problems.add(new Problem(Layout.METADATA, Kind.METADATA, e.getMessage()));
      return new VerifyReport(id, problems, 0, 0);
    }
    Optional<String> sidecarProblem = MetadataFiles.sidecarProblem(dir, json, id);
    StoredBackup backup;
    try {
      backup = StoredBackup.of(dir, id, metadata.parse(json, id));
    } catch (CorruptBackupException e) {
      sidecarProblem.ifPresent(p -> problems.add(new Problem(Layout.SIDECAR, Kind.METADATA, p)));
      problems.add(new Problem(Layout.METADATA, Kind.METADATA, e.getMessage()));
      return new VerifyReport(id, problems, 0, 0);
    }
    if (MetadataFiles.sidecarPresent(dir) || backup.sidecarRequired()) {
      sidecarProblem.ifPresent(p -> problems.add(new Problem(Layout.SIDECAR, Kind.METADATA, p)));
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String n = p.getFileName().toString();
        if (!n.equals(Layout.DATA) && !n.equals(Layout.METADATA) && !n.equals(Layout.SIDECAR)) {
          problems.add(
              new Problem(n, Kind.UNEXPECTED, "unexpected entry in the directory of backup " + id));
        }
      }
    }
    StoredTree stored = StoredTree.walk(backup.data());
    StoredBackup.Checked checked = backup.verifyData(stored, copies, listener, problems);
    return new VerifyReport(id, problems, checked.files(), checked.bytes());
  }
}
