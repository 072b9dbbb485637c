package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.CorruptBackupException;
import dev.coffer.VerifyReport;
import dev.coffer.VerifyReport.Kind;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.testkit.FaultyFileSystem;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every stored byte is covered: verify names each damage, restore refuses it and leaves its target
 * alone.
 */
class CorruptionTest {

  @TempDir Path tmp;

  enum Damage {
    FLIP,
    TRUNCATE,
    DELETE
  }

  private static final List<String> STORED =
      List.of(
          "metadata.json",
          "metadata.json.crc32c",
          "data/file1.dat",
          "data/file2.dat",
          "data/subdir/nested.dat",
          "data/empty.bin");

  private Path repoDir;
  private BackupRepository repo;
  private BackupMetadata meta;

  private void backUp(Path root) throws IOException {
    Path source = Trees.populate(root.resolve("source"));
    Trees.write(source, "empty.bin", new byte[0]);
    Files.createDirectories(source.resolve("emptydir"));
    repoDir = root.resolve("repo");
    repo = Trees.open(repoDir);
    meta = repo.backup(source);
  }

  private Path stored(String rel) {
    return Layout.under(repoDir.resolve(meta.backupId()), rel);
  }

  /**
   * A stored file replaced by a much larger one is copied no further than its recorded size plus
   * one byte: the restore fails on the size, naming both, and never writes the rest (here the
   * target disk would be full after 64 KiB, so writing it all would end in "no space left"
   * instead).
   */
  @Test
  void aStoredFileLargerThanRecorded_isCutAtTheRecordedSize_andRefusedBySize() throws Exception {
    backUp(tmp);
    byte[] huge = new byte[4 << 20];
    Files.write(stored("data/file1.dat"), huge);
    FaultyFileSystem target = FaultyFileSystem.wrap(Jimfs.newFileSystem(Configuration.unix()));
    Path restored = target.getPath("/out");
    target.diskFullAfter(64 * 1024);
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> repo.restore(meta.id(), restored));
    assertTrue(
        e.getMessage().contains("size mismatch for file1.dat")
            && e.getMessage().contains("stored 11 bytes")
            && e.getMessage().contains("found 12"),
        e.getMessage());
    assertFalse(Files.exists(restored));
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void everyStoredFile_damagedInTurn_isNamedByVerifyAndRefusedByRestore(Damage damage)
      throws Exception {
    for (String rel : STORED) {
      Path root = Files.createDirectories(tmp.resolve(damage + "-" + rel.replace('/', '_')));
      backUp(root);
      Path file = stored(rel);
      byte[] b = Files.readAllBytes(file);
      if (damage == Damage.DELETE) {
        Files.delete(file);
      } else if (damage == Damage.TRUNCATE || b.length == 0) {
        if (b.length == 0) {
          Files.write(file, new byte[] {1}); // an empty file cannot be cut: grow it instead
        } else {
          Files.write(file, java.util.Arrays.copyOf(b, b.length - 1));
        }
      } else {
        b[b.length / 2] ^= 0x20;
        Files.write(file, b);
      }
      VerifyReport report = repo.verify(meta.id());
      assertFalse(report.ok(), rel + " " + damage);
      String name = rel.startsWith("data/") ? rel.substring(5) : rel;
      assertTrue(
          report.problems().stream().anyMatch(p -> p.path().equals(name)),
          rel + " " + damage + ": " + report);
      Path target = Files.createDirectories(root.resolve("target"));
      assertThrows(
          CorruptBackupException.class, () -> repo.restore(meta.id(), target), rel + " " + damage);
      assertEquals(List.of(), AmatersPortTest.listNames(target, ""));
      assertEquals(
          List.of("repo", "source", "target"),
          AmatersPortTest.listNames(root, ""),
          "staging left behind");
      repo.close();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "data/stray.bin",
        "data/subdir/stray",
        "data/emptydir/stray",
        "stray-beside-metadata"
      })
  void anAddedFile_isReportedUnexpectedAndRestoreRefuses(String rel) throws Exception {
    backUp(tmp);
    Trees.write(repoDir.resolve(meta.backupId()), rel, "stray");
    VerifyReport report = repo.verify(meta.id());
    String name = rel.startsWith("data/") ? rel.substring(5) : rel;
    assertEquals(
        List.of(new VerifyReport.Problem(name, Kind.UNEXPECTED, report.problems().get(0).detail())),
        report.problems());
    if (rel.startsWith("data/")) {
      assertThrows(
          CorruptBackupException.class, () -> repo.restore(meta.id(), tmp.resolve("target")));
      assertFalse(Files.exists(tmp.resolve("target")));
    }
  }

