package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's key check and what it makes possible (issue #16): a wrong key or another mode is
 * refused at open before anything is written, and one damaged or planted archive is left out of
 * {@code list()} and reported by {@code verify(id)} instead of taking the repository down.
 */
class RepositoryKeyTest {

  @TempDir Path tmp;

  private List<String> ids(ArchiveRepository repo) throws IOException {
    return repo.list().stream().map(BackupMetadata::backupId).sorted().collect(Collectors.toList());
  }

  @Test
  void anArchivePlantedFromAnotherKey_isLeftOutOfList_andReportedByVerify() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    String good;
    String foreign;
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      good = repo.backup(src).backupId();
    }
    try (ArchiveRepository other =
        TestSupport.open(tmp.resolve("other"), TestSupport.keyOptions(TestSupport.OTHER_KEY_HEX))) {
      foreign = other.backup(src).backupId();
    }
    Files.copy(
        tmp.resolve("other").resolve(foreign + Format.FILE_SUFFIX),
        tmp.resolve("repo").resolve(foreign + Format.FILE_SUFFIX));
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertEquals(List.of(good), ids(repo));
      assertEquals(List.of(BackupId.of(foreign)), repo.unlisted(), "stored but not listed");
      assertEquals(good, repo.latest().orElseThrow().backupId());
      VerifyReport report = repo.verify(BackupId.of(foreign));
      assertFalse(report.ok());
      assertEquals(
          VerifyReport.Kind.METADATA,
          report.problems().get(0).kind(),
          report.problems().toString());
      assertTrue(repo.verify(BackupId.of(good)).ok());
      assertThrows(
          WrongKeyException.class, () -> repo.restore(BackupId.of(foreign), tmp.resolve("out")));
      assertFalse(Files.exists(tmp.resolve("out")));
      repo.backup(src); // the repository keeps working
      assertEquals(2, repo.list().size());
    }
  }

  @Test
  void aFlippedHeaderByteInOneArchive_leavesTheOthersListed() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path location = tmp.resolve("repo");
    String first;
    String second;
    try (ArchiveRepository repo =
        TestSupport.open(location, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      first = repo.backup(src).backupId();
      second = repo.backup(src).backupId();
    }
    Path archive = location.resolve(second + Format.FILE_SUFFIX);
    byte[] original = Files.readAllBytes(archive);
    int headerLength =
        ArchiveHeader.FIXED_PREFIX + second.length() + ArchiveHeader.COMMITMENT_LENGTH;
    for (int offset = 0; offset < headerLength; offset++) {
      byte[] flipped = original.clone();
      flipped[offset] ^= 0x01;
      Files.write(archive, flipped);
      try (ArchiveRepository repo =
          TestSupport.open(location, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
        int at = offset;
        assertEquals(List.of(first), ids(repo), () -> "header byte " + at + " flipped");
        assertFalse(repo.verify(BackupId.of(second)).ok(), "header byte " + offset + " flipped");
      }
    }
    Files.write(archive, original);
    try (ArchiveRepository repo =
        TestSupport.open(location, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertEquals(Set.of(first, second), Set.copyOf(ids(repo)));
    }
  }

  @Test
  void hostileArgon2Parameters_inAnArchiveHeader_areRefusedWithoutRunningThem() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path location = tmp.resolve("repo");
    String good;
    String edited;
    try (ArchiveRepository repo = TestSupport.open(location, TestSupport.passphraseOptions("pw"))) {
      good = repo.backup(src).backupId();
      edited = repo.backup(src).backupId();
    }
    // the header's maximum: 1 GiB and 10 passes, which would cost an OutOfMemoryError or many
    // seconds here
    Path archive = location.resolve(edited + Format.FILE_SUFFIX);
    byte[] bytes = Files.readAllBytes(archive);
    ByteBuffer.wrap(bytes)
        .putInt(12, Argon2Params.MAX_MEMORY_KIB)
        .putInt(16, Argon2Params.MAX_ITERATIONS);
    Files.write(archive, bytes);
    try (ArchiveRepository repo = TestSupport.open(location, TestSupport.passphraseOptions("pw"))) {
      assertEquals(List.of(good), ids(repo));
      VerifyReport report = repo.verify(BackupId.of(edited));
      assertFalse(report.ok());
      assertTrue(report.problems().toString().contains("ceiling"), report.problems().toString());
    }
  }

  @Test
  void argon2Ceiling_refusesAboveIt_andTheWriteParametersAlwaysPass() {
    Keyring keyring =
        Keyring.passphrase(
            new SecretBytes(new byte[] {'p', 'w'}), new Argon2Params(64, 1, 1), 1024, 2);
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () ->
                keyring.derivePassphrase(
                    new Argon2Params(Argon2Params.MAX_MEMORY_KIB, 1, 1), new byte[32]));
    assertTrue(e.getMessage().contains("ceiling"), e.getMessage());
    assertThrows(
        CorruptBackupException.class,
        () -> keyring.derivePassphrase(new Argon2Params(64, 3, 1), new byte[32]));
    Keyring heavyWriter =
        Keyring.passphrase(
            new SecretBytes(new byte[] {'p', 'w'}), new Argon2Params(2048, 3, 1), 1024, 2);
    assertEquals(32, assertDoesNotThrowDerive(heavyWriter, new Argon2Params(2048, 3, 1)).length());
  }

  private static SecretBytes assertDoesNotThrowDerive(Keyring k, Argon2Params p) {
    try {
      return k.derivePassphrase(p, new byte[32]);
    } catch (CorruptBackupException e) {
      throw new AssertionError("the keyring's own write parameters were refused", e);
    }
  }

  @Test
  void aBackupWithAnotherKeyOrMode_isRefusedAtOpen_andWritesNothing() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path location = tmp.resolve("repo");
    try (ArchiveRepository repo =
        TestSupport.open(location, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      repo.backup(src);
    }
    Snapshot before = Snapshot.of(location);
    assertThrows(
        WrongKeyException.class,
        () -> TestSupport.open(location, TestSupport.keyOptions(TestSupport.OTHER_KEY_HEX)));
    Map<String, String> signed = new HashMap<>(TestSupport.keyOptions(TestSupport.KEY_HEX));
    signed.put("mode", "signed");
    WrongKeyException mode =
        assertThrows(WrongKeyException.class, () -> TestSupport.open(location, signed));
    assertTrue(
        mode.getMessage().contains("is encrypted") && mode.getMessage().contains("mode=signed"),
        mode.getMessage());
    assertThrows(
        WrongKeyException.class, () -> TestSupport.open(location, TestSupport.plainOptions()));
    assertEquals(before, Snapshot.of(location));
  }

  @Test
  void aSignedRepository_openedWithItsKeyAndNoMode_writesSignedArchives() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path location = tmp.resolve("repo");
    Map<String, String> signed = new HashMap<>(TestSupport.keyOptions(TestSupport.KEY_HEX));
    signed.put("mode", "signed");
    try (ArchiveRepository repo = TestSupport.open(location, signed)) {
      repo.backup(src);
    }
    String id;
    try (ArchiveRepository repo =
        TestSupport.open(location, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      id = repo.backup(src).backupId();
    }
    byte[] header = Files.readAllBytes(location.resolve(id + Format.FILE_SUFFIX));
    assertEquals(Mode.SIGNED.code, header[10], "the implied mode follows the repository's");
  }

  @Test
  void aMalformedKeyCheck_isNamed_andRemovingItRecreatesItFromTheArchives() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path location = tmp.resolve("repo");
    try (ArchiveRepository repo = TestSupport.open(location, TestSupport.passphraseOptions("pw"))) {
      repo.backup(src);
    }
    Path check = location.resolve(KeyCheck.FILE);
    byte[] good = Files.readAllBytes(check);
    Files.write(check, java.util.Arrays.copyOf(good, 40));
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> TestSupport.open(location, TestSupport.passphraseOptions("pw")));
    assertTrue(e.getMessage().contains(KeyCheck.FILE), e.getMessage());
    byte[] hostile = good.clone();
    ByteBuffer.wrap(hostile).putInt(10, Integer.MAX_VALUE); // memory beyond any bound
    Files.write(check, hostile);
    assertThrows(
        CorruptBackupException.class,
        () -> TestSupport.open(location, TestSupport.passphraseOptions("pw")));
    Files.delete(check);
    try (ArchiveRepository repo = TestSupport.open(location, TestSupport.passphraseOptions("pw"))) {
      assertEquals(1, repo.list().size());
    }
    assertTrue(Files.exists(check));
    assertThrows(
        WrongKeyException.class,
        () -> TestSupport.open(location, TestSupport.passphraseOptions("other")));
  }
}
