package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.CorruptBackupException;
import dev.coffer.ProgressListener;
import dev.coffer.VerifyReport.Kind;
import dev.coffer.VerifyReport.Problem;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A backup in Coffer's format: every directory, file (with its size and CRC32C) and link recorded
 * in {@code metadata.json}, so each stored file is checked by itself and the stored tree must match
 * the recorded one exactly.
 *
 * @param dir the backup's directory
 * @param id its id
 * @param manifest its parsed metadata
 */
record CofferBackup(Path dir, String id, Manifest manifest) implements StoredBackup {

  @Override
  public boolean sidecarRequired() {
    return true;
  }

  @Override
  public boolean hardLinkable() {
    return true;
  }

  @Override
  public Contents contents() throws IOException {
    Path data = data();
    if (!Files.isDirectory(data, NOFOLLOW_LINKS)) {
      throw new CorruptBackupException("data directory of backup " + id + " is missing", null);
    }
    List<Problem> problems = structureProblems(StoredTree.walk(data));
    if (!problems.isEmpty()) {
      Problem p = problems.get(0);
      throw new CorruptBackupException(
          "backup " + id + " failed its check: " + p.path() + ": " + p.kind() + ", " + p.detail(),
          p.path());
    }
    return new Contents(manifest.files(), manifest.directories(), manifest.symlinks());
  }

  @Override
  public WholeCheck wholeCheck() {
    return WholeCheck.NONE;
  }

  @Override
  public Checked verifyData(
      StoredTree stored, ParallelCopy copies, ProgressListener listener, List<Problem> problems)
      throws IOException {
    Path data = data();
    if (!Files.isDirectory(data, NOFOLLOW_LINKS) && !stored.others.containsKey(Layout.DATA)) {
      problems.add(
          new Problem(Layout.DATA, Kind.MISSING, "data directory of backup " + id + " is missing"));
    }
    problems.addAll(structureProblems(stored));
    List<FileEntry> present =
        manifest.files().stream().filter(f -> stored.files.containsKey(f.path())).toList();
    List<ParallelCopy.Job> jobs =
        present.stream()
            .map(f -> new ParallelCopy.Job(Layout.under(data, f.path()), null, f.size(), false))
            .toList();
    long[] checked = {0, 0}; // files, bytes
    VerifyProgress progress = new VerifyProgress(listener, checked, jobs);
    copies.run(
        jobs,
        (k, n) -> progress.in(present.get(k).path(), n),
        (k, sums) -> {
          FileEntry f = present.get(k);
          progress.done(f.path(), sums.size());
          if (sums.size() != f.size()) {
            problems.add(
                new Problem(
                    f.path(),
                    Kind.CORRUPT,
                    "size: recorded " + f.size() + " bytes, stored " + sums.size()));
          } else if (sums.crc32c() != f.crc32c()) {
            problems.add(
                new Problem(
                    f.path(),
                    Kind.CORRUPT,
                    "crc32c: recorded "
                        + Checksums.hex(f.crc32c())
                        + ", computed "
                        + Checksums.hex(sums.crc32c())));
          }
        });
    return new Checked(checked[0], checked[1]);
  }

  @Override
  public long storedDataBytes() {
    long total = 0;
    for (FileEntry f : manifest.files()) {
      if (!f.linked()) {
        total += f.size();
      }
    }
    return total;
  }

  /**
   * Compares the recorded directories and files with what is stored: missing, unexpected,
   * inconsistent.
   */
  private List<Problem> structureProblems(StoredTree stored) {
    List<Problem> problems = new ArrayList<>();
    stored.others.forEach(
        (p, what) -> problems.add(new Problem(p, Kind.UNEXPECTED, what + " in stored data")));
    Set<String> expectedDirs = new LinkedHashSet<>(manifest.directories());
    Set<String> expectedFiles = new HashSet<>();
    long whole = 0;
    for (FileEntry f : manifest.files()) {
      expectedDirs.addAll(RelativePaths.ancestors(f.path()));
      expectedFiles.add(f.path());
      whole = Checksums.appendFile(whole, f.path(), f.crc32(), f.size());
    }
    if (whole != manifest.checksum()) {
      problems.add(
          new Problem(
              Layout.METADATA,
              Kind.METADATA,
              "checksum field "
                  + Checksums.hex(manifest.checksum())
                  + " does not match the file entries ("
                  + Checksums.hex(whole)
                  + ")"));
    }
    for (String d : stored.directories) {
      if (!expectedDirs.contains(d)) {
        problems.add(new Problem(d, Kind.UNEXPECTED, "directory not recorded in backup " + id));
      }
    }
    for (String d : expectedDirs) {
      if (!stored.directories.contains(d) && !stored.others.containsKey(d)) {
        problems.add(new Problem(d, Kind.MISSING, "recorded directory missing from backup " + id));
      }
    }
    for (String f : stored.files.keySet()) {
      if (!expectedFiles.contains(f)) {
        problems.add(new Problem(f, Kind.UNEXPECTED, "file not recorded in backup " + id));
      }
    }
    for (FileEntry f : manifest.files()) {
      if (!stored.files.containsKey(f.path()) && !stored.others.containsKey(f.path())) {
        problems.add(
            new Problem(f.path(), Kind.MISSING, "recorded file missing from backup " + id));
      }
    }
    return problems;
  }
}
