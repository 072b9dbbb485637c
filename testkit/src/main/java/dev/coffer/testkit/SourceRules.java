package dev.coffer.testkit;

import dev.coffer.BackupException;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupSource;
import dev.coffer.BackupWarning;
import dev.coffer.SourceEnd;
import dev.coffer.SpecialFiles;
import dev.coffer.VerifyReport;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P30, P31 and P33 of the provider contract (P34 is {@link ChangedWhileReadRules}'s): special
 * files skipped with a warning or refused, followed links stored as their targets, and a host's
 * exclusions and finisher.
 */
final class SourceRules extends ConformanceEnvironment {

  SourceRules(ConformanceEnvironment env) {
    super(env);
  }

  void p30_specialFiles_areSkippedAndReportedOrRefused_neverSilently() throws Exception {
    Path root = root(Fs.DISK);
    Path source = smallTree(root.resolve("src"));
    Snapshot expected = Snapshot.of(source);
    BackupRepository repo = open(root.resolve("repo"));
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(source.resolve("a").resolve("coffer.sock")));
      Snapshot before = Snapshot.of(root.resolve("repo"));
      BackupMetadata b = null;
      try {
        b = repo.backup(source);
      } catch (BackupException e) {
        check(
            !capabilities.contains(Capability.POSIX_ATTRIBUTES),
            "P30",
            () ->
                "a provider with POSIX_ATTRIBUTES refused a source holding a socket instead of skipping it: "
                    + e);
        check(
            String.valueOf(e.getMessage()).contains("coffer.sock"),
            "P30",
            () -> "the refusal does not name the socket: " + e.getMessage());
        unchanged("P30", "a refused backup", before, root.resolve("repo"));
      }
      if (b != null) {
        BackupId id = b.id();
        BackupWarning want =
            new BackupWarning("a/coffer.sock", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket");
        check(
            b.warnings().contains(want),
            "P30",
            () -> "the socket was skipped without a warning: " + warningsOf(repo, id));
        check(
            repo.find(id).orElseThrow().warnings().contains(want),
            "P30",
            () -> "the warning is not kept with the backup: find() gives " + warningsOf(repo, id));
        Path target = root.resolve("restored");
        repo.restore(id, target);
        sameTree("P30", "a restore of a source with a skipped socket", expected, target);
      }
      refusedNaming(
          "P30",
          "a backup under SpecialFiles.FAIL of a source with a socket",
          "coffer.sock",
          root.resolve("repo"),
          () -> repo.backup(BackupRequest.full(source).withSpecialFiles(SpecialFiles.FAIL)));
    }
  }

  void p30_nameThatIsNotUtf8_isRefusedShowingItsBytes() throws Exception {
    Path root = root(Fs.DISK);
    Path source = smallTree(root.resolve("src"));
    Process p =
        new ProcessBuilder(
                "sh",
                "-c",
                "touch \"$1/$(printf 'x\\377y')\"",
                "sh",
                source.resolve("a").toString())
            .redirectErrorStream(true)
            .start();
    Assumptions.assumeTrue(p.waitFor() == 0, "this disk refuses names that are not UTF-8");
    BackupRepository repo = open(root.resolve("repo"));
    refusedNaming(
        "P30",
        "a backup of a name that is not UTF-8",
        "78 ff 79",
        root.resolve("repo"),
        () -> repo.backup(source));
  }

  void p31_followedLinks_areStoredAsTheirTargetsOrRefused(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path wal = smallTree(root.resolve("wal-elsewhere"));
    Path space = Files.createDirectories(root.resolve("space"));
    Files.writeString(space.resolve("16385"), "table");
    Files.createDirectories(source.resolve("pg_tblspc"));
    Files.createSymbolicLink(source.resolve("pg_wal"), wal);
    Files.createSymbolicLink(source.resolve("pg_tblspc").resolve("16384"), space);
    BackupRepository repo = open(root.resolve("repo"));
    Snapshot before = Snapshot.of(root.resolve("repo"));
    BackupRequest request =
        BackupRequest.full(source).withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*"));
    BackupMetadata b;
    try {
      b = repo.backup(request);
    } catch (UnsupportedOperationException | BackupException e) {
      check(
          !capabilities.contains(Capability.POSIX_ATTRIBUTES),
          "P31",
          () -> "a provider with POSIX_ATTRIBUTES refused to follow links: " + e);
      check(
          e instanceof UnsupportedOperationException
              || String.valueOf(e.getMessage()).contains("pg_"),
          "P31",
          () -> "the refusal names neither the capability nor the link: " + e.getMessage());
      unchanged("P31", "a refused backup", before, root.resolve("repo"));
      return;
    }
    Path target = root.resolve("restored");
    repo.restore(b.id(), target);
    check(
        Files.isDirectory(target.resolve("pg_wal"), LinkOption.NOFOLLOW_LINKS),
        "P31",
        () -> "pg_wal was not restored as a real directory");
    sameTree("P31", "the followed pg_wal", Snapshot.of(wal), target.resolve("pg_wal"));
    sameTree(
        "P31",
        "the followed tablespace",
        Snapshot.of(space),
        target.resolve("pg_tblspc").resolve("16384"));
    long restoredFiles = Snapshot.of(target).fileCount();
    check(
        b.totalFiles() == restoredFiles,
        "P31",
        () ->
            "totalFiles is "
                + b.totalFiles()
                + " for "
                + restoredFiles
                + " files stored, followed targets included");
    check(
        Files.isSymbolicLink(source.resolve("pg_wal")),
        "P31",
        () -> "the backup changed the source's link");
  }

  private static String warningsOf(BackupRepository repo, BackupId id) {
    try {
      return repo.find(id).map(m -> m.warnings().toString()).orElse("(not found)");
    } catch (IOException e) {
      return "(find failed: " + e + ")";
    }
  }

  void p33_excludedEntries_areLeftOutWithoutBeingRead(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Files.writeString(source.resolve("server.pid"), "4711");
    Files.createDirectories(source.resolve("log").resolve("archive"));
    gen.file(source.resolve("log").resolve("000001"), 2000, false);
    gen.file(source.resolve("log").resolve("archive").resolve("000000"), 700, false);
    gen.file(source.resolve("a").resolve("b").resolve("tmp.1"), 100, false);
    // a broken link: stored, it shows in the restore; named as followed (P31), reading it fails the
    // backup
    Files.createSymbolicLink(source.resolve("gone"), root.resolve("no-such-directory"));
    Path expectedDir = root.resolve("expected");
    copyTree(source, expectedDir); // links are not copied
    Files.delete(expectedDir.resolve("server.pid"));
    FileTrees.deleteRecursively(expectedDir.resolve("log").resolve("archive"));
    Files.delete(expectedDir.resolve("log").resolve("000001"));
    Files.delete(expectedDir.resolve("a").resolve("b").resolve("tmp.1"));
    Snapshot expected = Snapshot.of(expectedDir);
    BackupRepository repo = open(root.resolve("repo"));
    BackupRequest request =
        BackupRequest.full(source).withExcluded(Set.of("server.pid", "log/*", "a/b/tmp.?", "gone"));
    if (capabilities.contains(
        Capability.POSIX_ATTRIBUTES)) { // followed links are required with it (P31)
      request = request.withFollowedLinks(Set.of("gone"));
    }
    BackupMetadata b;
    try {
      b = repo.backup(request);
    } catch (IOException e) {
      throw broken("P33", "a backup whose excluded entries cannot be read failed: " + e, e);
    }
    holdsExactly(
        "a backup with exclusions (log/* keeps log, empty)",
        repo,
        b,
        expected,
        root.resolve("restored"));
  }

  void p33_finish_runsOnceAfterTheCopyBeforePublication_andItsFilesAndLabelsAreInTheBackup(Fs fs)
      throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Files.createDirectories(source.resolve("log"));
    gen.file(source.resolve("log").resolve("000001"), 3000, false);
    Files.writeString(source.resolve("server.pid"), "4711");
    Path expectedDir = root.resolve("expected");
    copyTree(source, expectedDir); // the source as it is copied, before the finisher changes it
    Files.delete(expectedDir.resolve("server.pid"));
    Set<String> sourceFiles = Snapshot.of(expectedDir).files();
    Path end = root.resolve("end");
    BackupRepository repo = open(root.resolve("repo"));
    List<BackupMetadata> before = repo.list();
    List<String> events = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    BackupSource host =
        new BackupSource() {
          @Override
          public Path directory() {
            return source;
          }

          @Override
          public Map<String, String> labels() {
            return Map.of("start", "0/1");
          }

          @Override
          public Set<String> excluded() {
            return Set.of("server.pid");
          }

          @Override
          public SourceEnd finish() throws IOException {
            events.add("finish");
            if (!repo.list().equals(before)) {
              wrong.add("list() already shows the backup when finish runs");
            }
            for (String f :
                sourceFiles) { // the host goes on writing; what it writes now must not reach the
              // backup
              Files.writeString(source.resolve(f), "changed after the copy of " + f);
            }
            Files.createDirectories(end.resolve("log"));
            Files.createDirectories(end.resolve("extra").resolve("empty"));
            gen.file(end.resolve("log").resolve("000002"), 1500, false);
            Files.writeString(end.resolve("backup_label"), "START 0/1\nSTOP 0/2\n");
            return new SourceEnd(end, Map.of("stop", "0/2"));
          }

          @Override
          public void completed(BackupMetadata backup) {
            events.add("completed");
          }

          @Override
          public void close() {
            events.add("close");
          }
        };
    BackupMetadata b;
    try {
      b = repo.backup(host);
    } catch (IOException e) {
      throw broken("P33", "a backup with a finisher failed: " + e, e);
    }
    check(
        events.equals(List.of("finish", "completed", "close")),
        "P33",
        () ->
            "the host's calls were " + events + "; expected finish once, then completed and close");
    check(wrong.isEmpty(), "P33", () -> String.join("; ", wrong));
    check(
        b.labels().equals(Map.of("start", "0/1", "stop", "0/2")),
        "P33",
        () -> "labels are " + b.labels() + "; expected the source's and the finisher's");
    copyTree(end, expectedDir);
    Snapshot expected = Snapshot.of(expectedDir);
    check(
        repo.list().stream().anyMatch(m -> m.equals(b)),
        "P33",
        () -> "list() does not show the finished backup");
    holdsExactly("a backup with a finisher's files", repo, b, expected, root.resolve("restored"));
  }

  void p33_finisherFiles_areCountedByProgress(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path end = Files.createDirectories(root.resolve("end").resolve("a"));
    gen.file(end.resolve("added.bin"), 4000, false);
    List<dev.coffer.Progress> reports = new ArrayList<>();
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b =
        repo.backup(
            BackupRequest.full(source)
                .withProgress(reports::add)
                .withFinisher(() -> new SourceEnd(end.getParent(), null)));
    check(
        b.totalFiles() == Snapshot.of(source).fileCount() + 1,
        "P33",
        () -> "totalFiles " + b.totalFiles() + " does not count the finisher's file");
    lastReportIsTheTotals("P33", "a backup with a finisher's file", reports, b);
  }

  void p33_incrementalCapability_holdsItsOwnFinisherFilesOnly(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.INCREMENTAL), "no INCREMENTAL capability: see P12");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path end1 = Files.createDirectories(root.resolve("end1").resolve("a").resolve("log"));
    Files.writeString(end1.resolve("000002"), "the base's segment");
    Files.writeString(end1.getParent().getParent().resolve("label"), "the base's label");
    Path end2 = Files.createDirectories(root.resolve("end2"));
    Files.writeString(end2.resolve("label"), "the incremental's own label");
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata base =
        repo.backup(
            BackupRequest.full(source)
                .withFinisher(() -> new SourceEnd(root.resolve("end1"), Map.of("stop", "0/2"))));
    BackupMetadata incr =
        repo.backup(
            BackupRequest.incremental(source, base.id())
                .withFinisher(() -> new SourceEnd(end2, Map.of("stop", "0/3"))));
    check(
        incr.labels().equals(Map.of("stop", "0/3")),
        "P33",
        () -> "the incremental's labels are " + incr.labels());
    Path expectedDir = root.resolve("expected");
    copyTree(source, expectedDir);
    copyTree(end2, expectedDir);
    Snapshot expected = Snapshot.of(expectedDir);
    holdsExactly(
        "an incremental whose base had other finisher files",
        repo,
        incr,
        expected,
        root.resolve("restored"));
  }

  /**
   * P33: the backup's totals are those of {@code expected}, it verifies, and it restores to exactly
   * that tree.
   */
  private void holdsExactly(
      String what, BackupRepository repo, BackupMetadata b, Snapshot expected, Path target)
      throws IOException {
    check(
        b.totalFiles() == expected.fileCount() && b.totalBytes() == expected.totalBytes(),
        "P33",
        () ->
            what
                + " has totals "
                + b.totalFiles()
                + "/"
                + b.totalBytes()
                + "; expected "
                + expected.fileCount()
                + "/"
                + expected.totalBytes());
    VerifyReport report = repo.verify(b.id());
    check(report.ok(), "P33", () -> what + " does not verify: " + report.problems());
    repo.restore(b.id(), target);
    sameTree("P33", what + ", restored,", expected, target);
  }

  void p33_failingOrCollidingFinisher_failsTheBackupAndPublishesNothing(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    Path clash = Files.createDirectories(root.resolve("clash").resolve("a"));
    Files.writeString(clash.resolve("one.txt"), "another one.txt");
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupMetadata first = repo.backup(source);
    Set<String> pathsBefore = new TreeSet<>(Snapshot.of(location).entries().keySet());
    Map<String, BackupRequest.Finisher> cases = new LinkedHashMap<>();
    cases.put(
        "a finisher that throws",
        () -> {
          throw new IOException("coffer-tck: the host could not end its backup mode");
        });
    cases.put(
        "a finisher returning a/one.txt, which the source has",
        () -> new SourceEnd(clash.getParent(), null));
    cases.put(
        "a finisher returning label 'start', which the backup has",
        () -> new SourceEnd(null, Map.of("start", "again")));
    for (Map.Entry<String, BackupRequest.Finisher> c : cases.entrySet()) {
      AtomicInteger calls = new AtomicInteger();
      BackupRequest.Finisher counted =
          () -> {
            calls.incrementAndGet();
            return c.getValue().finish();
          };
      IOException e =
          expect(
              IOException.class,
              "P33",
              "a backup with " + c.getKey(),
              () ->
                  repo.backup(
                      BackupRequest.full(source).withLabel("start", "0/1").withFinisher(counted)));
      check(calls.get() == 1, "P33", () -> c.getKey() + " was called " + calls.get() + " times");
      if (c.getKey().contains("a/one.txt")) {
        check(
            String.valueOf(e.getMessage()).contains("a/one.txt"),
            "P33",
            () -> "the refusal of " + c.getKey() + " does not name it: " + e.getMessage());
      }
      List<BackupMetadata> listed = repo.list();
      check(
          listed.equals(List.of(first)),
          "P33",
          () -> "after a backup with " + c.getKey() + ", list() is " + listed);
    }
    try (BackupRepository again = openAt(provider(), location, options())) {
      Set<String> pathsAfter = new TreeSet<>(Snapshot.of(location).entries().keySet());
      check(
          pathsAfter.equals(pathsBefore),
          "P33",
          () ->
              "failed finishers left files behind: "
                  + Snapshot.pathChanges(pathsBefore, pathsAfter));
      check(
          again.list().equals(List.of(first)),
          "P33",
          () -> "after a new open, list() is " + safeList(again));
    }
  }
}
