package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.RekeyReport;
import dev.coffer.RestoreRequest;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.v2.X25519Identity;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which keys a format-2 rekey takes: a new raw key or passphrase, added and removed recipients;
 * what it refuses (another mode, options that are not keys, no key, format 1), never echoing a key;
 * and that the bytes it writes per backup do not depend on the backup's size.
 */
class Format2RekeyKeysTest {

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");
  @TempDir Path disk;

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private static Map<String, String> v2(Map<String, String> keys) {
    Map<String, String> o = new HashMap<>(keys);
    o.put("format", "2");
    o.put("threads", "2");
    return o;
  }

  private Path file(String name, String content) throws IOException {
    Files.createDirectories(root);
    return Files.writeString(root.resolve(name), content);
  }

  private Map<String, String> identity(X25519Identity id) throws IOException {
    return Map.of(
        "identity-file",
        file("id-" + id.recipient().hashCode(), id.secretText() + "\n").toString());
  }

  @Test
  void aPassphrase_isRotatedToAnotherPassphrase_andOnlyTheNewOneOpens() throws IOException {
    Path repo = root.resolve("repo");
    Path src = TestSupport.sampleSource(root.resolve("src"));
    Map<String, String> old = v2(TestSupport.passphraseOptions("old passphrase"));
    BackupMetadata b;
    try (BackupRepository r = new ArchiveBackupProvider().open(repo, old)) {
      b = r.backup(BackupRequest.full(src));
    }
    Map<String, String> cheap = new HashMap<>(TestSupport.passphraseOptions("new passphrase"));
    cheap.remove("threads");
    try (BackupRepository r = new ArchiveBackupProvider().open(repo, old)) {
      assertEquals(1, r.rekey(cheap, x -> {}).rekeyed());
    }
    assertThrows(WrongKeyException.class, () -> new ArchiveBackupProvider().open(repo, old));
    try (BackupRepository r =
        new ArchiveBackupProvider()
            .open(repo, v2(TestSupport.passphraseOptions("new passphrase")))) {
      r.restore(RestoreRequest.of(BackupId.of(b.backupId()), root.resolve("t")));
    }
    assertEquals(TestSupport.names(src), TestSupport.names(root.resolve("t")));
  }

  @Test
  void recipients_areAddedAndRemoved_andTheRemovedIdentityOpensNothingNew() throws IOException {
    SecureRandom random = new SecureRandom();
    X25519Identity ops = X25519Identity.generate(random);
    X25519Identity ops2 = X25519Identity.generate(random);
    X25519Identity escrow = X25519Identity.generate(random);
    Path repo = root.resolve("repo");
    Path src = TestSupport.sampleSource(root.resolve("src"));
    Map<String, String> oldHost =
        v2(Map.of("recipients-file", file("old.txt", ops.recipient() + "\n").toString()));
    Map<String, String> newRecipients =
        Map.of(
            "recipients-file",
            file("new.txt", ops2.recipient() + "\n" + escrow.recipient() + "\n").toString());
    BackupMetadata b;
    try (BackupRepository host = new ArchiveBackupProvider().open(repo, oldHost)) {
      b = host.backup(BackupRequest.full(src));
    }
    try (BackupRepository hostOnly = new ArchiveBackupProvider().open(repo, oldHost)) {
      assertThrows(WrongKeyException.class, () -> hostOnly.rekey(newRecipients, x -> {}));
    }
    try (BackupRepository r = new ArchiveBackupProvider().open(repo, v2(identity(ops)))) {
      RekeyReport done = r.rekey(newRecipients, x -> {});
      assertEquals(1, done.rekeyed());
    }
    assertThrows(
        WrongKeyException.class, () -> new ArchiveBackupProvider().open(repo, v2(identity(ops))));
    assertThrows(
        WrongKeyException.class,
        () -> new ArchiveBackupProvider().open(repo, oldHost),
        "a host still given the removed recipient writes nothing new for it");
    for (X25519Identity reader : List.of(ops2, escrow)) {
      Path target = root.resolve("t-" + reader.recipient().hashCode());
      try (BackupRepository r = new ArchiveBackupProvider().open(repo, v2(identity(reader)))) {
        assertEquals(1, r.list().size());
        r.restore(RestoreRequest.of(BackupId.of(b.backupId()), target));
      }
      assertEquals(TestSupport.names(src), TestSupport.names(target));
    }
    try (BackupRepository host =
        new ArchiveBackupProvider().open(repo, v2(new HashMap<>(newRecipients)))) {
      host.backup(BackupRequest.full(src));
    }
  }

