package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupWarning;
import dev.coffer.Progress;
import dev.coffer.testkit.FaultyFileSystem;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rule P34 in the local provider: a source file that grows, shrinks or is deleted while the backup
 * copies it (through {@link FaultyFileSystem}'s read hook and attribute watcher, on the real disk
 * and Jimfs) is recorded as a warning, fails the backup or is read again, as {@code changed-files}
 * says.
 */
class ChangedWhileReadTest {

  @TempDir Path tmp;

  private static final byte[] BIG = new byte[100_000];

  /** A faulty file system over {@code fs}, with a source holding big.bin and d/small.txt. */
  private static final class Setup {
    final FaultyFileSystem faulty;
    final Path root;
    final Path source;

    Setup(Path plain) throws IOException {
      faulty = FaultyFileSystem.wrap(plain.getFileSystem());
      root = faulty.wrap(plain);
      source = root.resolve("source");
      Trees.write(source, "big.bin", BIG);
      Trees.write(source, "d/small.txt", "small");
      Trees.write(source, "gone.txt", "gone");
    }

    BackupRepository open(String... options) throws IOException {
      Map<String, String> o = new HashMap<>(Map.of("fsync", "false"));
      for (int i = 0; i < options.length; i += 2) {
        o.put(options[i], options[i + 1]);
      }
      return new LocalBackupProvider().open(root.resolve("repo"), o);
    }
  }

