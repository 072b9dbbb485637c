package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.testkit.Snapshot;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Discovery, options, symbolic links, partial restore, timestamps, prune, leftovers, reopening. */
class FeaturesTest {

  @TempDir Path tmp;

  @Test
  void provider_isFoundByServiceLoaderWithItsCapabilitiesAndOptions() {
    BackupProvider p =
        ServiceLoader.load(BackupProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.name().equals("local"))
            .findFirst()
            .orElseThrow();
    assertTrue(p instanceof LocalBackupProvider);
    assertEquals(
        java.util.Set.of(
            Capability.INCREMENTAL,
            Capability.INDEPENDENT_INCREMENTALS,
            Capability.TIMESTAMPS,
            Capability.PARTIAL_RESTORE,
            Capability.SYMLINKS,
            Capability.POSIX_ATTRIBUTES),
        p.capabilities());
    assertEquals(
        List.of("fsync", "compare-crc", "hardlinks", "threads", "changed-files", "changed-retries"),
        p.options().stream().map(o -> o.name()).toList());
  }

  @Test
  void unknownOrMalformedOptions_failWithIllegalArgumentAndCreateNothing() {
    Path repo = tmp.resolve("repo");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LocalBackupProvider().open(repo, Map.of("fsynk", "false")));
    assertTrue(e.getMessage().contains("fsynk"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LocalBackupProvider().open(repo, Map.of("fsync", "yes")));
    assertTrue(e.getMessage().contains("fsync"));
    assertFalse(Files.exists(repo));
  }

