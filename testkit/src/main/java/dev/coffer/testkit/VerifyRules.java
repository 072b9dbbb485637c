package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.NoSuchBackupException;
import dev.coffer.Progress;
import dev.coffer.VerifyReport;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import dev.coffer.testkit.Corruptions.Corruption;
import dev.coffer.testkit.Corruptions.CorruptionKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Rules P14, P15 and P32 of the provider contract: verify reports every corruption with its kind,
 * never changes the repository, and reports its progress per file.
 */
final class VerifyRules extends ConformanceEnvironment {

  VerifyRules(ConformanceEnvironment env) {
    super(env);
  }

  void p14_intactBackup_verifiesOk(Fs fs) throws Exception {
    Backed given = realisticBackup(fs);
    VerifyReport r = given.repo.verify(given.backup.id());
    check(r.ok(), "P14", () -> "an intact backup does not verify: " + r.problems());
    check(
        r.backupId().equals(given.backup.backupId()),
        "P14",
        () -> "the report is about " + r.backupId());
    check(r.bytesChecked() >= 0 && r.filesChecked() >= 0, "P14", () -> "negative counts in " + r);
  }

  void p14_everyCorruptionOfEveryStoredFile_isReportedByVerify(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    for (Corruption m : c.all) {
      m.apply();
      try {
        Snapshot before = Snapshot.of(c.location);
        VerifyReport r;
        try {
          r = c.repo.verify(c.backup.id());
        } catch (NoSuchBackupException e) {
          check(
              c.repo.find(c.backup.id()).isEmpty(),
              "P14",
              () ->
                  "verify after "
                      + m
                      + " threw NoSuchBackupException although the backup is still listed");
          continue;
        } catch (IOException e) {
          throw broken("P14", "verify after " + m + " threw instead of reporting: " + e, e);
        }
        VerifyReport report = r;
        check(!report.ok(), "P14", () -> "verify reports ok after " + m);
        check(
            report.problems().stream().noneMatch(p -> p.path().isEmpty() || p.detail().isEmpty()),
            "P14",
            () -> "a problem names no path or detail: " + report.problems());
        unchanged("P15", "verify of a corrupted backup (" + m + ")", before, c.location);
      } finally {
        m.undo();
      }
    }
  }