  @Test
  void anAddedDirectory_andARemovedEmptyDirectory_areReported() throws Exception {
    backUp(tmp);
    Files.createDirectory(stored("data/newdir"));
    Files.delete(stored("data/emptydir"));
    VerifyReport report = repo.verify(meta.id());
    assertEquals(2, report.problems().size(), report.toString());
    assertTrue(
        report.problems().stream()
            .anyMatch(p -> p.path().equals("newdir") && p.kind() == Kind.UNEXPECTED));
    assertTrue(
        report.problems().stream()
            .anyMatch(p -> p.path().equals("emptydir") && p.kind() == Kind.MISSING));
  }

  @Test
  void severalDamages_areAllReported() throws Exception {
    backUp(tmp);
    Files.writeString(stored("data/file1.dat"), "HELLO WORLD");
    Files.delete(stored("data/file2.dat"));
    Files.writeString(stored("data/subdir/extra"), "x");
    VerifyReport report = repo.verify(meta.id());
    assertEquals(
        List.of("extra:UNEXPECTED", "file1.dat:CORRUPT", "file2.dat:MISSING"),
        report.problems().stream()
            .map(p -> (p.path().endsWith("extra") ? "extra" : p.path()) + ":" + p.kind())
            .sorted()
            .toList());
  }

  @Test
  void everyByteOfMetadataJson_flippedInTurn_isDetected() throws Exception {
    backUp(Trees.Fs.JIMFS_UNIX.root(tmp));
    Path file = stored("metadata.json");
    byte[] original = Files.readAllBytes(file);
    for (int i = 0; i < original.length; i++) {
      byte[] b = original.clone();
      b[i] ^= 0x01;
      Files.write(file, b);
      assertFalse(repo.verify(meta.id()).ok(), "byte " + i);
    }
    Files.write(file, original);
    assertTrue(repo.verify(meta.id()).ok());
  }

  @Test
  void verify_neverModifiesTheRepository() throws Exception {
    backUp(tmp);
    Files.writeString(stored("data/file1.dat"), "changed");
    Snapshot before = Snapshot.withTimes(repoDir);
    repo.verify(meta.id());
    assertEquals(before, Snapshot.withTimes(repoDir));
  }

  // ------------------------------------------------------------ hostile repositories

  /** Rewrites the backup's metadata (with a matching sidecar) as an attacker could. */
  private void plantManifest(List<FileEntry> files, List<String> dirs, List<Symlink> links)
      throws IOException {
    long total = files.stream().mapToLong(FileEntry::size).sum();
    BackupMetadata m =
        new BackupMetadata(
            meta.backupId(),
            meta.createdAt(),
            "x",
            files.size(),
            total,
            meta.backupType(),
            null,
            "local",
            "0",
            Map.of());
    long whole = 0;
    for (FileEntry f : files) {
      whole = Checksums.appendFile(whole, f.path(), f.crc32(), f.size());
    }
    byte[] json = new Manifest(m, whole, true, files, dirs, links).toJson();
    Files.write(stored("metadata.json"), json);
    CRC32C c = new CRC32C();
    c.update(json);
    Files.writeString(stored("metadata.json.crc32c"), String.format("%08x%n", c.getValue()));
  }

