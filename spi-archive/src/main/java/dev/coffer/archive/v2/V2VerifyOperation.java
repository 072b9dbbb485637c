package dev.coffer.archive.v2;

import dev.coffer.BackupException;
import dev.coffer.CorruptBackupException;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One verification of a format-2 backup: checks that its objects exist, opens its metadata object,
 * commit, manifest and chain afresh (no earlier result is trusted), then reads, authenticates and
 * checks every block every file references, collecting problems instead of stopping at the first:
 * {@code MISSING} for an absent object, {@code METADATA} for a commit, manifest or metadata object
 * that does not authenticate or disagrees, {@code CORRUPT} for damaged data (named by the file).
 * Read-only.
 */
final class V2VerifyOperation {

  private final V2Repository repo;
  private final String id;
  private final ProgressListener listener;
  private final List<VerifyReport.Problem> problems = new ArrayList<>();
  private long filesChecked;
  private long bytesChecked;
  private long filesTotal = -1;
  private long bytesTotal = -1;

  V2VerifyOperation(V2Repository repo, String id, ProgressListener listener) {
    this.repo = repo;
    this.id = id;
    this.listener = listener;
  }

  VerifyReport run() throws IOException {
    if (!repo.canRead()) { // a write-only host: structure and signatures only (issue 19)
      return new V2StructureVerify(repo, id, listener).run();
    }
    V2Layout layout = repo.layout();
    for (String key : List.of(layout.data(id), layout.manifest(id), layout.meta(id))) {
      if (repo.store.stat(key).isEmpty()) {
        problem(key, VerifyReport.Kind.MISSING, "stored object " + key + " is missing");
      }
    }
    try {
      repo.readMetadata(id);
    } catch (CorruptBackupException | java.nio.file.NoSuchFileException e) {
      problem(layout.meta(id), VerifyReport.Kind.METADATA, String.valueOf(e.getMessage()));
    }
    V2Backup tip;
    try {
      tip = repo.reader().open(id);
    } catch (CorruptBackupException | WrongKeyException e) {
      // the repository's key check passed at open: a slot that refuses it is damaged or foreign
      problem(layout.manifest(id), VerifyReport.Kind.METADATA, String.valueOf(e.getMessage()));
      return report();
    }
    try (V2Chain chain = V2Chain.open(repo.reader(), tip)) {
      List<V2Manifest.FileEntry> files = chain.tip().manifest().files();
      filesTotal = files.size();
      bytesTotal = files.stream().mapToLong(V2Manifest.FileEntry::size).sum();
      progress("");
      for (V2Manifest.FileEntry f : files) {
        try {
          chain.copy(f.path(), chain.check(f), OutputStream.nullOutputStream());
          bytesChecked += f.size();
        } catch (CorruptBackupException e) {
          problem(f.path(), VerifyReport.Kind.CORRUPT, String.valueOf(e.getMessage()));
        }
        filesChecked++;
        progress(f.path());
      }
    } catch (BackupException e) { // the chain: a base missing or damaged, a data object cut short
      problem(layout.data(id), VerifyReport.Kind.CORRUPT, String.valueOf(e.getMessage()));
    }
    return report();
  }

  private void progress(String path) {
    listener.onProgress(
        new Progress(
            Progress.Phase.VERIFY, filesChecked, filesTotal, bytesChecked, bytesTotal, path));
  }

  private void problem(String path, VerifyReport.Kind kind, String detail) {
    problems.add(new VerifyReport.Problem(path, kind, detail));
  }

  private VerifyReport report() {
    return new VerifyReport(id, problems, filesChecked, bytesChecked);
  }
}
