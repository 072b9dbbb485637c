package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.coffer.spi.Capability;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Key rotation of format 2 (issue 19): rekey re-wraps key slots and reseals metadata only; a crash
 * after (or instead of) each of its writes leaves every backup openable with the old key or the new
 * one, and a second call finishes; afterwards the old key fails with {@link WrongKeyException}. On
 * a directory store over Jimfs and over the disk.
 */
class Format2RekeyTest {

  private final FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix());
  @TempDir Path disk;

  @AfterEach
  void close() throws IOException {
    jimfs.close();
  }

  private Path root(String where) {
    return where.equals("disk") ? disk : jimfs.getPath("/work");
  }

  private static Map<String, String> v2(String keyHex) {
    Map<String, String> o = new HashMap<>(TestSupport.keyOptions(keyHex));
    o.put("format", "2");
    return o;
  }

  private static final Map<String, String> NEW = Map.of("key", TestSupport.OTHER_KEY_HEX);

  private static BackupRepository open(ObjectStore store, String keyHex) throws IOException {
    return new ArchiveBackupProvider().open(store, v2(keyHex));
  }

  /** Three backups (a full, an incremental, another full) of a source that changes. */
  private static List<BackupMetadata> threeBackups(ObjectStore store, Path src) throws IOException {
    TestSupport.sampleSource(src);
    List<BackupMetadata> out = new ArrayList<>();
    try (BackupRepository r = open(store, TestSupport.KEY_HEX)) {
      out.add(r.backup(BackupRequest.full(src)));
      TestSupport.write(src.resolve("added.txt"), "added after the first backup");
      out.add(r.backup(BackupRequest.incremental(src, BackupId.of(out.get(0).backupId()))));
      out.add(r.backup(BackupRequest.full(src)));
    }
    return out;
  }

  /** Every object's bytes but the commits, the metadata and the config: the data. */
  private static Map<String, byte[]> data(ObjectStore store) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    for (ObjectInfo o : store.list("")) {
      if (o.key().startsWith("data/") || o.key().startsWith("manifests/")) {
        try (InputStream in = store.read(o.key())) {
          out.put(o.key(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  /** Whether backup {@code id} restores with {@code keyHex} to the source's names. */
  private static boolean restores(ObjectStore store, String keyHex, String id, Path target)
      throws IOException {
    Files.createDirectories(target.getParent());
    try (BackupRepository r = open(store, keyHex)) {
      r.restore(RestoreRequest.of(BackupId.of(id), target));
      return Files.exists(target.resolve("text.txt"));
    } catch (WrongKeyException | CorruptBackupException notWithThisKey) {
      return false;
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jimfs", "disk"})
  void rekey_rewrapsEveryBackup_changesNoDataByte_andTheOldKeyThenFails(String where)
      throws IOException {
    Path root = root(where);
    ObjectStore store = ObjectStores.directory(root.resolve("bucket"));
    List<BackupMetadata> backups = threeBackups(store, root.resolve("src"));
    Map<String, byte[]> before = data(store);
    List<RekeyReport> told = new ArrayList<>();
    RekeyReport done;
    try (BackupRepository r = open(store, TestSupport.KEY_HEX)) {
      assertTrue(r.info().supports(Capability.REKEY), "format 2 says it can rekey");
      done = r.rekey(NEW, told::add);
      IllegalStateException retired = assertThrows(IllegalStateException.class, () -> r.list());
      assertTrue(retired.getMessage().contains("rekeyed"), retired.getMessage());
    }
    assertEquals(new RekeyReport(3, 3, 0, done.bytesWritten()), done);
    assertEquals(3, told.size(), "told once per backup");
    assertEquals(3, told.get(2).rekeyed());
    assertTrue(told.get(2).bytesWritten() < done.bytesWritten(), "the config is written last");
    assertTrue(done.bytesWritten() < 3 * 4096 + 4096, "bytes written " + done.bytesWritten());
    Map<String, byte[]> after = data(store);
    assertEquals(before.keySet(), after.keySet());
    before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " changed"));
    assertFalse(store.stat("coffer-rekey").isPresent(), "the rekey is finished");
    assertThrows(WrongKeyException.class, () -> open(store, TestSupport.KEY_HEX));
    try (BackupRepository r = open(store, TestSupport.OTHER_KEY_HEX)) {
      assertEquals(3, r.list().size());
      assertTrue(r.unlisted().isEmpty());
      for (BackupMetadata b : backups) {
        assertTrue(r.verify(BackupId.of(b.backupId())).ok(), b.backupId());
      }
    }
    assertTrue(
        restores(store, TestSupport.OTHER_KEY_HEX, backups.get(1).backupId(), root.resolve("t")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jimfs-landed", "jimfs-lost", "disk-landed"})
  void aCrashAtEachWrite_leavesEveryBackupOpenableWithTheOldOrTheNewKey_andARerunFinishes(
      String how) throws IOException {
    Path root = root(how.startsWith("disk") ? "disk" : "jimfs");
    boolean landed = how.endsWith("landed");
    Path template = root.resolve("template");
    List<BackupMetadata> backups =
        threeBackups(ObjectStores.directory(template), root.resolve("src"));
    Map<String, byte[]> data = data(ObjectStores.directory(template));
    int crashes = 0;
    for (int n = 1; ; n++) {
      Path bucket = copy(template, root.resolve("bucket-" + n));
      CrashingStore crashing = new CrashingStore(ObjectStores.directory(bucket), n, landed);
      try (BackupRepository r = open(crashing, TestSupport.KEY_HEX)) {
        r.rekey(NEW, report -> {});
      } catch (IOException crash) {
        assertTrue(crashing.crashed(), "only the injected crash fails: " + crash);
      }
      if (!crashing.crashed()) {
        assertTrue(n > 4, "a rekey of three backups writes more than 4 objects: " + n);
        break;
      }
      crashes++;
      ObjectStore store = ObjectStores.directory(bucket);
      for (BackupMetadata b : backups) {
        Path target = root.resolve("t-" + n + "-" + b.backupId());
        assertTrue(
            restores(store, TestSupport.KEY_HEX, b.backupId(), target.resolve("old"))
                || restores(store, TestSupport.OTHER_KEY_HEX, b.backupId(), target.resolve("new")),
            "crash at change " + n + ": backup " + b.backupId() + " opens with neither key");
      }
      String resumeWith = opens(store, TestSupport.KEY_HEX) ? TestSupport.KEY_HEX : null;
      try (BackupRepository r =
          open(store, resumeWith != null ? resumeWith : TestSupport.OTHER_KEY_HEX)) {
        RekeyReport rerun = r.rekey(NEW, report -> {});
        assertEquals(3, rerun.backups(), "crash at change " + n);
        assertEquals(3, rerun.rekeyed() + rerun.skipped(), "crash at change " + n);
      }
      assertFalse(opens(store, TestSupport.KEY_HEX), "crash at change " + n + ": old key opens");
      try (BackupRepository r = open(store, TestSupport.OTHER_KEY_HEX)) {
        assertEquals(3, r.list().size(), "crash at change " + n);
        for (BackupMetadata b : backups) {
          assertTrue(r.verify(BackupId.of(b.backupId())).ok(), "crash at change " + n);
        }
      }
      Map<String, byte[]> after = data(store);
      assertEquals(data.keySet(), after.keySet());
      data.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " changed"));
      assertFalse(store.stat("coffer-rekey").isPresent());
    }
    assertTrue(crashes >= 8, "every change was crashed at: " + crashes);
  }

  private static boolean opens(ObjectStore store, String keyHex) throws IOException {
    try {
      open(store, keyHex).close();
      return true;
    } catch (WrongKeyException refused) {
      return false;
    }
  }

  static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.naturalOrder())::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }
}