  private static FileEntry entryFor(String path, byte[] content) {
    CRC32C c = new CRC32C();
    c.update(content);
    java.util.zip.CRC32 c32 = new java.util.zip.CRC32();
    c32.update(content);
    return new FileEntry(
        path, content.length, c.getValue(), c32.getValue(), java.time.Instant.EPOCH, false);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../escape.txt",
        "/abs.txt",
        "a\\..\\..\\b.txt",
        "C:x.txt",
        "sub/../../escape.txt",
        ""
      })
  void hostilePathsInMetadata_areRefusedAndNothingIsWrittenOutsideTheTarget(String hostile)
      throws Exception {
    backUp(tmp);
    byte[] content = "evil".getBytes(StandardCharsets.UTF_8);
    plantManifest(List.of(entryFor(hostile, content)), List.of(), List.of());
    Snapshot outside = Snapshot.of(tmp);
    Path target = tmp.resolve("target");
    assertThrows(CorruptBackupException.class, () -> repo.restore(meta.id(), target));
    assertFalse(repo.verify(meta.id()).ok());
    assertEquals(outside, Snapshot.of(tmp));
    assertTrue(repo.list().isEmpty(), "a backup with hostile metadata is not listed");
  }

  @Test
  void aSymlinkPlantedInData_isNeverFollowedByVerifyOrRestore() throws Exception {
    backUp(tmp);
    Path outside = Trees.write(tmp, "outside/file1.dat", "hello world");
    Files.delete(stored("data/file1.dat"));
    Files.createSymbolicLink(stored("data/file1.dat"), outside);
    VerifyReport report = repo.verify(meta.id());
    assertTrue(
        report.problems().stream()
            .anyMatch(p -> p.path().equals("file1.dat") && p.kind() == Kind.UNEXPECTED),
        report.toString());
    assertThrows(
        CorruptBackupException.class, () -> repo.restore(meta.id(), tmp.resolve("target")));
    assertFalse(Files.exists(tmp.resolve("target")));
  }

  @Test
  void aStoredFileWithAMalformedName_isReportedAndRefused() throws Exception {
    backUp(tmp);
    Files.writeString(stored("data/subdir").resolve("back\\slash"), "x");
    VerifyReport report = repo.verify(meta.id());
    assertEquals(
        List.of(Kind.UNEXPECTED),
        report.problems().stream().map(VerifyReport.Problem::kind).toList());
    assertThrows(
        CorruptBackupException.class, () -> repo.restore(meta.id(), tmp.resolve("target")));
    assertFalse(Files.exists(tmp.resolve("target")));
  }

  @Test
  void aSymlinkedDirectoryPlantedInData_isRefused() throws Exception {
    backUp(tmp);
    Path outsideDir = tmp.resolve("outside");
    Trees.write(outsideDir, "nested.dat", "nested content");
    Path sub = stored("data/subdir");
    Files.delete(sub.resolve("nested.dat"));
    Files.delete(sub);
    Files.createSymbolicLink(sub, outsideDir);
    assertFalse(repo.verify(meta.id()).ok());
    assertThrows(
        CorruptBackupException.class, () -> repo.restore(meta.id(), tmp.resolve("target")));
    assertFalse(Files.exists(tmp.resolve("target")));
  }

  @Test
  void aRecordedLinkWithFilesBelowIt_isRefusedSoNothingIsWrittenThroughIt() throws Exception {
    backUp(tmp);
    byte[] content = "hello world".getBytes(StandardCharsets.UTF_8);
    List<FileEntry> files = new ArrayList<>(List.of(entryFor("escape/file1.dat", content)));
    plantManifest(
        files, List.of(), List.of(new Symlink("escape", tmp.resolve("outside").toString())));
    Files.createDirectories(tmp.resolve("outside"));
    assertThrows(
        CorruptBackupException.class, () -> repo.restore(meta.id(), tmp.resolve("target")));
    assertEquals(List.of(), AmatersPortTest.listNames(tmp.resolve("outside"), ""));
    assertFalse(Files.exists(tmp.resolve("target")));
  }
}
