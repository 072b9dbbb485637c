package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.RestoreRequest;
import dev.coffer.WrongKeyException;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository holding aedb's AEDBARC1 archives lists, verifies and restores them. */
class AedbArchivesTest {

  private static final String SEED_KEY = "09".repeat(32);

  @TempDir Path tmp;

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(AedbArchivesTest.class.getResource("/aedb/" + name).toURI());
  }

  private Path seedRepository() throws Exception {
    Path repo = tmp.resolve("seed-repo");
    Files.createDirectories(repo);
    Files.copy(fixture("aedb-encrypted.aedbarc"), repo.resolve("seed-enc.aedbarc"));
    return repo;
  }

  @Test
  void encryptedAedbArchive_isListedVerifiedAndRestored_withAedbsKey() throws Exception {
    Path repoDir = seedRepository();
    try (ArchiveRepository repo = TestSupport.open(repoDir, Map.of("key", SEED_KEY))) {
      List<BackupMetadata> list = repo.list();
      assertEquals(1, list.size());
      assertEquals("seed-enc", list.get(0).backupId());
      assertEquals("AEDBARC1", list.get(0).labels().get("legacy.format"));
      assertTrue(repo.verify(BackupId.of("seed-enc")).ok());
      repo.restore(BackupId.of("seed-enc"), tmp.resolve("out"));
      assertEquals(Snapshot.of(fixture("source")), Snapshot.of(tmp.resolve("out")));
      repo.restore(
          RestoreRequest.of(BackupId.of("seed-enc"), tmp.resolve("part"))
              .withPaths(Set.of("nested")));
      assertTrue(
          Snapshot.of(tmp.resolve("part")).entries().keySet().stream()
              .allMatch(p -> p.startsWith("nested")));
      // new-format backups can join the seed's repository
      BackupMetadata fresh = repo.backup(fixture("source"));
      assertEquals(2, repo.list().size());
      repo.delete(BackupId.of("seed-enc"));
      assertEquals(List.of(fresh), repo.list());
    }
  }

  @Test
  void aedbArchive_withWrongKeyOrPassphrase_failsWithWrongKey_andWritesNothing() throws Exception {
    Path repoDir = seedRepository();
    try (ArchiveRepository repo = TestSupport.open(repoDir, Map.of("key", "07".repeat(32)))) {
      assertThrows(
          WrongKeyException.class, () -> repo.restore(BackupId.of("seed-enc"), tmp.resolve("out")));
      assertThrows(WrongKeyException.class, () -> repo.verify(BackupId.of("seed-enc")));
    }
    try (ArchiveRepository repo = TestSupport.open(repoDir, TestSupport.passphraseOptions("pw"))) {
      assertThrows(
          WrongKeyException.class, () -> repo.restore(BackupId.of("seed-enc"), tmp.resolve("out")));
    }
    try (ArchiveRepository repo = TestSupport.open(repoDir, Map.of())) {
      assertThrows(
          WrongKeyException.class, () -> repo.restore(BackupId.of("seed-enc"), tmp.resolve("out")));
    }
    assertFalse(Files.exists(tmp.resolve("out")));
  }

  @Test
  void plainAedbArchive_restoresWithoutKey_butIsRefusedWhenAKeyIsConfigured() throws Exception {
    Path repoDir = tmp.resolve("plain-repo");
    Files.createDirectories(repoDir);
    Files.copy(fixture("aedb-plain.aedbarc"), repoDir.resolve("seed-plain.aedbarc"));
    try (ArchiveRepository repo = TestSupport.open(repoDir, Map.of())) {
      repo.restore(BackupId.of("seed-plain"), tmp.resolve("out"));
      assertEquals(Snapshot.of(fixture("source")), Snapshot.of(tmp.resolve("out")));
    }
    try (ArchiveRepository repo = TestSupport.open(repoDir, Map.of("key", SEED_KEY))) {
      assertThrows(
          WrongKeyException.class,
          () -> repo.restore(BackupId.of("seed-plain"), tmp.resolve("out2")));
    }
    assertFalse(Files.exists(tmp.resolve("out2")));
  }

  /**
   * The seed's archives record no POSIX attributes: everything restores with the target's default
   * modes.
   */
  @Test
  void aedbArchive_restoresWithTheTargetsDefaultModes() throws Exception {
    Path repoDir = seedRepository();
    try (ArchiveRepository repo = TestSupport.open(repoDir, Map.of("key", SEED_KEY))) {
      Path out = tmp.resolve("out");
      repo.restore(BackupId.of("seed-enc"), out);
      String fileDefault = ArchivePosixTest.mode(Files.createFile(tmp.resolve("probe-file")));
      String dirDefault = ArchivePosixTest.mode(Files.createDirectory(tmp.resolve("probe-dir")));
      Map<String, String> modes = ArchivePosixTest.modes(out);
      assertTrue(modes.size() > 10, "the fixture restored " + modes);
      modes.forEach(
          (rel, mode) ->
              assertEquals(
                  Files.isDirectory(rel.equals(".") ? out : out.resolve(rel))
                      ? dirDefault
                      : fileDefault,
                  mode,
                  rel));
    }
  }

  @Test
  void corruptAedbArchive_isReportedByVerify() throws Exception {
    Path repoDir = seedRepository();
    Path file = repoDir.resolve("seed-enc.aedbarc");
    byte[] b = Files.readAllBytes(file);
    b[b.length / 2] ^= 1;
    Files.write(file, b);
    try (ArchiveRepository repo = TestSupport.open(repoDir, Map.of("key", SEED_KEY))) {
      assertFalse(repo.verify(BackupId.of("seed-enc")).ok());
      assertThrows(
          IOException.class, () -> repo.restore(BackupId.of("seed-enc"), tmp.resolve("out")));
    }
    assertFalse(Files.exists(tmp.resolve("out")));
  }
}
