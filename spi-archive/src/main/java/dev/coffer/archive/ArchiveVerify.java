package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * One verification of a Coffer archive: reads every record front to back against the manifest
 * (falling back to each file's offset after damage), checks the manifest's paths and its base
 * chain, and collects problems instead of throwing, except for a wrong key. Receives the layout and
 * the settings.
 */
final class ArchiveVerify {
  private final RepositoryLayout layout;
  private final Keyring keyring;
  private final GcmWarmupSwitch warmup;
  private final int threads;
  private final boolean keyChecked;
  private final String id;
  private final Path file;
  private final ProgressListener listener;
  private final List<VerifyReport.Problem> problems = new ArrayList<>();
  private long filesChecked;
  private long bytesChecked;
  private long filesTotal = -1;
  private long bytesTotal = -1;

  /**
   * A verification of the archive {@code file} of backup {@code id}.
   *
   * @param keyChecked whether the repository's key check accepted the settings' key at open (a
   *     wrong key is then a damaged or foreign archive, reported; otherwise it may be the caller's
   *     key, and is thrown)
   */
  ArchiveVerify(
      RepositoryLayout layout,
      ArchiveSettings settings,
      boolean keyChecked,
      String id,
      Path file,
      ProgressListener listener) {
    this.layout = layout;
    this.keyring = settings.keyring();
    this.warmup = settings.warmup();
    this.threads = settings.threads();
    this.keyChecked = keyChecked;
    this.id = id;
    this.file = file;
    this.listener = listener;
  }

  private void progress(String path) {
    listener.onProgress(
        new Progress(
            Progress.Phase.VERIFY, filesChecked, filesTotal, bytesChecked, bytesTotal, path));
  }

  private void problem(String path, VerifyReport.Kind kind, String detail) {
    problems.add(new VerifyReport.Problem(path, kind, detail));
  }

  VerifyReport run() throws IOException {
    ExecutorService pool = Workers.newPool(threads);
    try {
      return runWith(pool);
    } finally {
      pool.shutdown();
    }
  }

  private VerifyReport runWith(ExecutorService pool) throws IOException {
    try (ArchiveReader r = ArchiveReader.open(file, id, keyring, warmup, pool, 2 * threads)) {
      Manifest m;
      try {
        m = r.manifest();
      } catch (CorruptBackupException e) {
        problem("(manifest)", VerifyReport.Kind.METADATA, e.getMessage());
        scan(r, null);
        return report();
      }
      try {
        m.checkPaths();
      } catch (CorruptBackupException e) {
        problem(e.path().orElse("(manifest)"), VerifyReport.Kind.METADATA, e.getMessage());
      }
      scan(r, m);
      checkChain(m);
    } catch (WrongKeyException e) {
      if (!keyChecked) {
        throw e; // the repository's key was not checked at open: this may be the caller's key
      }
      // the key opened the repository's key check, so this archive is damaged, planted or foreign
      problem(
          "(header)",
          VerifyReport.Kind.METADATA,
          "archive "
              + file.getFileName()
              + " does not authenticate "
              + "with this repository's key (a damaged header, or an archive written with another key): "
              + e.getMessage());
    } catch (CorruptBackupException e) {
      problem(e.path().orElse("(archive)"), VerifyReport.Kind.CORRUPT, e.getMessage());
    }
    return report();
  }

  private VerifyReport report() {
    return new VerifyReport(id, problems, filesChecked, bytesChecked);
  }

  /**
   * Reads every record front to back; on a failure, falls back to reading each file at its offset.
   */
  private void scan(ArchiveReader r, Manifest m) throws IOException {
    Map<String, Manifest.FileEntry> own = new LinkedHashMap<>();
    Set<String> dirs = new HashSet<>();
    if (m != null) {
      m.files().stream().filter(f -> f.archive().equals(id)).forEach(f -> own.put(f.path(), f));
      dirs.addAll(m.directories());
      filesTotal = own.size();
      bytesTotal = own.values().stream().mapToLong(Manifest.FileEntry::size).sum();
    }
    progress("");
    Set<String> seenFiles = new HashSet<>();
    Set<String> seenDirs = new HashSet<>();
    try {
      r.rewind();
      while (true) {
        ArchiveReader.Record rec = r.nextRecord(raw -> {});
        if (rec.type() == Format.REC_MANIFEST) {
          break;
        }
        if (rec.type() == Format.REC_DIR) {
          if (!dirs.contains(rec.path()) && m != null) {
            problem(
                rec.path(), VerifyReport.Kind.UNEXPECTED, "directory record not in the manifest");
          }
          seenDirs.add(rec.path());
          continue;
        }
        filesChecked++;
        bytesChecked += rec.size();
        progress(rec.path());
        seenFiles.add(rec.path());
        Manifest.FileEntry f = own.get(rec.path());
        if (m == null) {
          continue;
        }
        if (f == null || f.offset() != rec.offset()) {
          problem(rec.path(), VerifyReport.Kind.UNEXPECTED, "file record not in the manifest");
        } else if (f.size() != rec.size() || !f.sha256().equals(FileHasher.hex(rec.sha256()))) {
          problem(
              rec.path(),
              VerifyReport.Kind.CORRUPT,
              "content does not match the manifest's sha256 " + f.sha256());
        }
      }
    } catch (CorruptBackupException e) {
      problem(e.path().orElse("(archive)"), VerifyReport.Kind.CORRUPT, e.getMessage());
      // try every file the scan did not reach, so the report names each damaged path
      for (Manifest.FileEntry f : own.values()) {
        if (seenFiles.contains(f.path())) {
          continue;
        }
        seenFiles.add(f.path());
        try {
          ArchiveReader.Record rec = r.readFile(f.offset(), f.path(), raw -> {});
          filesChecked++;
          bytesChecked += rec.size();
          progress(f.path());
          if (f.size() != rec.size() || !f.sha256().equals(FileHasher.hex(rec.sha256()))) {
            problem(f.path(), VerifyReport.Kind.CORRUPT, "content does not match the manifest");
          }
        } catch (CorruptBackupException again) {
          problem(f.path(), VerifyReport.Kind.CORRUPT, again.getMessage());
        }
      }
      return;
    }
    for (String p : own.keySet()) {
      if (!seenFiles.contains(p)) {
        problem(p, VerifyReport.Kind.MISSING, "file listed in the manifest has no record");
      }
    }
    for (String d : dirs) {
      if (!seenDirs.contains(d)) {
        problem(d, VerifyReport.Kind.MISSING, "directory listed in the manifest has no record");
      }
    }
  }

  private void checkChain(Manifest m) throws IOException {
    if (m.baseBackupId() == null) {
      for (Manifest.FileEntry f : m.files()) {
        if (!f.archive().equals(id)) {
          problem(f.path(), VerifyReport.Kind.METADATA, "a full backup refers to another archive");
        }
      }
      return;
    }
    BaseChain chain;
    try {
      chain = BaseChain.open(layout, keyring, warmup, id, null, 2 * threads);
    } catch (CorruptBackupException e) {
      problem("(base " + m.baseBackupId() + ")", VerifyReport.Kind.METADATA, e.getMessage());
      return;
    }
    try (chain) {
      for (Manifest.FileEntry f : m.files()) {
        if (!f.archive().equals(id)) {
          try {
            chain.checkForeignEntry(f);
          } catch (CorruptBackupException e) {
            problem(f.path(), VerifyReport.Kind.METADATA, e.getMessage());
          }
        }
      }
    }
  }
}
