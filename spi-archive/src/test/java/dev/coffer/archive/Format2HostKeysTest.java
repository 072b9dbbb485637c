package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.CorruptBackupException;
import dev.coffer.archive.v2.HostSigningKey;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who wrote a format-2 backup (issue 19): {@code host-key-file} signs every new commit, and a
 * reader given {@code trusted-host} lists and opens only backups signed by that host.
 */
class Format2HostKeysTest {

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");
  private final HostSigningKey db1 = HostSigningKey.generate(new SecureRandom());
  private final HostSigningKey db2 = HostSigningKey.generate(new SecureRandom());

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private Map<String, String> options() {
    Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
    o.put("format", "2");
    return o;
  }

  private Map<String, String> signing(HostSigningKey key) throws IOException {
    Path file = root.resolve("host-" + key.publicKey().hashCode() + ".key");
    Files.writeString(file, key.secretText() + "\n");
    Map<String, String> o = options();
    o.put("host-key-file", file.toString());
    return o;
  }

  private Map<String, String> trusting(HostSigningKey key) {
    Map<String, String> o = options();
    o.put("trusted-host", key.publicKey().toString());
    return o;
  }

  private BackupRepository open(Map<String, String> options) throws IOException {
    return new ArchiveBackupProvider().open(root.resolve("repo"), options);
  }

  @Test
  void aTrustedHost_listsAndRestoresOnlyWhatThatHostSigned() throws IOException {
    Path src = TestSupport.sampleSource(root.resolve("src"));
    BackupMetadata signed;
    BackupMetadata unsigned;
    BackupMetadata other;
    try (BackupRepository r = open(signing(db1))) {
      signed = r.backup(src);
    }
    try (BackupRepository r = open(options())) {
      unsigned = r.backup(src);
    }
    try (BackupRepository r = open(signing(db2))) {
      other = r.backup(src);
    }
    try (BackupRepository r = open(trusting(db1))) {
      assertEquals(List.of(signed), r.list());
      assertEquals(
          List.of(unsigned.id(), other.id()).stream().sorted().toList(),
          r.unlisted().stream().sorted().toList());
      r.restore(signed.id(), root.resolve("out"));
      assertTrue(Files.isRegularFile(root.resolve("out/random.bin")));
      assertThrows(CorruptBackupException.class, () -> r.restore(other.id(), root.resolve("x")));
      assertThrows(CorruptBackupException.class, () -> r.restore(unsigned.id(), root.resolve("y")));
      assertFalse(Files.exists(root.resolve("x")) || Files.exists(root.resolve("y")));
    }
    try (BackupRepository r = open(options())) {
      assertEquals(3, r.list().size(), "without trusted-host every backup is listed");
    }
  }

  @Test
  void aMalformedHostKeyFile_isRefusedWithoutEchoingIt() throws IOException {
    Files.createDirectories(root);
    Path file = root.resolve("bad.key");
    Files.writeString(file, "coffer-ed25519-secret:SECRETLOOKINGBUTWRONG");
    Map<String, String> o = options();
    o.put("host-key-file", file.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(o));
    assertFalse(e.getMessage().contains("SECRETLOOKING"), e.getMessage());
    assertFalse(Files.exists(root.resolve("repo")));
  }
}