  void p14_aFlipAnywhereInALargeStoredFile_isReportedAfterAnEarlierOkVerify(Fs fs)
      throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    Path source = smallTree(root.resolve("src"));
    gen.file(source.resolve("large.bin"), 600 * 1024 + gen.nextInt(4096), false);
    BackupRepository repo = open(location);
    repo.backup(smallTree(root.resolve("warm-up")));
    Snapshot before = Snapshot.of(location);
    BackupMetadata b = repo.backup(source);
    List<String> stored = new ArrayList<>(Snapshot.of(location).files());
    stored.removeAll(before.files());
    boolean large = false;
    for (String rel : stored) {
      Path p = location.resolve(rel);
      long size = Files.size(p);
      if (size < 128 * 1024) {
        continue;
      }
      large = true;
      for (long offset : List.of(0L, size / 3, 2 * size / 3, size - 1)) {
        VerifyReport ok = repo.verify(b.id());
        check(ok.ok(), "P14", () -> "an intact backup does not verify: " + ok.problems());
        byte[] saved = Files.readAllBytes(p);
        byte[] changed = saved.clone();
        changed[(int) offset] ^= (byte) 0x01;
        Files.write(p, changed);
        try {
          VerifyReport r;
          try {
            r = repo.verify(b.id());
          } catch (NoSuchBackupException e) {
            check(
                repo.find(b.id()).isEmpty(),
                "P14",
                () ->
                    "verify after flipping byte "
                        + offset
                        + " of "
                        + rel
                        + " threw NoSuchBackupException although the backup is still listed");
            continue;
          } catch (IOException e) {
            throw broken(
                "P14",
                "verify after flipping byte "
                    + offset
                    + " of "
                    + rel
                    + " threw instead of reporting: "
                    + e,
                e);
          }
          VerifyReport report = r;
          check(
              !report.ok(),
              "P14",
              () ->
                  "verify reports ok after flipping byte "
                      + offset
                      + " of the "
                      + size
                      + " bytes of stored file "
                      + rel
                      + " (it verified ok just before)");
          check(
              report.problems().stream()
                  .anyMatch(
                      pr ->
                          pr.kind() == VerifyReport.Kind.CORRUPT
                              || pr.kind() == VerifyReport.Kind.METADATA),
              "P14",
              () ->
                  "a flipped byte is reported as "
                      + report.problems()
                      + ", expected CORRUPT or METADATA");
        } finally {
          Files.write(p, saved);
        }
      }
    }
    check(
        large,
        "P14",
        () ->
            "set-up: no stored file of 128 KiB or more holds the backup's 600 KiB file: " + stored);
    VerifyReport again = repo.verify(b.id());
    check(again.ok(), "P14", () -> "the restored bytes do not verify: " + again.problems());
  }

  void p14_eachProblemIsReportedWithItsKind(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    for (Corruption m : c.all) {
      m.apply();
      try {
        VerifyReport r;
        try {
          r = c.repo.verify(c.backup.id());
        } catch (NoSuchBackupException e) {
          continue; // the whole backup is gone from the listing: checked by the twin test
        }
        Set<VerifyReport.Kind> kinds =
            r.problems().stream()
                .map(VerifyReport.Problem::kind)
                .collect(
                    Collectors.toCollection(
                        () -> java.util.EnumSet.noneOf(VerifyReport.Kind.class)));
        Set<VerifyReport.Kind> allowed =
            switch (m.kind) {
              case DELETE -> Set.of(VerifyReport.Kind.MISSING, VerifyReport.Kind.METADATA);
              case STRAY -> Set.of(VerifyReport.Kind.UNEXPECTED);
              default -> Set.of(VerifyReport.Kind.CORRUPT, VerifyReport.Kind.METADATA);
            };
        check(
            kinds.stream().anyMatch(allowed::contains),
            "P14",
            () ->
                "after "
                    + m
                    + " verify reports "
                    + r.problems()
                    + "; expected a problem of kind "
                    + allowed);
      } finally {
        m.undo();
      }
    }
  }

  void p15_verify_neverModifiesTheRepository(Fs fs) throws Exception {
    Backed given = realisticBackup(fs);
    Snapshot before = Snapshot.of(given.root.resolve("repo"));
    given.repo.verify(given.backup.id());
    given.repo.verify(given.backup.id());
    unchanged("P15", "verify of an intact backup", before, given.root.resolve("repo"));
  }

  void p15_verify_changesNoTimeInTheRepository(Fs fs) throws Exception {
    Corruptions c = corruptions(fs);
    Map<String, FileTime> before = times(c.location);
    c.repo.verify(c.backup.id());
    Map<String, FileTime> after = times(c.location);
    check(
        before.equals(after),
        "P15",
        () -> "verify of an intact backup changed times: " + timeDifferences(before, after));
    Corruption flip =
        c.all.stream().filter(m -> m.kind == CorruptionKind.FLIP).findFirst().orElse(null);
    if (flip != null) {
      flip.apply();
      try {
        Map<String, FileTime> corrupted = times(c.location);
        try {
          c.repo.verify(c.backup.id());
        } catch (NoSuchBackupException gone) {
          // the backup left the listing: nothing to verify
        }
        Map<String, FileTime> later = times(c.location);
        check(
            corrupted.equals(later),
            "P15",
            () -> "verify after " + flip + " changed times: " + timeDifferences(corrupted, later));
      } finally {
        flip.undo();
      }
    }
  }

  void p32_verifyReportsProgressPerFile_andAThrowingListenerAbortsIt(Fs fs) throws Exception {
    Backed given = realisticBackup(fs);
    List<Progress> seen = new ArrayList<>();
    VerifyReport r = given.repo.verify(given.backup.id(), seen::add);
    check(r.ok(), "P32", () -> "an intact backup does not verify with a listener: " + r.problems());
    check(!seen.isEmpty(), "P32", () -> "verify told its listener nothing");
    check(
        seen.stream().allMatch(p -> p.phase() == Progress.Phase.VERIFY),
        "P32",
        () -> "verify reported another phase: " + seen);
    for (int i = 1; i < seen.size(); i++) {
      Progress prev = seen.get(i - 1);
      Progress next = seen.get(i);
      check(
          next.filesDone() >= prev.filesDone() && next.bytesDone() >= prev.bytesDone(),
          "P32",
          () -> "progress went backwards: " + prev + " then " + next);
    }
    Progress last = seen.get(seen.size() - 1);
    check(
        last.filesDone() == r.filesChecked() && last.bytesDone() == r.bytesChecked(),
        "P32",
        () ->
            "the last report "
                + last
                + " does not match the report's "
                + r.filesChecked()
                + " files, "
                + r.bytesChecked()
                + " bytes");
    Set<Long> filesDone = new TreeSet<>();
    seen.forEach(p -> filesDone.add(p.filesDone()));
    for (long k = 0; k <= r.filesChecked(); k++) {
      long files = k;
      check(
          filesDone.contains(files),
          "P32",
          () ->
              "no report with " + files + " files done (at least one per" + " file): " + filesDone);
    }

    Snapshot before = Snapshot.of(given.root.resolve("repo"));
    int limit = Math.min(seen.size(), 12);
    for (int k = 1; k <= limit; k++) {
      int abortAt = k;
      AtomicInteger n = new AtomicInteger();
      try {
        given.repo.verify(
            given.backup.id(),
            p -> {
              if (n.incrementAndGet() == abortAt) {
                throw new IllegalStateException(
                    "coffer-tck: cancelled at progress call " + abortAt);
              }
            });
        throw broken("P32", "a verify whose listener threw at call " + k + " completed");
      } catch (IOException | RuntimeException expected) {
        // the listener's exception, as is or wrapped
      }
      unchanged(
          "P32", "a verify cancelled at progress call " + k, before, given.root.resolve("repo"));
    }
    check(
        given.repo.verify(given.backup.id()).ok(),
        "P32",
        () -> "after cancelled verifies the backup no longer verifies");
  }

  /** The last-modified time of every file and directory below {@code dir}, links not followed. */
  private static Map<String, FileTime> times(Path dir) throws IOException {
    Map<String, FileTime> out = new TreeMap<>();
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(
            p.equals(dir) ? "" : RelativePaths.relativize(dir, p),
            Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
      }
    }
    return out;
  }

  private static String timeDifferences(Map<String, FileTime> before, Map<String, FileTime> after) {
    StringBuilder sb = new StringBuilder();
    Set<String> all = new TreeSet<>(before.keySet());
    all.addAll(after.keySet());
    for (String k : all) {
      if (!java.util.Objects.equals(before.get(k), after.get(k))) {
        sb.append("\n    ")
            .append(k.isEmpty() ? "." : k)
            .append(": ")
            .append(before.get(k))
            .append(" -> ")
            .append(after.get(k));
      }
    }
    return sb.toString();
  }
}
