package dev.coffer.archive.v2;

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
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.ArchiveBackupProvider;
import dev.coffer.archive.SecretBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks on the header fields issue 19 added, through the {@code archive} provider on the real
 * disk and on Jimfs: key slots swapped, dropped, duplicated or moved from another archive, a commit
 * signed by another host (read with {@code trusted-host}), and a downgrade from recipients to a
 * symmetric key in the config or the slots. Each is refused with the exception its kind calls for
 * ({@link WrongKeyException}: no way in for this key; {@link CorruptBackupException}: bytes that
 * were changed) and nothing is written to the restore target.
 */
class V2WriteOnlyAttackTest {

  private final SecureRandom random = new SecureRandom();
  private final X25519Identity ops = X25519Identity.generate(random);
  private final X25519Identity escrow = X25519Identity.generate(random);
  private final HostSigningKey db1 = HostSigningKey.generate(random);
  private final HostSigningKey db2 = HostSigningKey.generate(random);
  private final FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix());
  @TempDir Path disk;

  private Path root;
  private Path repo;
  private BackupMetadata a;
  private BackupMetadata b;

  @AfterEach
  void close() throws IOException {
    jimfs.close();
  }

  /** Two backups by db1 to {ops, escrow} in a fresh repository on {@code where}. */
  private void setUp(String where) throws IOException {
    root = where.equals("disk") ? disk : Files.createDirectories(jimfs.getPath("/work"));
    repo = root.resolve("repo");
    Path src = Files.createDirectories(root.resolve("src"));
    Files.writeString(src.resolve("PG_VERSION"), "15\n");
    Files.write(src.resolve("16384"), new byte[100_000]);
    try (BackupRepository host = open(host(db1))) {
      a = host.backup(BackupRequest.full(src));
      b = host.backup(BackupRequest.full(src));
    }
  }

  private BackupRepository open(Map<String, String> options) throws IOException {
    return new ArchiveBackupProvider().open(repo, options);
  }

  private Map<String, String> host(HostSigningKey key) throws IOException {
    Path recipients = root.resolve("recipients.txt");
    Files.writeString(recipients, ops.recipient() + "\n" + escrow.recipient() + "\n");
    Map<String, String> o = new HashMap<>();
    o.put("format", "2");
    o.put("recipients-file", recipients.toString());
    if (key != null) {
      Path file = root.resolve("host-" + Integer.toHexString(key.hashCode()));
      Files.writeString(file, key.secretText());
      o.put("host-key-file", file.toString());
    }
    return o;
  }

  private Map<String, String> reader(X25519Identity identity) throws IOException {
    Path file = root.resolve("id-" + Integer.toHexString(identity.hashCode()));
    Files.writeString(file, identity.secretText());
    Map<String, String> o = new HashMap<>();
    o.put("identity-file", file.toString());
    return o;
  }

  private Path commitFile(BackupMetadata m) {
    return repo.resolve("commits").resolve(m.backupId());
  }

  private CommitCodec.Parts parts(BackupMetadata m) throws IOException {
    byte[] bytes = Files.readAllBytes(commitFile(m));
    UUID repositoryId = Ids.read(ByteBuffer.wrap(bytes, 10, 16));
    return CommitCodec.decode(bytes, repositoryId, m.backupId());
  }

  /** Rewrites {@code m}'s commit with other slots and a valid checksum, as a writer could. */
  private void withSlots(BackupMetadata m, List<KeySlot> slots) throws IOException {
    CommitCodec.Parts p = parts(m);
    Files.write(
        commitFile(m),
        CommitCodec.encode(new CommitCodec.Parts(p.statement(), slots, p.signer(), p.signature())));
  }

  /** A restore of {@code m} with {@code options} throws {@code type}; the target stays absent. */
  private <T extends BackupException> T refused(
      Class<T> type, Map<String, String> options, BackupMetadata m) throws IOException {
    Path target = root.resolve("target-" + UUID.randomUUID());
    T e;
    try (BackupRepository r = open(options)) {
      e = assertThrows(type, () -> r.restore(m.id(), target));
    }
    assertFalse(Files.exists(target), "a refused restore wrote " + target);
    return e;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"disk", "jimfs"})
  void swappedKeySlots_areCorruption_forEveryIdentity(String where) throws IOException {
    setUp(where);
    List<KeySlot> slots = new ArrayList<>(parts(a).slots());
    Collections.swap(slots, 0, 1);
    withSlots(a, slots);
    refused(CorruptBackupException.class, reader(ops), a);
    refused(CorruptBackupException.class, reader(escrow), a);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"disk", "jimfs"})
  void aDroppedKeySlot_isAWrongKeyForItsIdentity_andShiftsTheOthersIntoCorruption(String where)
      throws IOException {
    setUp(where);
    List<KeySlot> slots = parts(a).slots(); // [ops, escrow]
    withSlots(a, List.of(slots.get(0)));
    refused(WrongKeyException.class, reader(escrow), a);
    withSlots(a, List.of(slots.get(1)));
    refused(WrongKeyException.class, reader(ops), a);
    refused(CorruptBackupException.class, reader(escrow), a); // moved from index 1 to 0
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"disk", "jimfs"})
  void aDuplicatedKeySlot_isCorruption_evenForTheKeyItOpens(String where) throws IOException {
    setUp(where);
    List<KeySlot> slots = parts(a).slots();
    withSlots(a, List.of(slots.get(0), slots.get(1), slots.get(0)));
    refused(CorruptBackupException.class, reader(ops), a);
    refused(CorruptBackupException.class, reader(escrow), a);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"disk", "jimfs"})
  void keySlotsMovedFromAnotherArchive_areCorruption(String where) throws IOException {
    setUp(where);
    withSlots(a, parts(b).slots()); // same recipients, another archive id in the slots' AAD
    refused(CorruptBackupException.class, reader(ops), a);
    refused(CorruptBackupException.class, reader(escrow), a);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"disk", "jimfs"})
  void aCommitSignedByAnotherHostOrUnsigned_isRefusedToATrustedHostReader(String where)
      throws IOException {
    setUp(where);
    Path src = root.resolve("src");
    BackupMetadata byDb2;
    BackupMetadata unsigned;
    try (BackupRepository other = open(host(db2))) {
      byDb2 = other.backup(BackupRequest.full(src));
    }
    try (BackupRepository anyone = open(host(null))) {
      unsigned = anyone.backup(BackupRequest.full(src));
    }
    Map<String, String> trusting = reader(ops);
    trusting.put("trusted-host", db1.publicKey().toString());
    CorruptBackupException e = refused(CorruptBackupException.class, trusting, byDb2);
    assertTrue(e.getMessage().contains("another host"), e.getMessage());
    refused(CorruptBackupException.class, trusting, unsigned);
    // db1's statement with db2's signature over it: the signer is not the trusted host
    CommitCodec.Parts mine = parts(a);
    byte[] forged = db2.sign(CommitCodec.signedMessage(mine.statement()));
    Files.write(
        commitFile(a),
        CommitCodec.encode(
            new CommitCodec.Parts(mine.statement(), mine.slots(), db2.publicKey(), forged)));
    refused(CorruptBackupException.class, trusting, a);
    try (BackupRepository r = open(trusting)) {
      assertEquals(List.of(b), r.list(), "only db1's intact backup is listed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"disk", "jimfs"})
  void aDowngradeToASymmetricSlot_isAWrongKeyForTheIdentity_andCorruptionForTheAttackersKey(
      String where) throws IOException {
    setUp(where);
    CommitCodec.Parts p = parts(a);
    SecretBytes attackerKey = new SecretBytes(V2Fixtures.counting(0xEE, 32));
    SecretBytes attackerDk = new SecretBytes(V2Fixtures.counting(0x77, 32));
    withSlots(
        a,
        KeySlots.wrap(
            attackerDk,
            p.statement().repositoryId(),
            p.statement().archiveId(),
            Recipients.symmetric(attackerKey),
            random));
    refused(WrongKeyException.class, reader(ops), a);
    refused(WrongKeyException.class, reader(escrow), a);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"disk", "jimfs"})
  void aDowngradeOfTheConfigToASymmetricKey_isRefusedAtOpen_andNothingIsWritten(String where)
      throws IOException {
    setUp(where);
    Path attackers = root.resolve("attackers");
    Map<String, String> key = new HashMap<>();
    key.put("format", "2");
    key.put("key", "ee".repeat(32));
    new ArchiveBackupProvider().open(attackers, key).close();
    Files.copy(
        attackers.resolve("coffer-repository"),
        repo.resolve("coffer-repository"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    List<String> before = listing(repo);
    // the host keeps its recipients: it does not write to the attacker's key
    assertThrows(BackupException.class, () -> open(host(db1)));
    // the attacker's key opens the config, but no backup: the commits are bound to the old id
    key.remove("format");
    try (BackupRepository r = new ArchiveBackupProvider().open(repo, key)) {
      assertEquals(List.of(), r.list());
      Path target = root.resolve("target-downgrade");
      assertThrows(BackupException.class, () -> r.restore(a.id(), target));
      assertFalse(Files.exists(target));
    }
    assertThrows(WrongKeyException.class, () -> open(reader(ops)));
    assertEquals(before, listing(repo), "refused opens changed the repository");
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
