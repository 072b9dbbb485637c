package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.v2.HostSigningKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incrementals on a write-only host (issue 19): with {@code state-file} and {@code host-key-file} a
 * host holding only the recipient takes incrementals that store only the changed blocks and restore
 * byte for byte with the identity; a missing, foreign, stale or tampered state gives a full backup,
 * never an incremental on a wrong base.
 */
class Format2WriteOnlyIncrementalTest {

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final HostSigningKey db1 = HostSigningKey.generate(new SecureRandom());
  private final HostSigningKey db2 = HostSigningKey.generate(new SecureRandom());

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private void incrementalStoresOnlyChangedBlocks(Path root) throws IOException {
    WriteOnlyHost w = new WriteOnlyHost(root);
    Path repo = root.resolve("repo");
    Path state = root.resolve("host/state");
    Files.createDirectories(state.getParent());
    Path src = w.source("src");
    BackupMetadata full;
    BackupMetadata incr;
    long fullBytes;
    long incrBytes;
    try (BackupRepository host = w.open(repo, w.host(db1, state))) {
      full = host.backup(BackupRequest.full(src));
      assertTrue(Files.isRegularFile(state), "the host state is written after a backup");
      WriteOnlyHost.changeBlock(src, 5, 1);
      incr = host.backup(BackupRequest.incremental(src, full.id()));
      fullBytes = host.storedBytes(full.id());
      incrBytes = host.storedBytes(incr.id());
    }
    assertEquals(BackupType.INCREMENTAL, incr.backupType());
    assertEquals(full.backupId(), incr.baseBackupId());
    assertTrue(fullBytes > 16 * WriteOnlyHost.BLOCK, "full stores every block: " + fullBytes);
    // one changed random block (64 KiB), the small files again, a manifest, commit and metadata
    assertTrue(incrBytes < 2 * WriteOnlyHost.BLOCK, "incremental stored " + incrBytes + " bytes");
    try (BackupRepository reader = w.open(repo, w.reader())) {
      assertTrue(reader.verify(incr.id()).ok());
      reader.restore(incr.id(), root.resolve("out"));
      WriteOnlyHost.assertSameFiles(src, root.resolve("out"));
    }
  }

  @Test
  void anIncrementalOnAWriteOnlyHost_storesOnlyChangedBlocks_andRestoresByteEqual_onJimfs()
      throws IOException {
    incrementalStoresOnlyChangedBlocks(fs.getPath("/work"));
  }

  @Test
  void anIncrementalOnAWriteOnlyHost_storesOnlyChangedBlocks_andRestoresByteEqual_onDisk(
      @TempDir Path dir) throws IOException {
    incrementalStoresOnlyChangedBlocks(dir);
  }

  @Test
  void theHostState_revealsNeitherPathsNorContent_andOpensForNoOtherHostKey() throws IOException {
    WriteOnlyHost w = new WriteOnlyHost(fs.getPath("/work"));
    Path state = w.root.resolve("state");
    Path src = w.source("src");
    Files.writeString(src.resolve("conf/a.conf"), "planted-secret-setting\n");
    try (BackupRepository host = w.open(w.root.resolve("repo"), w.host(db1, state))) {
      host.backup(BackupRequest.full(src));
    }
    String content = new String(Files.readAllBytes(state), StandardCharsets.ISO_8859_1);
    assertFalse(content.contains("planted-secret-setting"), "content in the state");
    assertFalse(content.contains("a.conf"), "a path in the state");
    assertFalse(content.contains("db/big"), "a path in the state");
  }

  /** One bad-state case: what is done to the state before the incremental on {@code base}. */
  private interface Spoil {
    void apply(WriteOnlyHost w, Path repo, Path state, Path src, BackupMetadata base)
        throws IOException;
  }

  private void givesAFullBackup(Spoil spoil) throws IOException {
    WriteOnlyHost w = new WriteOnlyHost(fs.getPath("/work"));
    Path repo = w.root.resolve("repo");
    Path state = w.root.resolve("state");
    Path src = w.source("src");
    BackupMetadata full;
    try (BackupRepository host = w.open(repo, w.host(db1, state))) {
      full = host.backup(BackupRequest.full(src));
    }
    spoil.apply(w, repo, state, src, full);
    WriteOnlyHost.changeBlock(src, 3, 2);
    BackupMetadata next;
    long stored;
    try (BackupRepository host = w.open(repo, w.host(db1, state))) {
      next = host.backup(BackupRequest.incremental(src, full.id()));
      stored = host.storedBytes(next.id());
    }
    assertEquals(BackupType.FULL, next.backupType(), "a bad state gives a full backup");
    assertNull(next.baseBackupId());
    assertTrue(stored > 16 * WriteOnlyHost.BLOCK, "the full backup stores every block: " + stored);
    try (BackupRepository reader = w.open(repo, w.reader())) {
      reader.restore(next.id(), w.root.resolve("out"));
      WriteOnlyHost.assertSameFiles(src, w.root.resolve("out"));
    }
    try (BackupRepository host = w.open(repo, w.host(db1, state))) {
      WriteOnlyHost.changeBlock(src, 4, 3);
      BackupMetadata after = host.backup(BackupRequest.incremental(src, next.id()));
      assertEquals(next.backupId(), after.baseBackupId(), "the full backup renewed the state");
    }
  }