  private static Consumer<Path> append(int bytes) {
    return p -> {
      try {
        Files.write(p, new byte[bytes], StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static Consumer<Path> truncate(long size) {
    return p -> {
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
        ch.truncate(size);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static List<BackupWarning> warnings(BackupMetadata b, BackupWarning.Kind kind) {
    return b.warnings().stream().filter(w -> w.kind() == kind).toList();
  }

  private static Path restore(BackupRepository repo, BackupMetadata b, Path to) throws IOException {
    repo.restore(b.id(), to);
    return to;
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void aFileThatGrowsWhileRead_isStoredAsRead_withAChangedWarning(Trees.Fs fs) throws Exception {
    Setup s = new Setup(fs.root(tmp));
    try (BackupRepository repo = s.open()) {
      s.faulty.afterReads(s.source.resolve("big.bin"), 1, append(5000));
      BackupMetadata b = repo.backup(s.source);
      List<BackupWarning> changed = warnings(b, BackupWarning.Kind.CHANGED_WHILE_READ);
      assertEquals(1, changed.size(), b.warnings().toString());
      assertEquals("big.bin", changed.get(0).path());
      assertTrue(repo.list().stream().anyMatch(m -> m.id().equals(b.id())), "listed");
      Path out = restore(repo, b, s.root.resolve("out"));
      assertEquals(BIG.length + 5000, Files.size(out.resolve("big.bin")), "the size as read");
      assertEquals(3, b.totalFiles());
      assertEquals(BIG.length + 5000 + 5 + 4, b.totalBytes());
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void aFileThatShrinksWhileRead_getsAChangedWarning(Trees.Fs fs) throws Exception {
    Setup s = new Setup(fs.root(tmp));
    try (BackupRepository repo = s.open()) {
      s.faulty.afterReads(s.source.resolve("big.bin"), 1, truncate(10));
      BackupMetadata b = repo.backup(s.source);
      List<BackupWarning> changed = warnings(b, BackupWarning.Kind.CHANGED_WHILE_READ);
      assertEquals(List.of("big.bin"), changed.stream().map(BackupWarning::path).toList());
      assertTrue(repo.verify(b.id()).ok(), "what was stored verifies");
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void aFileDeletedBetweenScanAndRead_isLeftOut_withAVanishedWarning_andNotCounted(Trees.Fs fs)
      throws Exception {
    Setup s = new Setup(fs.root(tmp));
    try (BackupRepository repo = s.open()) {
      AtomicBoolean deleted = new AtomicBoolean();
      // the backup makes the tree's directories after the scan and before the copies
      s.faulty.watchAttributes(
          p -> {
            if (!p.startsWith(s.source)
                && p.getFileName() != null
                && p.getFileName().toString().equals("d")
                && deleted.compareAndSet(false, true)) {
              try {
                Files.delete(s.source.resolve("gone.txt"));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          });
      BackupMetadata b = repo.backup(s.source);
      s.faulty.watchAttributes(null);
      assertTrue(deleted.get(), "the test deleted the file after the scan");
      List<BackupWarning> vanished = warnings(b, BackupWarning.Kind.VANISHED_WHILE_READ);
      assertEquals(List.of("gone.txt"), vanished.stream().map(BackupWarning::path).toList());
      assertEquals(2, b.totalFiles(), "the vanished file is not counted");
      assertEquals(BIG.length + 5, b.totalBytes());
      Path out = restore(repo, b, s.root.resolve("out"));
      assertFalse(Files.exists(out.resolve("gone.txt")));
      assertTrue(repo.verify(b.id()).ok());
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void underChangedFilesFail_aFileThatGrows_failsTheBackup_andNothingIsListed(Trees.Fs fs)
      throws Exception {
    Setup s = new Setup(fs.root(tmp));
    try (BackupRepository repo = s.open("changed-files", "fail")) {
      s.faulty.afterReads(s.source.resolve("big.bin"), 1, append(10));
      BackupException e = assertThrows(BackupException.class, () -> repo.backup(s.source));
      assertTrue(e.getMessage().contains("big.bin"), e.getMessage());
      assertTrue(repo.list().isEmpty());
      try (var left = Files.list(s.root.resolve("repo"))) {
        assertTrue(
            left.noneMatch(p -> p.getFileName().toString().startsWith(".staging-")),
            "the staging directory is removed");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void underChangedFilesRetry_aWriterThatStops_leavesNoWarning_andTheLastReadIsStored(Trees.Fs fs)
      throws Exception {
    Setup s = new Setup(fs.root(tmp));
    try (BackupRepository repo = s.open("changed-files", "retry")) {
      s.faulty.afterReads(s.source.resolve("big.bin"), 1, append(3000));
      BackupMetadata b = repo.backup(s.source);
      assertEquals(List.of(), b.warnings());
      Path out = restore(repo, b, s.root.resolve("out"));
      assertArrayEquals(
          Files.readAllBytes(s.source.resolve("big.bin")),
          Files.readAllBytes(out.resolve("big.bin")));
      assertEquals(BIG.length + 3000, Files.size(out.resolve("big.bin")));
      assertEquals(Snapshot.of(s.source), Snapshot.of(out));
      assertTrue(repo.verify(b.id()).ok());
    }
  }

  /** Runs {@code action} once after the scan, when the backup makes directory {@code d}. */
  private static AtomicBoolean afterTheScan(Setup s, IoAction action) {
    AtomicBoolean done = new AtomicBoolean();
    s.faulty.watchAttributes(
        p -> {
          if (!p.startsWith(s.source)
              && p.getFileName() != null
              && p.getFileName().toString().equals("d")
              && done.compareAndSet(false, true)) {
            try {
              action.run();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        });
    return done;
  }

  private interface IoAction {
    void run() throws IOException;
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void aFileChangedAfterTheScan_isRecordedAndRestoredWithTheTimeOfItsRead_notTheScans(Trees.Fs fs)
      throws Exception {
    Setup s = new Setup(fs.root(tmp));
    FileTime later = FileTime.from(Instant.parse("2030-01-02T03:04:05Z"));
    try (BackupRepository repo = s.open()) {
      AtomicBoolean changed =
          afterTheScan(
              s,
              () -> {
                Files.writeString(s.source.resolve("gone.txt"), "gone and back");
                Files.setLastModifiedTime(s.source.resolve("gone.txt"), later);
              });
      BackupMetadata b = repo.backup(s.source);
      s.faulty.watchAttributes(null);
      assertTrue(changed.get(), "the test changed the file after the scan");
      assertEquals(
          List.of("gone.txt"),
          warnings(b, BackupWarning.Kind.CHANGED_WHILE_READ).stream()
              .map(BackupWarning::path)
              .toList());
      Path out = restore(repo, b, s.root.resolve("out"));
      assertEquals("gone and back", Files.readString(out.resolve("gone.txt")));
      assertEquals(later, Files.getLastModifiedTime(out.resolve("gone.txt")));
    }
  }

  @ParameterizedTest
  @EnumSource(Trees.Fs.class)
  void progress_ofAGrownAndAVanishedFile_neverPassesItsTotals_andEndsAtTheBackupsTotals(Trees.Fs fs)
      throws Exception {
    Setup s = new Setup(fs.root(tmp));
    try (BackupRepository repo = s.open()) {
      s.faulty.afterReads(s.source.resolve("big.bin"), 1, append(5000));
      afterTheScan(s, () -> Files.delete(s.source.resolve("gone.txt")));
      List<Progress> seen = new ArrayList<>();
      BackupMetadata b = repo.backup(BackupRequest.full(s.source).withProgress(seen::add));
      s.faulty.watchAttributes(null);
      assertEquals(2, b.warnings().size(), b.warnings().toString());
      for (Progress p : seen) {
        assertTrue(
            p.bytesDone() <= p.bytesTotal() && p.filesDone() <= p.filesTotal(), p.toString());
      }
      assertTrue(
          seen.stream().anyMatch(p -> p.currentPath().equals("gone.txt")),
          "the vanished file is told: " + seen);
      Progress last = seen.get(seen.size() - 1);
      assertEquals(
          List.of(b.totalFiles(), b.totalFiles(), b.totalBytes(), b.totalBytes()),
          List.of(last.filesDone(), last.filesTotal(), last.bytesDone(), last.bytesTotal()),
          last.toString());
    }
  }
}