  @Test
  void anotherMode_optionsThatAreNotKeys_orNoKey_areRefused_changingNothing_echoingNoKey()
      throws IOException {
    Path repo = root.resolve("repo");
    Path src = TestSupport.sampleSource(root.resolve("src"));
    Map<String, String> old = v2(TestSupport.keyOptions(TestSupport.KEY_HEX));
    try (BackupRepository r = new ArchiveBackupProvider().open(repo, old)) {
      r.backup(BackupRequest.full(src));
    }
    List<String> before = TestSupport.names(repo);
    X25519Identity someone = X25519Identity.generate(new SecureRandom());
    List<Map<String, String>> refused =
        List.of(
            Map.of("recipient", someone.recipient().toString()),
            Map.of("key", TestSupport.OTHER_KEY_HEX, "level", "3"),
            Map.of("key", TestSupport.OTHER_KEY_HEX, "identity-file", "/nowhere"),
            Map.of());
    for (Map<String, String> newKeys : refused) {
      try (BackupRepository r = new ArchiveBackupProvider().open(repo, old)) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> r.rekey(newKeys, x -> {}));
        assertFalse(e.getMessage().contains(TestSupport.OTHER_KEY_HEX), e.getMessage());
        assertFalse(e.getMessage().contains(TestSupport.KEY_HEX), e.getMessage());
        assertEquals(1, r.list().size(), "a refused rekey leaves the instance usable");
      }
      assertEquals(before, TestSupport.names(repo), "refused " + newKeys.keySet());
    }
    try (BackupRepository r = new ArchiveBackupProvider().open(repo, old)) {
      assertFalse(r.toString().contains(TestSupport.KEY_HEX));
    }
  }

  @Test
  void format1_cannotRekey_andSaysSo() throws IOException {
    Path repo = root.resolve("v1");
    try (BackupRepository r =
        new ArchiveBackupProvider().open(repo, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertFalse(r.info().supports(dev.coffer.spi.Capability.REKEY));
      assertThrows(
          UnsupportedOperationException.class,
          () -> r.rekey(Map.of("key", TestSupport.OTHER_KEY_HEX), x -> {}));
    }
  }

  @Test
  void bytesWrittenPerBackup_doNotDependOnItsSize() throws IOException {
    Path small = Files.createDirectories(root.resolve("small"));
    Path large = Files.createDirectories(root.resolve("large"));
    Files.write(small.resolve("f"), new byte[1024]);
    byte[] random = new byte[8 * 1024 * 1024];
    new Random(19).nextBytes(random);
    Files.write(large.resolve("f"), random);
    ObjectStore bucket = ObjectStores.directory(root.resolve("bucket"));
    Map<String, String> old = v2(TestSupport.keyOptions(TestSupport.KEY_HEX));
    try (BackupRepository r = new ArchiveBackupProvider().open(bucket, old)) {
      for (Path src : List.of(small, large, small, large)) {
        r.backup(BackupRequest.full(src));
      }
    }
    CrashingStore counting = new CrashingStore(bucket, 0, false);
    try (BackupRepository r = new ArchiveBackupProvider().open(counting, old)) {
      r.rekey(Map.of("key", TestSupport.OTHER_KEY_HEX), x -> {});
    }
    Map<String, Long> perBackup = new java.util.TreeMap<>();
    counting
        .written()
        .forEach(
            (key, bytes) -> {
              assertFalse(
                  key.startsWith("data/") || key.startsWith("manifests/"), "rekey wrote " + key);
              if (key.startsWith("commits/") || key.startsWith("meta/")) {
                perBackup.merge(key.substring(key.indexOf('/') + 1), bytes, Long::sum);
              }
            });
    assertEquals(4, perBackup.size(), perBackup::toString);
    long min = perBackup.values().stream().mapToLong(Long::longValue).min().orElseThrow();
    long max = perBackup.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(min > 0 && max <= 4096, "bytes per backup " + perBackup);
    assertTrue(max - min <= 16, "a 1 KiB and an 8 MiB backup cost the same: " + perBackup);
  }

  @Test
  void anUnfinishedRekey_damaged_isCorrupt_andOneToOtherKeys_mustBeFinishedFirst()
      throws IOException {
    ObjectStore bucket = ObjectStores.directory(root.resolve("bucket"));
    Path src = TestSupport.sampleSource(root.resolve("src"));
    Map<String, String> old = v2(TestSupport.keyOptions(TestSupport.KEY_HEX));
    Map<String, String> next = Map.of("key", TestSupport.OTHER_KEY_HEX);
    try (BackupRepository r = new ArchiveBackupProvider().open(bucket, old)) {
      r.backup(BackupRequest.full(src));
    }
    CrashingStore crashing = new CrashingStore(bucket, 1, true); // after coffer-rekey is written
    try (BackupRepository r = new ArchiveBackupProvider().open(crashing, old)) {
      assertThrows(IOException.class, () -> r.rekey(next, x -> {}));
    }
    try (BackupRepository r = new ArchiveBackupProvider().open(bucket, old)) {
      IllegalArgumentException other =
          assertThrows(
              IllegalArgumentException.class,
              () -> r.rekey(Map.of("key", "ab".repeat(32)), x -> {}));
      assertTrue(other.getMessage().contains("unfinished rekey"), other.getMessage());
    }
    byte[] pending;
    try (InputStream in = bucket.read("coffer-rekey")) {
      pending = in.readAllBytes();
    }
    pending[pending.length - 1] ^= 1; // the sealed previous master
    bucket.write("coffer-rekey", new ByteArrayInputStream(pending), WriteMode.REPLACE);
    Map<String, String> withNew = v2(TestSupport.keyOptions(TestSupport.OTHER_KEY_HEX));
    assertThrows(
        CorruptBackupException.class, () -> new ArchiveBackupProvider().open(bucket, withNew));
    try (BackupRepository r = new ArchiveBackupProvider().open(bucket, old)) {
      assertEquals(1, r.list().size(), "the old key still opens what is not rekeyed");
    }
  }

  @Test
  void aWriteOnlyRekey_crashedAtEachWrite_leavesEveryBackupToTheOldOrTheNewIdentity_andResumes()
      throws IOException {
    SecureRandom random = new SecureRandom();
    X25519Identity ops = X25519Identity.generate(random);
    X25519Identity ops2 = X25519Identity.generate(random);
    Path src = TestSupport.sampleSource(root.resolve("src"));
    Path template = root.resolve("template");
    Map<String, String> host =
        v2(Map.of("recipients-file", file("old.txt", ops.recipient() + "\n").toString()));
    Map<String, String> next = Map.of("recipient", ops2.recipient().toString());
    List<String> ids = new ArrayList<>();
    try (BackupRepository r = new ArchiveBackupProvider().open(template, host)) {
      ids.add(r.backup(BackupRequest.full(src)).backupId());
      ids.add(r.backup(BackupRequest.full(src)).backupId());
    }
    int crashes = 0;
    for (int n = 1; ; n++) {
      Path bucket = Format2RekeyTest.copy(template, root.resolve("bucket-" + n));
      CrashingStore crashing = new CrashingStore(ObjectStores.directory(bucket), n, true);
      try (BackupRepository r = new ArchiveBackupProvider().open(crashing, v2(onDisk(ops)))) {
        r.rekey(next, x -> {});
      } catch (IOException crash) {
        assertTrue(crashing.crashed(), "only the injected crash fails: " + crash);
      }
      if (!crashing.crashed()) {
        break;
      }
      crashes++;
      ObjectStore store = ObjectStores.directory(bucket);
      for (String id : ids) {
        Path target = root.resolve("t-" + n + "-" + id);
        assertTrue(
            restores(store, ops, id, target.resolve("old"))
                || restores(store, ops2, id, target.resolve("new")),
            "crash at change " + n + ": backup " + id + " opens with neither identity");
      }
      X25519Identity resume = opens(store, ops) ? ops : ops2;
      try (BackupRepository r = new ArchiveBackupProvider().open(store, v2(onDisk(resume)))) {
        RekeyReport rerun = r.rekey(next, x -> {});
        assertEquals(2, rerun.rekeyed() + rerun.skipped(), "crash at change " + n);
      }
      assertFalse(opens(store, ops), "crash at change " + n + ": the removed identity opens");
      for (String id : ids) {
        assertTrue(restores(store, ops2, id, root.resolve("r-" + n + "-" + id)), id);
      }
    }
    assertTrue(crashes >= 4, "every change was crashed at: " + crashes);
  }

  private boolean opens(ObjectStore store, X25519Identity id) throws IOException {
    try {
      new ArchiveBackupProvider().open(store, v2(onDisk(id))).close();
      return true;
    } catch (WrongKeyException refused) {
      return false;
    }
  }

  private boolean restores(ObjectStore store, X25519Identity id, String backupId, Path target)
      throws IOException {
    try (BackupRepository r = new ArchiveBackupProvider().open(store, v2(onDisk(id)))) {
      Files.createDirectories(target.getParent());
      r.restore(RestoreRequest.of(BackupId.of(backupId), target));
      return Files.exists(target.resolve("text.txt"));
    } catch (WrongKeyException | CorruptBackupException notWithThisIdentity) {
      return false;
    }
  }

  /** Key files of a repository in an object store are read from the default file system. */
  private Map<String, String> onDisk(X25519Identity id) throws IOException {
    Path file = disk.resolve("id-" + id.recipient().hashCode());
    if (!Files.exists(file)) {
      Files.writeString(file, id.secretText() + "\n");
    }
    return Map.of("identity-file", file.toString());
  }
}