  @Test
  void aMissingState_givesAFullBackup() throws IOException {
    givesAFullBackup((w, repo, state, src, base) -> Files.delete(state));
  }

  @Test
  void aStateOfAnotherRepository_givesAFullBackup() throws IOException {
    givesAFullBackup(
        (w, repo, state, src, base) -> {
          Path otherState = w.root.resolve("other-state");
          try (BackupRepository other =
              w.open(w.root.resolve("other-repo"), w.host(db1, otherState))) {
            other.backup(BackupRequest.full(src));
          }
          Files.copy(otherState, state, StandardCopyOption.REPLACE_EXISTING);
        });
  }

  @Test
  void aStateOfAnotherHost_givesAFullBackup() throws IOException {
    givesAFullBackup(
        (w, repo, state, src, base) -> {
          Path otherState = w.root.resolve("db2-state");
          try (BackupRepository other = w.open(repo, w.host(db2, otherState))) {
            other.backup(BackupRequest.full(src));
          }
          Files.copy(otherState, state, StandardCopyOption.REPLACE_EXISTING);
        });
  }

  @Test
  void aStaleState_aLaterBackupOfThisHostExists_givesAFullBackup() throws IOException {
    givesAFullBackup(
        (w, repo, state, src, base) -> {
          Path old = w.root.resolve("state-copy");
          Files.copy(state, old);
          try (BackupRepository host = w.open(repo, w.host(db1, state))) {
            host.backup(BackupRequest.full(src));
          }
          Files.copy(old, state, StandardCopyOption.REPLACE_EXISTING);
        });
  }

  @Test
  void aStateOfAnotherBackupThanTheRequestedBase_givesAFullBackup() throws IOException {
    givesAFullBackup(
        (w, repo, state, src, base) -> {
          try (BackupRepository host = w.open(repo, w.host(db1, state))) {
            host.backup(BackupRequest.full(src)); // the state now names this one, not base
          }
        });
  }

  @Test
  void aStateWhoseBaseWasDeleted_givesAFullBackup() throws IOException {
    WriteOnlyHost w = new WriteOnlyHost(fs.getPath("/work"));
    Path repo = w.root.resolve("repo");
    Path state = w.root.resolve("state");
    Path src = w.source("src");
    try (BackupRepository host = w.open(repo, w.host(db1, state))) {
      BackupMetadata first = host.backup(BackupRequest.full(src));
      BackupMetadata second = host.backup(BackupRequest.full(src));
      host.delete(second.id());
      // the state names the deleted second backup; the request names the first
      BackupMetadata next = host.backup(BackupRequest.incremental(src, first.id()));
      assertEquals(BackupType.FULL, next.backupType());
    }
  }

  @Test
  void aTamperedState_givesAFullBackup_whereverTheByteIs() throws IOException {
    for (int at : new int[] {3, 12, 40, 70, -1}) {
      fs.close();
      Path root = Jimfs.newFileSystem(Configuration.unix()).getPath("/work");
      WriteOnlyHost w = new WriteOnlyHost(root);
      Path repo = w.root.resolve("repo");
      Path state = w.root.resolve("state");
      Path src = w.source("src");
      BackupMetadata full;
      try (BackupRepository host = w.open(repo, w.host(db1, state))) {
        full = host.backup(BackupRequest.full(src));
      }
      byte[] bytes = Files.readAllBytes(state);
      int i = at < 0 ? bytes.length - 1 : at;
      bytes[i] ^= 0x40;
      Files.write(state, bytes);
      try (BackupRepository host = w.open(repo, w.host(db1, state))) {
        BackupMetadata next = host.backup(BackupRequest.incremental(src, full.id()));
        assertEquals(BackupType.FULL, next.backupType(), "byte " + i + " flipped");
      }
      root.getFileSystem().close();
    }
  }

  @Test
  void withoutAStateFile_anIncrementalOnAWriteOnlyHost_isRefusedNamingTheOptions()
      throws IOException {
    WriteOnlyHost w = new WriteOnlyHost(fs.getPath("/work"));
    Path repo = w.root.resolve("repo");
    Path src = w.source("src");
    try (BackupRepository host = w.open(repo, w.host(db1, null))) {
      BackupMetadata full = host.backup(BackupRequest.full(src));
      WrongKeyException e =
          assertThrows(
              WrongKeyException.class,
              () -> host.backup(BackupRequest.incremental(src, full.id())));
      assertTrue(e.getMessage().contains("state-file"), e.getMessage());
      assertTrue(e.getMessage().contains("identity-file"), e.getMessage());
    }
  }

  @Test
  void aStateFileWithoutAHostKey_isRefusedAtOpen() throws IOException {
    WriteOnlyHost w = new WriteOnlyHost(fs.getPath("/work"));
    Map<String, String> o = w.host(db1, w.root.resolve("state"));
    o.remove("host-key-file");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> w.open(w.root.resolve("repo"), o));
    assertTrue(e.getMessage().contains("host-key-file"), e.getMessage());
    assertFalse(Files.exists(w.root.resolve("repo")));
  }
}