  @Test
  void defaultOptions_forceEverythingToDisk_andStillRoundTrip() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Files.createDirectories(source.resolve("empty"));
    try (BackupRepository repo = new LocalBackupProvider().open(tmp.resolve("repo"), Map.of())) {
      BackupMetadata m = repo.backup(source);
      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, m.id()));
      repo.restore(inc.id(), tmp.resolve("target"));
      assertEquals(Snapshot.withTimes(source), Snapshot.withTimes(tmp.resolve("target")));
    }
  }

  @Test
  void aRepositoryLocationThatIsAFile_isRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThrows(java.io.IOException.class, () -> Trees.open(file));
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void symlinks_areRecordedNotStored_andRestoredAsLinks(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = Trees.populate(root.resolve("source"));
    Trees.write(root, "outside/secret.txt", "secret");
    Files.createSymbolicLink(source.resolve("link-out"), root.resolve("outside"));
    Files.createSymbolicLink(
        source.resolve("subdir").resolve("rel"), source.getFileSystem().getPath("../file1.dat"));
    Path repoDir = root.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata m = repo.backup(source);
      assertEquals(3, m.totalFiles());
      Path data = repoDir.resolve(m.backupId()).resolve("data");
      assertFalse(Files.exists(data.resolve("link-out"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
      assertTrue(repo.verify(m.id()).ok());
      Path target = root.resolve("target");
      repo.restore(m.id(), target);
      assertEquals(Snapshot.of(source), Snapshot.of(target));
      assertTrue(Files.isSymbolicLink(target.resolve("link-out")));
      assertEquals(List.of("secret.txt"), AmatersPortTest.listNames(root.resolve("outside"), ""));
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void partialRestore_restoresExactlyTheRequestedPathsWithTheirParents(Trees.Fs fs)
      throws Exception {
    Path root = fs.root(tmp);
    Path source = Trees.populate(root.resolve("source"));
    Trees.write(source, "a/b/c.txt", "c");
    Trees.write(source, "a/d.txt", "d");
    try (BackupRepository repo = Trees.open(root.resolve("repo"))) {
      BackupMetadata m = repo.backup(source);
      Path target = root.resolve("target");
      repo.restore(RestoreRequest.of(m.id(), target).withPaths(List.of("a/b", "file1.dat")));
      assertEquals(
          List.of("a", "a/b", "a/b/c.txt", "file1.dat"),
          new ArrayList<>(Snapshot.of(target).entries().keySet()));
      Path other = root.resolve("other");
      assertThrows(
          NoSuchFileException.class,
          () -> repo.restore(RestoreRequest.of(m.id(), other).withPaths(List.of("a/nope"))));
      assertFalse(Files.exists(other));
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void timestamps_ofFilesAreRestoredToTheMillisecond(Trees.Fs fs) throws Exception {
    Path root = fs.root(tmp);
    Path source = Trees.populate(root.resolve("source"));
    Files.setLastModifiedTime(
        source.resolve("file1.dat"),
        java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2001-02-03T04:05:06.789Z")));
    try (BackupRepository repo = Trees.open(root.resolve("repo"))) {
      BackupMetadata m = repo.backup(source);
      repo.restore(m.id(), root.resolve("target"));
      assertEquals(
          java.time.Instant.parse("2001-02-03T04:05:06.789Z"),
          Files.getLastModifiedTime(root.resolve("target").resolve("file1.dat")).toInstant());
    }
  }

  @Test
  void prune_deletesWhatThePolicySelectsAndKeepsTheRestRestorable() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    try (BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      BackupMetadata a = repo.backup(source);
      BackupMetadata b = repo.backup(BackupRequest.incremental(source, a.id()));
      BackupMetadata c = repo.backup(BackupRequest.incremental(source, b.id()));
      List<BackupMetadata> deleted = repo.prune(RetentionPolicy.keepLast(1));
      assertEquals(List.of(b, a), deleted);
      assertEquals(List.of(c), repo.list());
      repo.restore(c.id(), tmp.resolve("target"));
      assertEquals(Snapshot.withTimes(source), Snapshot.withTimes(tmp.resolve("target")));
    }
  }

  @Test
  void reopening_seesTheSameBackups_andOpenViaUrlWorks() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    BackupMetadata m;
    try (BackupRepository repo = Trees.open(tmp.resolve("repo"))) {
      m = repo.backup(BackupRequest.full(source).withLabel("lsn", "7"));
    }
    try (BackupRepository again = Trees.open(tmp.resolve("repo"))) {
      assertEquals(List.of(m), again.list());
      assertEquals("7", again.find(m.id()).orElseThrow().labels().get("lsn"));
    }
    try (BackupRepository viaUrl =
        BackupProviders.open("coffer:local:" + tmp.resolve("repo") + "?fsync=false")) {
      assertEquals(List.of(m), viaUrl.list());
    }
  }

  @Test
  void open_removesAbandonedStagingAndDeletionLeftovers_butNotAStagingLockedByAnotherProcess()
      throws Exception {
    Path repoDir = tmp.resolve("repo");
    Trees.write(repoDir, ".staging-abandoned/data/x", "partial");
    Trees.write(
        repoDir, ".deleting-0190e7c4-0000-7000-8000-000000000000-abc/data/x", "half deleted");
    Trees.write(repoDir, ".staging-running/data/x", "in progress");
    Path lockFile = Files.writeString(repoDir.resolve(".lock-running"), "");
    // fcntl locks, as the JDK takes them on Linux; without python3 only the unlocked half is
    // checked
    Process holder = null;
    try {
      holder =
          new ProcessBuilder(
                  "python3",
                  "-c",
                  "import fcntl,sys,time\n"
                      + "f=open(sys.argv[1],'a'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()",
                  lockFile.toString())
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException noPython) {
      holder = null;
    }
    if (holder != null) {
      try {
        String line =
            new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()))
                .readLine();
        assertEquals("locked", line);
        Trees.open(repoDir).close();
        assertEquals(
            List.of(".lock-running", ".staging-running"), AmatersPortTest.listNames(repoDir, ""));
      } finally {
        holder.getOutputStream().close();
        holder.waitFor();
      }
    }
    Trees.open(repoDir).close();
    assertEquals(List.of(), AmatersPortTest.listNames(repoDir, ""));
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void open_removesUnlockedStagingAndLoneLockFiles_onEveryFileSystem(Trees.Fs fs) throws Exception {
    Path repoDir = fs.root(tmp).resolve("repo");
    Trees.write(repoDir, ".staging-a/data/x", "partial");
    Trees.write(repoDir, ".lock-a", "");
    Trees.write(repoDir, ".lock-b", "");
    Trees.write(repoDir, ".staging-c/metadata.json", "{}");
    Trees.open(repoDir).close();
    assertEquals(List.of(), AmatersPortTest.listNames(repoDir, ""));
  }

  @Test
  void open_inTheSameJvm_neverRemovesTheStagingOfARunningBackup() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Path repoDir = tmp.resolve("repo");
    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (BackupRepository a = Trees.open(repoDir)) {
      java.util.concurrent.ExecutorService ex =
          java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        java.util.concurrent.Future<BackupMetadata> f =
            ex.submit(
                () ->
                    a.backup(
                        BackupRequest.full(source)
                            .withProgress(
                                p -> {
                                  if (p.filesDone() == 1 && inside.getCount() > 0) {
                                    inside.countDown();
                                    try {
                                      release.await();
                                    } catch (InterruptedException e) {
                                      throw new IllegalStateException(e);
                                    }
                                  }
                                })));
        inside.await();
        Trees.open(repoDir).close();
        assertEquals(2, AmatersPortTest.listNames(repoDir, "").size(), "staging and lock survive");
        release.countDown();
        BackupMetadata m = f.get();
        assertEquals(List.of(m.backupId()), AmatersPortTest.listNames(repoDir, ""));
        assertTrue(a.verify(m.id()).ok());
      } finally {
        release.countDown();
        ex.shutdown();
      }
    }
  }
}
