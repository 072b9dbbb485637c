package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.WrongKeyException;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveRepositoryTest {

  @TempDir Path tmp;

  static java.util.stream.Stream<String> fileSystems() {
    return java.util.stream.Stream.of("unix", "osx", "windows", "disk");
  }

  private Path base(String fsKind) {
    if (fsKind.equals("disk")) {
      return tmp;
    }
    FileSystem fs = TestSupport.jimfs(fsKind);
    return TestSupport.root(fs).resolve("work");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fileSystems")
  void roundtrip_encrypted_restoresEveryFileAndDirectoryWithTimes(String fsKind)
      throws IOException {
    Path b = base(fsKind);
    Files.createDirectories(b);
    Path src = TestSupport.sampleSource(b.resolve("src"));
    try (ArchiveRepository repo =
        TestSupport.open(b.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      assertEquals(5, md.totalFiles());
      assertEquals(BackupType.FULL, md.backupType());
      assertEquals(List.of(md), repo.list());
      assertEquals(md, repo.find(md.id()).orElseThrow());
      assertTrue(repo.verify(md.id()).ok());
      Path target = b.resolve("restored");
      repo.restore(md.id(), target);
      assertEquals(Snapshot.of(src), Snapshot.of(target));
      assertEquals(
          FileTime.from(TestSupport.T0.minusSeconds(3600)),
          Files.getLastModifiedTime(target.resolve("wal_tail/segment_1.aedbwal")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"plain", "signed", "passphrase"})
  void roundtrip_otherModes_restoresTheSource(String mode) throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Map<String, String> options =
        switch (mode) {
          case "plain" -> TestSupport.plainOptions();
          case "signed" -> {
            Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
            o.put("mode", "signed");
            yield o;
          }
          default -> TestSupport.passphraseOptions("correct horse");
        };
    try (ArchiveRepository repo = TestSupport.open(tmp.resolve("repo"), options)) {
      BackupMetadata md = repo.backup(src);
      repo.restore(md.id(), tmp.resolve("out"));
      assertEquals(Snapshot.of(src), Snapshot.of(tmp.resolve("out")));
      assertTrue(repo.verify(md.id()).ok());
    }
    // a new instance (as another process would) sees the same backup
    try (ArchiveRepository again = TestSupport.open(tmp.resolve("repo"), options)) {
      assertEquals(1, again.list().size());
    }
  }

  @Test
  void encryptedArchive_containsNoPlaintextNamesOrContent() throws IOException {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    TestSupport.write(src.resolve("secret-name-XYZZY.txt"), "PLANTED-PLAINTEXT-".repeat(100));
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata md = repo.backup(src);
      String stored =
          new String(
              Files.readAllBytes(tmp.resolve("repo").resolve(md.backupId() + ".coffer")),
              StandardCharsets.ISO_8859_1);
      assertFalse(stored.contains("PLANTED"));
      assertFalse(stored.contains("XYZZY"));
      assertTrue(repo.storedBytes(md.id()) < md.totalBytes());
    }
  }

  @Test
  void wrongKey_failsWithWrongKeyException_andWritesNothing() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    String id;
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      id = repo.backup(src).backupId();
    }
    List<String> before = TestSupport.names(tmp.resolve("repo"));
    // the repository's key check refuses the key at open, before anything is read or written
    WrongKeyException e =
        assertThrows(
            WrongKeyException.class,
            () ->
                TestSupport.open(
                    tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.OTHER_KEY_HEX)));
    assertTrue(e.getMessage().contains("wrong key or passphrase"), e.getMessage());
    assertFalse(e.getMessage().contains(TestSupport.OTHER_KEY_HEX));
    assertEquals(before, TestSupport.names(tmp.resolve("repo")));
    // without the key check (a repository written before it existed) the archives themselves decide
    Files.delete(tmp.resolve("repo").resolve(KeyCheck.FILE));
    assertThrows(
        WrongKeyException.class,
        () ->
            TestSupport.open(
                tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.OTHER_KEY_HEX)));
    assertFalse(
        Files.exists(tmp.resolve("repo").resolve(KeyCheck.FILE)), "a wrong key made a key check");
    try (ArchiveRepository right =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertEquals(id, right.list().get(0).backupId());
    }
    assertTrue(
        Files.exists(tmp.resolve("repo").resolve(KeyCheck.FILE)),
        "the right key re-created the key check");
    assertFalse(Files.exists(tmp.resolve("out")));
    assertEquals(List.of("repo", "src"), TestSupport.names(tmp));
  }

  @Test
  void wrongPassphrase_failsWithWrongKeyException() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    String id;
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.passphraseOptions("right"))) {
      id = repo.backup(src).backupId();
    }
    assertThrows(
        WrongKeyException.class,
        () -> TestSupport.open(tmp.resolve("repo"), TestSupport.passphraseOptions("wrong")));
    WrongKeyException raw =
        assertThrows(
            WrongKeyException.class,
            () ->
                TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX)));
    assertTrue(raw.getMessage().contains("created with a passphrase"), raw.getMessage());
    try (ArchiveRepository right =
        TestSupport.open(tmp.resolve("repo"), TestSupport.passphraseOptions("right"))) {
      right.restore(BackupId.of(id), tmp.resolve("out"));
    }
    assertTrue(Files.exists(tmp.resolve("out")));
  }

  @Test
  void modeDowngrade_keyedReaderRefusesPlain_andKeylessReaderRefusesEncrypted() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    String plainId;
    String encId;
    try (ArchiveRepository plain =
        TestSupport.open(tmp.resolve("plain-repo"), TestSupport.plainOptions())) {
      plainId = plain.backup(src).backupId();
    }
    try (ArchiveRepository keyed =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      encId = keyed.backup(src).backupId();
    }
    // whole repositories: a key for a plain one, no key or mode=plain for an encrypted one, are
    // refused at open
    WrongKeyException keyForPlain =
        assertThrows(
            WrongKeyException.class,
            () ->
                TestSupport.open(
                    tmp.resolve("plain-repo"), TestSupport.keyOptions(TestSupport.KEY_HEX)));
    assertTrue(keyForPlain.getMessage().contains("plain"), keyForPlain.getMessage());
    assertThrows(WrongKeyException.class, () -> TestSupport.open(tmp.resolve("repo"), Map.of()));
    WrongKeyException plainForEncrypted =
        assertThrows(
            WrongKeyException.class,
            () -> TestSupport.open(tmp.resolve("repo"), TestSupport.plainOptions()));
    assertTrue(
        plainForEncrypted.getMessage().contains("is encrypted"), plainForEncrypted.getMessage());
    // one plain archive planted into the encrypted repository: refused as a downgrade, left out of
    // list()
    Files.copy(
        tmp.resolve("plain-repo").resolve(plainId + Format.FILE_SUFFIX),
        tmp.resolve("repo").resolve(plainId + Format.FILE_SUFFIX));
    try (ArchiveRepository keyed =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertThrows(
          CorruptBackupException.class,
          () -> keyed.restore(BackupId.of(plainId), tmp.resolve("out")));
      assertEquals(List.of(encId), keyed.list().stream().map(b -> b.backupId()).toList());
    }
    assertFalse(Files.exists(tmp.resolve("out")));
  }

  @Test
  void options_refuseSeveralKeySourcesAndMalformedKeys_withoutEchoingSecrets() {
    ArchiveBackupProvider p = new ArchiveBackupProvider();
    Path repo = tmp.resolve("repo");
    IllegalArgumentException both =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.open(repo, Map.of("key", TestSupport.KEY_HEX, "passphrase", "hunter2")));
    assertFalse(both.getMessage().contains("hunter2"));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class, () -> p.open(repo, Map.of("key", "zz-not-hex-secret")));
    assertFalse(bad.getMessage().contains("zz-not-hex-secret"));
    assertThrows(
        IllegalArgumentException.class,
        () -> p.open(repo, Map.of("key", TestSupport.KEY_HEX, "mode", "plain")));
    assertThrows(IllegalArgumentException.class, () -> p.open(repo, Map.of("mode", "encrypted")));
    assertThrows(IllegalArgumentException.class, () -> p.open(repo, Map.of("nonsense", "1")));
    assertFalse(Files.exists(repo));
  }

  @Test
  void keyFile_rawAndHex_openTheSameArchives() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Files.write(tmp.resolve("key.bin"), java.util.HexFormat.of().parseHex(TestSupport.KEY_HEX));
    Files.write(
        tmp.resolve("key.hex"), (TestSupport.KEY_HEX + "\n").getBytes(StandardCharsets.US_ASCII));
    String id;
    try (ArchiveRepository repo =
        TestSupport.open(
            tmp.resolve("repo"), Map.of("key-file", tmp.resolve("key.bin").toString()))) {
      id = repo.backup(src).backupId();
    }
    try (ArchiveRepository repo =
        TestSupport.open(
            tmp.resolve("repo"), Map.of("key-file", tmp.resolve("key.hex").toString()))) {
      repo.restore(BackupId.of(id), tmp.resolve("out"));
    }
    assertEquals(Snapshot.of(src), Snapshot.of(tmp.resolve("out")));
  }

  @Test
  void incremental_storesChangesOnly_restoresFullStateWithDeletions_andProtectsItsBase()
      throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    byte[] big = new byte[300_000];
    new java.util.Random(3).nextBytes(big);
    Files.write(src.resolve("big.bin"), big);
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata full = repo.backup(src);
      TestSupport.write(src.resolve("text.txt"), "changed, same length? no");
      TestSupport.write(
          src.resolve("wal_tail/segment_1.aedbwal"), "SEGMENT"); // same size, new content
      Files.delete(src.resolve("random.bin"));
      Files.delete(src.resolve("empty/nested"));
      TestSupport.write(src.resolve("new.txt"), "new");
      BackupMetadata inc = repo.backup(BackupRequest.incremental(src, full.id()));
      assertEquals(BackupType.INCREMENTAL, inc.backupType());
      assertEquals(full.backupId(), inc.baseBackupId());
      assertTrue(
          repo.storedBytes(inc.id()) < 100_000, "unchanged big.bin must not be stored again");
      repo.restore(inc.id(), tmp.resolve("out"));
      assertEquals(Snapshot.of(src), Snapshot.of(tmp.resolve("out")));
      assertTrue(repo.verify(inc.id()).ok());

      // a second level: unchanged files may live two archives up
      TestSupport.write(src.resolve("new.txt"), "newer");
      BackupMetadata inc2 = repo.backup(BackupRequest.incremental(src, inc.id()));
      repo.restore(
          RestoreRequest.of(inc2.id(), tmp.resolve("out2"))
              .withPaths(Set.of("big.bin", "new.txt")));
      assertEquals(
          Set.of("big.bin", "new.txt"), Snapshot.of(tmp.resolve("out2")).entries().keySet());
      assertArrayEquals(big, Files.readAllBytes(tmp.resolve("out2/big.bin")));

      BackupInUseException inUse =
          assertThrows(BackupInUseException.class, () -> repo.delete(full.id()));
      assertEquals(List.of(inc.backupId()), inUse.dependents());
      assertThrows(
          NoSuchBackupException.class,
          () -> repo.backup(BackupRequest.incremental(src, BackupId.of("0000-no-such-base"))));

      repo.delete(inc2.id());
      repo.delete(inc.id());
      repo.delete(full.id());
      assertEquals(List.of(), repo.list());
    }
  }

  @Test
  void incremental_withReplacedBase_failsTheChainCheck() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata full = repo.backup(src);
      TestSupport.write(src.resolve("new.txt"), "new");
      BackupMetadata inc = repo.backup(BackupRequest.incremental(src, full.id()));
      // replace the base by another, authentic archive of the same id (same content, fresh salt)
      Path baseFile = tmp.resolve("repo").resolve(full.backupId() + ".coffer");
      Path other;
      try (ArchiveRepository repo2 =
          TestSupport.deterministic(
              tmp.resolve("repo2"),
              TestSupport.keyOptions(TestSupport.KEY_HEX),
              99,
              full.backupId(),
              Format.DEFAULT_CHUNK_SIZE)) {
        repo2.backup(src);
        other = tmp.resolve("repo2").resolve(full.backupId() + ".coffer");
      }
      Files.copy(other, baseFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThrows(CorruptBackupException.class, () -> repo.restore(inc.id(), tmp.resolve("out")));
      assertFalse(repo.verify(inc.id()).ok());
      assertFalse(Files.exists(tmp.resolve("out")));
    }
  }

  @Test
  void partialRestore_restoresExactlyTheRequestedPaths_andRefusesUnknownOnes() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      String id = repo.backup(src).backupId();
      repo.restore(
          RestoreRequest.of(BackupId.of(id), tmp.resolve("out")).withPaths(Set.of("wal_tail")));
      assertEquals(
          Set.of("wal_tail", "wal_tail/segment_1.aedbwal", "wal_tail/zero"),
          Snapshot.of(tmp.resolve("out")).entries().keySet());
      assertThrows(
          NoSuchFileException.class,
          () ->
              repo.restore(
                  RestoreRequest.of(BackupId.of(id), tmp.resolve("out3"))
                      .withPaths(Set.of("nope"))));
      assertFalse(Files.exists(tmp.resolve("out3")));
    }
  }

  @Test
  void prune_deletesWhatThePolicySelects_keepingBasesOfKeptBackups() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupMetadata a = repo.backup(src);
      BackupMetadata b = repo.backup(src);
      BackupMetadata c = repo.backup(BackupRequest.incremental(src, b.id()));
      List<BackupMetadata> doomed = repo.prune(RetentionPolicy.keepLast(1));
      assertEquals(List.of(a), doomed);
      assertEquals(List.of(c, b), repo.list());
      repo.restore(c.id(), tmp.resolve("out"));
      assertEquals(Snapshot.of(src), Snapshot.of(tmp.resolve("out")));
    }
  }

  @Test
  void unknownAndHostileIds_areNoSuchBackup() throws IOException {
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      for (String text : List.of("../x", "nope", "", "a/b")) {
        if (!BackupId.isValid(
            text)) { // a malformed id is refused where it is made, before any repository
          assertThrows(IllegalArgumentException.class, () -> BackupId.of(text), text);
          continue;
        }
        BackupId id = BackupId.of(text);
        assertThrows(NoSuchBackupException.class, () -> repo.verify(id));
        assertThrows(NoSuchBackupException.class, () -> repo.delete(id));
        assertThrows(NoSuchBackupException.class, () -> repo.storedBytes(id));
        assertTrue(repo.find(id).isEmpty());
      }
    }
  }

  @Test
  void failingBackup_leavesNoArchiveAndNoTemporary() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    try (ArchiveRepository repo =
        TestSupport.open(tmp.resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      BackupRequest failing =
          BackupRequest.full(src)
              .withProgress(
                  p -> {
                    throw new IllegalStateException("listener fails");
                  });
      assertThrows(IllegalStateException.class, () -> repo.backup(failing));
      assertEquals(List.of(), repo.list());
      assertEquals(
          List.of(KeyCheck.FILE, RepositoryLayout.MARKER), TestSupport.names(tmp.resolve("repo")));
    }
  }

  @Test
  void openOnNonRepositoryDirectory_fails() throws IOException {
    Files.createDirectories(tmp.resolve("other"));
    TestSupport.write(tmp.resolve("other/file"), "x");
    assertThrows(
        IOException.class,
        () -> TestSupport.open(tmp.resolve("other"), TestSupport.keyOptions(TestSupport.KEY_HEX)));
  }

  @Test
  void bytesWritten_doNotDependOnThreadCount() throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    byte[] big = new byte[3 * 1024 * 1024 + 17];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i % 251 ^ (i >> 13));
    }
    Files.write(src.resolve("big.bin"), big);
    byte[][] out = new byte[2][];
    int[] threads = {1, 4};
    for (int i = 0; i < 2; i++) {
      Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
      o.put("threads", String.valueOf(threads[i]));
      Path repoDir = tmp.resolve("repo" + i);
      try (ArchiveRepository repo =
          TestSupport.deterministic(repoDir, o, 5, "fixed-id", Format.DEFAULT_CHUNK_SIZE)) {
        repo.backup(src);
      }
      out[i] = Files.readAllBytes(repoDir.resolve("fixed-id.coffer"));
    }
    assertArrayEquals(out[0], out[1]);
  }

  @Test
  void namesDifferingInCase_restoreOnCaseSensitiveTargets_andAreRefusedOnConflatingOnes()
      throws IOException {
    FileSystem unix = TestSupport.jimfs("unix");
    Path src = TestSupport.root(unix).resolve("src");
    Files.createDirectories(src.resolve("case"));
    TestSupport.write(src.resolve("case/README"), "upper");
    TestSupport.write(src.resolve("case/Readme"), "mixed");
    try (ArchiveRepository repo =
        TestSupport.open(
            TestSupport.root(unix).resolve("repo"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      String id = repo.backup(src).backupId();
      repo.restore(BackupId.of(id), TestSupport.root(unix).resolve("out"));
      assertEquals(Snapshot.of(src), Snapshot.of(TestSupport.root(unix).resolve("out")));
      for (String kind : List.of("osx", "windows")) {
        Path target = TestSupport.root(TestSupport.jimfs(kind)).resolve("out");
        CorruptBackupException e =
            assertThrows(CorruptBackupException.class, () -> repo.restore(BackupId.of(id), target));
        assertTrue(e.getMessage().contains("collide"), e.getMessage());
        assertFalse(Files.exists(target));
        assertEquals(
            List.of(),
            TestSupport.names(target.getParent()).stream().filter(n -> !n.equals("work")).toList());
      }
    }
  }

  @Test
  void keyFileAndPassphraseFile_areReadFromTheRepositorysFileSystem() throws IOException {
    FileSystem win = TestSupport.jimfs("windows");
    Path root = TestSupport.root(win);
    Path src = TestSupport.sampleSource(root.resolve("src"));
    Files.write(root.resolve("master.key"), java.util.HexFormat.of().parseHex(TestSupport.KEY_HEX));
    Files.write(root.resolve("pass.txt"), "pass phrase\r\n".getBytes(StandardCharsets.UTF_8));
    try (ArchiveRepository keyed =
        TestSupport.open(
            root.resolve("repo1"), Map.of("key-file", root.resolve("master.key").toString()))) {
      String id = keyed.backup(src).backupId();
      try (ArchiveRepository raw =
          TestSupport.open(root.resolve("repo1"), TestSupport.keyOptions(TestSupport.KEY_HEX))) {
        raw.restore(BackupId.of(id), root.resolve("out1"));
      }
    }
    Map<String, String> fromFile = new java.util.HashMap<>(TestSupport.passphraseOptions("unused"));
    fromFile.remove("passphrase");
    fromFile.put("passphrase-file", root.resolve("pass.txt").toString());
    try (ArchiveRepository pf = TestSupport.open(root.resolve("repo2"), fromFile)) {
      String id = pf.backup(src).backupId();
      try (ArchiveRepository typed =
          TestSupport.open(root.resolve("repo2"), TestSupport.passphraseOptions("pass phrase"))) {
        typed.restore(BackupId.of(id), root.resolve("out2"));
      }
    }
    assertEquals(Snapshot.of(src), Snapshot.of(root.resolve("out1")));
    assertEquals(Snapshot.of(src), Snapshot.of(root.resolve("out2")));
  }
}
