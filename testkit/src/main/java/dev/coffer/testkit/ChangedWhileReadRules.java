package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupWarning;
import dev.coffer.Progress;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rule P34 of the provider contract: a file that changes, is deleted or is replaced between the
 * scan and the end of its read is reported in a listed backup or fails it, never a plain success.
 * The changes are made by {@link FaultyFileSystem} at a moment no provider can avoid: right after
 * its first read of the file ({@link FaultyFileSystem#afterReads}), or as it opens the file for
 * reading ({@link FaultyFileSystem#beforeOpenForReading}).
 */
final class ChangedWhileReadRules extends ConformanceEnvironment {

  ChangedWhileReadRules(ConformanceEnvironment env) {
    super(env);
  }

  void p34_aFileChangedWhileRead_isReportedOrRefused_neverATornSuccess(Fs fs) throws Exception {
    for (Change change : Change.values()) {
      String what = change.what;
      Faulty f = faulty(fs);
      Path source = smallTree(f.root.resolve("src"));
      Path big = source.resolve("big.bin");
      gen.file(big, 200_000, false);
      BackupRepository repo = open(f.root.resolve("repo"));
      List<BackupMetadata> before = repo.list();
      AtomicInteger changes = new AtomicInteger();
      f.fs.afterReads(big, 1, p -> changeWhileRead(p, change, changes));
      List<Progress> reports = new ArrayList<>();
      BackupMetadata b;
      try {
        b = repo.backup(BackupRequest.full(source).withProgress(reports::add));
      } catch (IOException e) {
        check(
            changes.get() == 1 && repo.list().equals(before),
            "P34",
            () ->
                "a backup refused because a file " + what + " while it was read listed something");
        continue;
      }
      check(
          changes.get() == 1,
          "P34",
          () -> "big.bin was stored without being read through a channel");
      check(
          b.warnings().stream()
              .anyMatch(
                  w ->
                      w.kind() == BackupWarning.Kind.CHANGED_WHILE_READ
                          && w.path().equals("big.bin")),
          "P34",
          () ->
              "a file that "
                  + what
                  + " while it was read: the backup succeeded without a CHANGED_WHILE_READ warning"
                  + " naming it; warnings: "
                  + b.warnings());
      check(
          repo.list().stream().anyMatch(m -> m.id().equals(b.id())),
          "P34",
          () -> "a backup with a changed-file warning is not listed");
      progressKeptItsTotals(reports, b, "a file that " + what + " while it was read", null);
    }
  }

  void p34_changedFilesRetry_readsAFileThatChangedOnceAgain_andStoresTheStableReadWithoutAWarning(
      Fs fs) throws Exception {
    Faulty f = faulty(fs);
    Path big = bigFileIn(f);
    Map<String, String> opts = new LinkedHashMap<>(options());
    opts.put("changed-files", "retry");
    BackupRepository repo = open(f.root.resolve("repo"), provider, opts);
    AtomicInteger changes = new AtomicInteger();
    f.fs.afterReads(big, 1, p -> changeWhileRead(p, Change.GROWS, changes));
    BackupMetadata b = repo.backup(f.root.resolve("src"));
    check(changes.get() == 1, "P34", () -> "big.bin was stored without being read");
    check(
        b.warnings().stream().noneMatch(w -> w.path().equals("big.bin")),
        "P34",
        () ->
            "under changed-files=retry, a file that grew during its first read only and was read"
                + " again has a warning: "
                + b.warnings());
    Path out = f.root.resolve("restored");
    repo.restore(b.id(), out);
    byte[] now = Files.readAllBytes(big);
    check(
        java.util.Arrays.equals(now, Files.readAllBytes(out.resolve("big.bin"))),
        "P34",
        () ->
            "under changed-files=retry, big.bin is not restored as its stable read again ("
                + now.length
                + " bytes)");
  }

  /**
   * P34's progress: no report has more bytes or files done than its totals (they follow a file read
   * at another size than scanned, and drop a file left out), the last report of the backup is its
   * totals, and a file left out ({@code toldAbout}, unless null) is named by a report, so a user
   * interface sees it.
   */
  private void progressKeptItsTotals(
      List<Progress> reports, BackupMetadata b, String what, String toldAbout) {
    List<Progress> backup =
        reports.stream().filter(p -> p.phase() == Progress.Phase.BACKUP).toList();
    for (Progress p : backup) {
      check(
          (p.bytesTotal() < 0 || p.bytesDone() <= p.bytesTotal())
              && (p.filesTotal() < 0 || p.filesDone() <= p.filesTotal()),
          "P34",
          () -> what + ": a progress report has more done than its total: " + p);
    }
    lastReportIsTheTotals("P34", what, backup, b);
    if (toldAbout != null) {
      check(
          backup.stream().anyMatch(p -> p.currentPath().equals(toldAbout)),
          "P34",
          () -> what + ": no progress report names " + toldAbout + ": " + backup);
    }
  }

  void p34_changedFilesFail_refusesABackupOfAFileThatGrewWhileRead_andListsNothing(Fs fs)
      throws Exception {
    Faulty f = faulty(fs);
    Path source = smallTree(f.root.resolve("src"));
    Path big = source.resolve("big.bin");
    gen.file(big, 200_000, false);
    Map<String, String> opts = new LinkedHashMap<>(options());
    opts.put("changed-files", "fail");
    BackupRepository repo = open(f.root.resolve("repo"), provider, opts);
    List<BackupMetadata> before = repo.list();
    AtomicInteger changes = new AtomicInteger();
    f.fs.afterReads(big, 1, p -> changeWhileRead(p, Change.GROWS, changes));
    BackupMetadata b;
    try {
      b = repo.backup(source);
    } catch (IOException e) {
      check(
          repo.list().equals(before),
          "P34",
          () -> "a backup refused under changed-files=fail listed something");
      return;
    }
    throw broken(
        "P34",
        "with changed-files=fail, a backup of a file that grew while it was read succeeded; warnings: "
            + b.warnings());
  }

  /** How P34's check changes a file right after the provider's first read of it. */
  private enum Change {
    GROWS("grew"),
    SHRINKS("shrank"),
    REWRITTEN("was rewritten at the same size");

    final String what;

    Change(String what) {
      this.what = what;
    }
  }

  /**
   * Appends 5000 bytes to {@code file}, truncates it to 100, or overwrites its first 4096 bytes and
   * moves its modification time 5 s on (a rewrite that keeps the size, seen through the time even
   * on a file system with coarse timestamps); counts the change.
   */
  private static void changeWhileRead(Path file, Change change, AtomicInteger changes) {
    try {
      switch (change) {
        case GROWS -> Files.write(file, new byte[5000], java.nio.file.StandardOpenOption.APPEND);
        case SHRINKS -> {
          try (java.nio.channels.FileChannel ch =
              java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(100);
          }
        }
        case REWRITTEN -> {
          java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(file);
          try (java.nio.channels.FileChannel ch =
              java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            byte[] other = new byte[4096];
            java.util.Arrays.fill(other, (byte) 0x5a);
            ch.write(java.nio.ByteBuffer.wrap(other), 0);
          }
          Files.setLastModifiedTime(
              file, java.nio.file.attribute.FileTime.from(mtime.toInstant().plusSeconds(5)));
        }
      }
      changes.incrementAndGet();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  void p34_aFileDeletedOrReplacedBetweenScanAndRead_isReportedOrRefused_neverAPlainSuccess(Fs fs)
      throws Exception {
    for (Swap swap : Swap.values()) {
      Faulty f = faulty(fs);
      Path big = bigFileIn(f);
      AtomicInteger swaps = new AtomicInteger();
      f.fs.beforeOpenForReading(big, p -> swap(p, swap, swaps));
      reportedOrRefused(f, swap, "between the scan and the read", swaps);
    }
  }

  void p34_aFileDeletedOrReplacedWhileRead_isReportedOrRefused_neverAPlainSuccess(Fs fs)
      throws Exception {
    for (Swap swap : Swap.values()) {
      Faulty f = faulty(fs);
      Path big = bigFileIn(f);
      AtomicInteger swaps = new AtomicInteger();
      f.fs.afterReads(big, 1, p -> swap(p, swap, swaps));
      reportedOrRefused(f, swap, "while it was read", swaps);
    }
  }

  private Path bigFileIn(Faulty f) throws IOException {
    Path source = smallTree(f.root.resolve("src"));
    Path big = source.resolve("big.bin");
    gen.file(big, 200_000, false);
    return big;
  }

  /**
   * Backs up {@code f}'s source, in which big.bin is {@code swap}ped {@code when}: the backup fails
   * and lists nothing, or it is listed with a warning naming big.bin: for a deleted file {@code
   * VANISHED_WHILE_READ} (or {@code CHANGED_WHILE_READ} when it was deleted while open, its bytes
   * read), for a replaced one {@code CHANGED_WHILE_READ}; and a deleted file is not in the backup.
   */
  private void reportedOrRefused(Faulty f, Swap swap, String when, AtomicInteger swaps)
      throws IOException {
    BackupRepository repo = open(f.root.resolve("repo"));
    List<BackupMetadata> before = repo.list();
    String what = "a file " + swap.what + " " + when;
    List<Progress> reports = new ArrayList<>();
    BackupMetadata b;
    try {
      b = repo.backup(BackupRequest.full(f.root.resolve("src")).withProgress(reports::add));
    } catch (IOException e) {
      check(
          swaps.get() == 1 && repo.list().equals(before),
          "P34",
          () -> "a backup refused because " + what + " listed something");
      return;
    }
    check(swaps.get() == 1, "P34", () -> "big.bin was stored without being opened and read");
    boolean deletedBeforeRead = swap == Swap.DELETED && when.startsWith("between");
    List<BackupWarning.Kind> allowed =
        swap == Swap.REPLACED
            ? List.of(BackupWarning.Kind.CHANGED_WHILE_READ)
            : deletedBeforeRead
                ? List.of(BackupWarning.Kind.VANISHED_WHILE_READ)
                : List.of(
                    BackupWarning.Kind.VANISHED_WHILE_READ, BackupWarning.Kind.CHANGED_WHILE_READ);
    check(
        b.warnings().stream()
            .anyMatch(w -> allowed.contains(w.kind()) && w.path().equals("big.bin")),
        "P34",
        () ->
            what
                + ": the backup succeeded without a "
                + allowed
                + " warning naming big.bin; warnings: "
                + b.warnings());
    check(
        repo.list().stream().anyMatch(m -> m.id().equals(b.id())),
        "P34",
        () -> "a backup with a warning for " + what + " is not listed");
    progressKeptItsTotals(reports, b, what, deletedBeforeRead ? "big.bin" : null);
    if (deletedBeforeRead) {
      Path out = f.root.resolve("restored");
      repo.restore(b.id(), out);
      check(
          !Files.exists(out.resolve("big.bin"), LinkOption.NOFOLLOW_LINKS),
          "P34",
          () -> "a file deleted before it was read is restored from a backup that left it out");
    }
  }

  /** How P34's checks take a file away: deleted, or renamed over by another file. */
  private enum Swap {
    DELETED("deleted"),
    REPLACED("replaced by another of the same size and time");

    final String what;

    Swap(String what) {
      this.what = what;
    }
  }

  /**
   * Deletes {@code file}, or renames over it a new file with other bytes of the same size and the
   * same modification time, so that only its identity (file key, change time) tells; counts it.
   */
  private static void swap(Path file, Swap swap, AtomicInteger swaps) {
    try {
      if (swap == Swap.DELETED) {
        Files.delete(file);
      } else {
        Path other = file.resolveSibling("big.bin.new");
        byte[] bytes = new byte[(int) Files.size(file)];
        java.util.Arrays.fill(bytes, (byte) 0x5a);
        Files.write(other, bytes);
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(file));
        Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      swaps.incrementAndGet();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
