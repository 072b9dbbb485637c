package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.v2.X25519Identity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Write-only format-2 repositories (issue 19): a host given only X25519 recipients backs up but
 * cannot list, restore or take an incremental; an identity of a recipient reads everything; keys of
 * the other kind, other recipients and foreign identities are refused at open.
 */
class Format2RecipientsTest {

  private static final String PLANTED = "planted-plaintext-7f3a9c";

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");
  private final X25519Identity ops = X25519Identity.generate(new SecureRandom());
  private final X25519Identity escrow = X25519Identity.generate(new SecureRandom());

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private Map<String, String> host() throws IOException {
    Path recipients = root.resolve("recipients.txt");
    Files.createDirectories(root);
    Files.writeString(
        recipients,
        "# operations and escrow\n" + ops.recipient() + "\n" + escrow.recipient() + "\n");
    Map<String, String> o = new HashMap<>();
    o.put("format", "2");
    o.put("recipients-file", recipients.toString());
    return o;
  }

  private Map<String, String> reader(X25519Identity identity) throws IOException {
    Path file = root.resolve("identity-" + identity.recipient().hashCode());
    Files.createDirectories(root);
    Files.writeString(file, identity.secretText() + "\n");
    Map<String, String> o = new HashMap<>();
    o.put("identity-file", file.toString());
    return o;
  }

  private Path source() throws IOException {
    Path src = Files.createDirectories(root.resolve("src/base"));
    Files.writeString(src.resolve("16384"), (PLANTED + "\n").repeat(100));
    return src.getParent();
  }

  @Test
  void aHostWithRecipientsOnly_backsUp_butCannotReadItsOwnHistory() throws IOException {
    Path repo = root.resolve("repo");
    Path src = source();
    try (BackupRepository host = new ArchiveBackupProvider().open(repo, host())) {
      BackupMetadata b = host.backup(BackupRequest.full(src).withLabel("lsn", "0/1"));
      assertEquals("0/1", b.labels().get("lsn"));
      assertThrows(WrongKeyException.class, host::list);
      assertThrows(WrongKeyException.class, () -> host.restore(b.id(), root.resolve("out")));
      assertThrows(
          BackupException.class, () -> host.backup(BackupRequest.incremental(src, b.id())));
      assertFalse(Files.exists(root.resolve("out")));
    }
    try (Stream<Path> s = Files.walk(repo)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        assertFalse(content.contains(PLANTED), "plaintext in " + p);
        assertFalse(content.contains(ops.secretText()), "an identity in " + p);
      }
    }
  }

  @Test
  void eitherRecipientsIdentity_listsRestoresAndVerifies() throws IOException {
    Path repo = root.resolve("repo");
    Path src = source();
    BackupMetadata b;
    try (BackupRepository host = new ArchiveBackupProvider().open(repo, host())) {
      b = host.backup(BackupRequest.full(src).withLabel("lsn", "0/1"));
    }
    for (X25519Identity identity : List.of(ops, escrow)) {
      try (BackupRepository r = new ArchiveBackupProvider().open(repo, reader(identity))) {
        assertEquals(List.of(b), r.list());
        assertTrue(r.verify(b.id()).ok());
        Path out = root.resolve("out-" + identity.recipient().hashCode());
        r.restore(b.id(), out);
        assertArrayEquals(
            Files.readAllBytes(src.resolve("base/16384")),
            Files.readAllBytes(out.resolve("base/16384")));
      }
    }
    Map<String, String> both = host();
    both.putAll(reader(ops));
    try (BackupRepository r = new ArchiveBackupProvider().open(repo, both)) {
      BackupMetadata incr = r.backup(BackupRequest.incremental(src, b.id()));
      assertEquals(b.backupId(), incr.baseBackupId());
      assertEquals(2, r.list().size());
    }
  }

  @Test
  void foreignIdentitiesOtherRecipientsAndSymmetricKeys_areRefusedAtOpen() throws IOException {
    Path repo = root.resolve("repo");
    new ArchiveBackupProvider().open(repo, host()).close();
    X25519Identity stranger = X25519Identity.generate(new SecureRandom());
    assertThrows(
        WrongKeyException.class, () -> new ArchiveBackupProvider().open(repo, reader(stranger)));
    Map<String, String> other = new HashMap<>();
    other.put("recipient", stranger.recipient().toString());
    assertThrows(WrongKeyException.class, () -> new ArchiveBackupProvider().open(repo, other));
    Map<String, String> key = TestSupport.keyOptions(TestSupport.KEY_HEX);
    WrongKeyException e =
        assertThrows(WrongKeyException.class, () -> new ArchiveBackupProvider().open(repo, key));
    assertTrue(e.getMessage().contains("write-only"), e.getMessage());
    Path encrypted = root.resolve("encrypted");
    key.put("format", "2");
    new ArchiveBackupProvider().open(encrypted, key).close();
    WrongKeyException f =
        assertThrows(
            WrongKeyException.class,
            () -> new ArchiveBackupProvider().open(encrypted, reader(ops)));
    assertTrue(f.getMessage().contains("encrypted"), f.getMessage());
  }

  @Test
  void recipientsWithoutFormat2_orBesideAKey_areRefusedWithoutCreatingAnything()
      throws IOException {
    Path repo = root.resolve("repo");
    Map<String, String> v1 = new HashMap<>();
    v1.put("recipient", ops.recipient().toString());
    assertThrows(IllegalArgumentException.class, () -> new ArchiveBackupProvider().open(repo, v1));
    Map<String, String> mixed = host();
    mixed.put("key", TestSupport.KEY_HEX);
    assertThrows(
        IllegalArgumentException.class, () -> new ArchiveBackupProvider().open(repo, mixed));
    Map<String, String> badIdentity = new HashMap<>();
    badIdentity.put("format", "2");
    Path bad = root.resolve("bad-identity");
    Files.writeString(bad, "coffer-x25519-secret:not-base64-SECRETLOOKING");
    badIdentity.put("identity-file", bad.toString());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ArchiveBackupProvider().open(repo, badIdentity));
    assertFalse(e.getMessage().contains("SECRETLOOKING"), e.getMessage());
    assertFalse(Files.exists(repo));
  }
}
