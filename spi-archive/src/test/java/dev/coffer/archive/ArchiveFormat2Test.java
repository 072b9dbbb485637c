package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.v2.V2Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Format 2 through the {@code archive} provider: the {@code format} option, the {@code
 * coffer-repository} config (key check, mode, Argon2id bounds), the sealed metadata object, modes a
 * database needs, and block-level incrementals.
 */
class ArchiveFormat2Test {

  private final FileSystem fs =
      Jimfs.newFileSystem(
          Configuration.unix().toBuilder()
              .setAttributeViews("basic", "owner", "posix", "unix")
              .build());
  private final Path root = fs.getPath("/work");

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private static Map<String, String> v2(Map<String, String> options) {
    Map<String, String> o = new HashMap<>(options);
    o.put("format", "2");
    return o;
  }

  private static BackupRepository open(Path location, Map<String, String> options)
      throws IOException {
    return new ArchiveBackupProvider().open(location, options);
  }

  private static List<String> tree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void format2_isKeptByTheRepository_andFormat1IsRefusedOnIt() throws IOException {
    Path repo = root.resolve("repo");
    Path source = TestSupport.sampleSource(root.resolve("src"));
    BackupMetadata b;
    try (BackupRepository r = open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX)))) {
      assertInstanceOf(V2Repository.class, r);
      b = r.backup(BackupRequest.full(source).withLabel("lsn", "0/16B3748"));
    }
    assertTrue(Files.isRegularFile(repo.resolve("coffer-repository")));
    try (BackupRepository again = open(repo, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertInstanceOf(V2Repository.class, again, "an existing format-2 repository opens as such");
      assertEquals(List.of(b), again.list());
      assertEquals("0/16B3748", again.find(b.id()).orElseThrow().labels().get("lsn"));
    }
    Map<String, String> one = TestSupport.keyOptions(TestSupport.KEY_HEX);
    one.put("format", "1");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> open(repo, one));
    assertTrue(e.getMessage().contains("format"), e.getMessage());
  }

  @Test
  void format2_onAFormat1Repository_isRefused() throws IOException {
    Path repo = root.resolve("repo");
    open(repo, TestSupport.keyOptions(TestSupport.KEY_HEX)).close();
    IOException e =
        assertThrows(
            IOException.class, () -> open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX))));
    assertTrue(e.getMessage().contains("format 1"), e.getMessage());
  }

  @Test
  void format2_withoutAKey_isRefusedAndCreatesNothing() {
    Path repo = root.resolve("repo");
    assertThrows(IllegalArgumentException.class, () -> open(repo, v2(Map.of())));
    assertFalse(Files.exists(repo));
  }

  @Test
  void wrongKey_failsAtOpenBeforeAnythingIsWritten() throws IOException {
    Path repo = root.resolve("repo");
    Path source = TestSupport.sampleSource(root.resolve("src"));
    try (BackupRepository r = open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX)))) {
      r.backup(source);
    }
    List<String> before = tree(repo);
    assertThrows(
        WrongKeyException.class,
        () -> open(repo, v2(TestSupport.keyOptions(TestSupport.OTHER_KEY_HEX))));
    assertThrows(
        WrongKeyException.class, () -> open(repo, v2(TestSupport.passphraseOptions("pw"))));
    assertEquals(before, tree(repo));
  }

  @Test
  void passphraseRepository_opensWithItsPassphraseOnly() throws IOException {
    Path repo = root.resolve("repo");
    Path source = TestSupport.sampleSource(root.resolve("src"));
    BackupMetadata b;
    try (BackupRepository r = open(repo, v2(TestSupport.passphraseOptions("correct horse")))) {
      b = r.backup(source);
    }
    assertThrows(
        WrongKeyException.class,
        () -> open(repo, v2(TestSupport.passphraseOptions("wrong horse"))));
    WrongKeyException kind =
        assertThrows(
            WrongKeyException.class,
            () -> open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX))));
    assertTrue(kind.getMessage().contains("passphrase"), kind.getMessage());
    try (BackupRepository r = open(repo, v2(TestSupport.passphraseOptions("correct horse")))) {
      Path target = root.resolve("restored");
      r.restore(b.id(), target);
      assertArrayEquals(
          Files.readAllBytes(source.resolve("random.bin")),
          Files.readAllBytes(target.resolve("random.bin")));
    }
  }

  @Test
  void anotherMode_isRefusedNamingTheRepositorysMode() throws IOException {
    Path repo = root.resolve("repo");
    open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX))).close();
    Map<String, String> signed = v2(TestSupport.keyOptions(TestSupport.KEY_HEX));
    signed.put("mode", "signed");
    WrongKeyException e = assertThrows(WrongKeyException.class, () -> open(repo, signed));
    assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());
    Path fresh = root.resolve("fresh");
    assertThrows(IllegalArgumentException.class, () -> open(fresh, signed));
    assertFalse(Files.exists(fresh.resolve("coffer-repository")));
  }

  @Test
  void config_withHostileArgon2Parameters_isRefusedBeforeRunningThem() throws IOException {
    Path repo = root.resolve("repo");
    open(repo, v2(TestSupport.passphraseOptions("pw"))).close();
    Path config = repo.resolve("coffer-repository");
    String json = Files.readString(config);
    assertTrue(json.contains("\"argon2_memory_kib\":64"), json);
    Files.writeString(
        config, json.replace("\"argon2_memory_kib\":64", "\"argon2_memory_kib\":2147483647"));
    assertThrows(
        CorruptBackupException.class, () -> open(repo, v2(TestSupport.passphraseOptions("pw"))));
  }

  @Test
  void config_damaged_failsTheOpen() throws IOException {
    Path repo = root.resolve("repo");
    open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX))).close();
    Path config = repo.resolve("coffer-repository");
    byte[] saved = Files.readAllBytes(config);
    for (int i = 0; i < saved.length; i += 7) {
      byte[] changed = saved.clone();
      changed[i] ^= 0x01;
      Files.write(config, changed);
      assertThrows(
          IOException.class,
          () -> open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX))),
          "flipped byte " + i);
    }
  }

  @Test
  void metadataObject_damagedOrOfAnotherBackup_isLeftOutOfTheListingAndReportedByVerify()
      throws IOException {
    Path repo = root.resolve("repo");
    Path source = TestSupport.sampleSource(root.resolve("src"));
    try (BackupRepository r = open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX)))) {
      BackupMetadata a = r.backup(source);
      BackupMetadata b = r.backup(source);
      Path metaA = repo.resolve("meta").resolve(a.backupId());
      Path metaB = repo.resolve("meta").resolve(b.backupId());
      Files.copy(metaA, metaB, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try (BackupRepository fresh = open(repo, v2(TestSupport.keyOptions(TestSupport.KEY_HEX)))) {
        assertEquals(List.of(a), fresh.list());
        assertEquals(List.of(b.id()), fresh.unlisted());
        VerifyReport report = fresh.verify(b.id());
        assertFalse(report.ok());
        assertTrue(
            report.problems().stream().anyMatch(p -> p.kind() == VerifyReport.Kind.METADATA),
            report.problems().toString());
      }
    }
  }

  @Test
  void restoredDatabaseDirectory_keepsItsOwnerOnlyModes() throws IOException {
    Path source = root.resolve("pgdata");
    Files.createDirectories(source.resolve("base/1"));
    Files.writeString(source.resolve("PG_VERSION"), "15\n");
    Files.write(source.resolve("base/1/1259"), new byte[8192]);
    Files.setPosixFilePermissions(
        source.resolve("base/1/1259"), PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(
        source.resolve("base/1"), PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(
        source.resolve("base"), PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwx------"));
    try (BackupRepository r =
        open(root.resolve("repo"), v2(TestSupport.keyOptions(TestSupport.KEY_HEX)))) {
      BackupMetadata b = r.backup(source);
      Path target = root.resolve("restored");
      r.restore(b.id(), target);
      for (String p : List.of("", "base", "base/1", "base/1/1259")) {
        assertEquals(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(source.resolve(p))),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve(p))),
            "mode of '" + p + "'");
      }
      assertEquals(
          "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }
  }

  @Test
  void incremental_storesOnlyTheChangedBlocks_andRestoresTheNewState() throws IOException {
    Path source = root.resolve("db");
    Files.createDirectories(source);
    byte[] table = new byte[4 << 20];
    new Random(3).nextBytes(table); // incompressible: stored bytes follow what is stored
    Files.write(source.resolve("table"), table);
    Files.setLastModifiedTime(
        source.resolve("table"), java.nio.file.attribute.FileTime.from(TestSupport.T0));
    try (BackupRepository r =
        open(root.resolve("repo"), v2(TestSupport.keyOptions(TestSupport.KEY_HEX)))) {
      BackupMetadata full = r.backup(source);
      assertTrue(r.storedBytes(full.id()) > table.length, "a full stores the whole table");
      for (int page : new int[] {3, 200, 511}) {
        byte[] changed = "changed page".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(changed, 0, table, page * 8192, changed.length);
      }
      Files.write(source.resolve("table"), table);
      BackupMetadata incr = r.backup(BackupRequest.incremental(source, full.id()));
      long stored = r.storedBytes(incr.id());
      assertTrue(stored < 4 * 65536 + 16384, "3 changed pages stored " + stored + " bytes");
      Path target = root.resolve("restored");
      r.restore(incr.id(), target);
      assertArrayEquals(table, Files.readAllBytes(target.resolve("table")));
      assertTrue(r.verify(incr.id()).ok());
    }
  }

  @Test
  void incremental_doesNotReadAFileWhoseStatsAreUnchanged_unlessRehash() throws IOException {
    Path source = root.resolve("db");
    Files.createDirectories(source);
    Path file = source.resolve("table");
    java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(TestSupport.T0);
    Files.writeString(file, "original");
    Files.setLastModifiedTime(file, old);
    Map<String, String> plain = v2(TestSupport.keyOptions(TestSupport.KEY_HEX));
    Map<String, String> rehash = v2(TestSupport.keyOptions(TestSupport.KEY_HEX));
    rehash.put("rehash", "true");
    BackupMetadata full;
    try (BackupRepository r = open(root.resolve("repo"), plain)) {
      full = r.backup(source);
    }
    // the documented limit: same size, same times, same file: not seen without rehash
    Files.writeString(file, "modified");
    Files.setLastModifiedTime(file, old);
    try (BackupRepository r = open(root.resolve("repo"), plain)) {
      BackupMetadata trusted = r.backup(BackupRequest.incremental(source, full.id()));
      r.restore(trusted.id(), root.resolve("trusted"));
      assertEquals("original", Files.readString(root.resolve("trusted/table")));
    }
    try (BackupRepository r = open(root.resolve("repo"), rehash)) {
      BackupMetadata reread = r.backup(BackupRequest.incremental(source, full.id()));
      r.restore(reread.id(), root.resolve("reread"));
      assertEquals("modified", Files.readString(root.resolve("reread/table")));
    }
  }
}
