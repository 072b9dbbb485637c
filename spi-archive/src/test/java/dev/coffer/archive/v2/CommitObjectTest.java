package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommitObjectTest {

  static final SecureRandom RANDOM = V2Fixtures.fixedRandom(7);
  static final X25519Identity OPS = X25519Identity.generate(RANDOM);
  static final X25519Identity ESCROW = X25519Identity.generate(RANDOM);
  static final HostSigningKey HOST = HostSigningKey.generate(RANDOM);
  static final HostSigningKey OTHER_HOST = HostSigningKey.generate(RANDOM);
  static final String ID = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";

  static CommitStatement statement(SecretBytes dk, byte[] manifestHash) {
    V2Keys keys = V2Keys.derive(dk, V2Fixtures.salt(), V2Fixtures.ARCHIVE);
    return new CommitStatement(
        V2Fixtures.REPOSITORY,
        V2Fixtures.ARCHIVE,
        ID,
        V2Fixtures.salt(),
        65536,
        1_234_567,
        4321,
        manifestHash,
        keys.commitment(),
        "{\"total_files\":3}".getBytes(StandardCharsets.UTF_8));
  }

  static CommitObject recipientCommit() {
    return CommitObject.create(
        statement(V2Fixtures.dataKey(), V2Fixtures.counting(0x10, 32)),
        V2Fixtures.dataKey(),
        Recipients.x25519(List.of(OPS.recipient(), ESCROW.recipient())),
        Optional.of(HOST),
        RANDOM);
  }

  private static CommitObject decode(byte[] bytes) throws CorruptBackupException {
    return CommitObject.decode(bytes, V2Fixtures.REPOSITORY, ID);
  }

  /**
   * Re-encodes with other slots and a valid checksum: what an attacker with write access can do.
   */
  private static byte[] withSlots(CommitObject c, List<KeySlot> slots)
      throws CorruptBackupException {
    CommitCodec.Parts p = CommitCodec.decode(c.encode(), V2Fixtures.REPOSITORY, ID);
    return CommitCodec.encode(
        new CommitCodec.Parts(p.statement(), slots, p.signer(), p.signature()));
  }

  private static List<KeySlot> slots(CommitObject c) throws CorruptBackupException {
    return CommitCodec.decode(c.encode(), V2Fixtures.REPOSITORY, ID).slots();
  }

  @Test
  void commit_roundTripsAndOpensWithEveryRecipient_andVerifiesAgainstItsHost() throws Exception {
    CommitObject c = recipientCommit();
    byte[] bytes = c.encode();
    assertTrue(bytes.length < 1024, "commit of " + bytes.length + " bytes");
    CommitObject d = decode(bytes);
    assertEquals(c.statement(), d.statement());
    assertArrayEquals(bytes, d.encode());
    byte[] expected = V2Fixtures.keys().commitment();
    for (X25519Identity id : List.of(OPS, ESCROW)) {
      assertArrayEquals(expected, d.openKeys(Identities.x25519(List.of(id))).commitment());
    }
    d.verifySignature(HOST.publicKey());
    assertEquals(Optional.of(HOST.publicKey()), d.signer());
  }

  @Test
  void largestCommit_staysUnderFourKibibytes() throws Exception {
    List<X25519Recipient> fifteen = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      fifteen.add(X25519Identity.generate(RANDOM).recipient());
    }
    V2Keys keys = V2Fixtures.keys();
    CommitStatement s =
        new CommitStatement(
            V2Fixtures.REPOSITORY,
            V2Fixtures.ARCHIVE,
            "x".repeat(128),
            V2Fixtures.salt(),
            65536,
            0,
            1,
            new byte[32],
            keys.commitment(),
            new byte[1024]);
    byte[] bytes =
        CommitObject.create(
                s,
                V2Fixtures.dataKey(),
                Recipients.x25519(fifteen).withSymmetric(V2Fixtures.masterKey()),
                Optional.of(HOST),
                RANDOM)
            .encode();
    assertTrue(bytes.length <= CommitCodec.MAX_BYTES, bytes.length + " bytes");
    assertEquals(
        16, CommitObject.decode(bytes, V2Fixtures.REPOSITORY, "x".repeat(128)).slotCount());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Recipients.x25519(fifteen)
                .withSymmetric(V2Fixtures.masterKey())
                .withSymmetric(V2Fixtures.masterKey()));
  }

  @Test
  void everyFlippedByte_failsAsCorrupt() throws Exception {
    byte[] bytes = recipientCommit().encode();
    for (int i = 0; i < bytes.length; i++) {
      byte[] bad = bytes.clone();
      bad[i] ^= 0x01;
      assertThrows(CorruptBackupException.class, () -> decode(bad), "byte " + i);
    }
  }

  @Test
  void truncatedAtEveryOffsetOrExtended_failsAsCorrupt() {
    byte[] bytes = recipientCommit().encode();
    for (int n = 0; n < bytes.length; n++) {
      byte[] cut = Arrays.copyOf(bytes, n);
      assertThrows(CorruptBackupException.class, () -> decode(cut), "length " + n);
    }
    assertThrows(
        CorruptBackupException.class, () -> decode(Arrays.copyOf(bytes, bytes.length + 1)));
    assertThrows(CorruptBackupException.class, () -> decode(new byte[CommitCodec.MAX_BYTES + 1]));
  }

  @Test
  void commitOfAnotherRepositoryOrBackup_isRefused() {
    byte[] bytes = recipientCommit().encode();
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class, () -> CommitObject.decode(bytes, UUID.randomUUID(), ID));
    assertTrue(e.getMessage().contains("belongs to repository"), e.getMessage());
    assertThrows(
        CorruptBackupException.class,
        () -> CommitObject.decode(bytes, V2Fixtures.REPOSITORY, "other"));
  }

  @Test
  void swappedDroppedOrDuplicatedSlots_neverOpenAnotherWay() throws Exception {
    CommitObject c = recipientCommit();
    List<KeySlot> s = slots(c);
    List<KeySlot> swapped = new ArrayList<>(s);
    Collections.swap(swapped, 0, 1);
    Identities ops = Identities.x25519(List.of(OPS));
    Identities escrow = Identities.x25519(List.of(ESCROW));
    assertThrows(CorruptBackupException.class, () -> decode(withSlots(c, swapped)).openKeys(ops));
    assertThrows(
        CorruptBackupException.class, () -> decode(withSlots(c, swapped)).openKeys(escrow));
    assertThrows(
        WrongKeyException.class, () -> decode(withSlots(c, s.subList(0, 1))).openKeys(escrow));
    decode(withSlots(c, s.subList(0, 1))).openKeys(ops); // dropping a slot removes only that way in
    // a duplicated slot (two slots for one key) is planted: the commit is refused whoever reads;
    // a slot moved to another index does not open
    assertThrows(
        CorruptBackupException.class, () -> decode(withSlots(c, List.of(s.get(1), s.get(1)))));
    assertThrows(
        CorruptBackupException.class,
        () -> decode(withSlots(c, List.of(s.get(0), s.get(1), s.get(0)))));
    assertThrows(
        CorruptBackupException.class,
        () -> decode(withSlots(c, List.of(s.get(1)))).openKeys(escrow));
    assertThrows(CorruptBackupException.class, () -> decode(withSlots(c, List.of())));
  }

  @Test
  void downgradeToASymmetricSlot_isRefused() throws Exception {
    CommitObject c = recipientCommit();
    // an attacker replaces the recipient slots with a symmetric slot of a key it holds, wrapping
    // its own data key
    SecretBytes attackerKey = new SecretBytes(V2Fixtures.counting(0xEE, 32));
    SecretBytes attackerDk = new SecretBytes(V2Fixtures.counting(0x77, 32));
    List<KeySlot> planted =
        KeySlots.wrap(
            attackerDk,
            V2Fixtures.REPOSITORY,
            V2Fixtures.ARCHIVE,
            Recipients.symmetric(attackerKey),
            RANDOM);
    CommitObject downgraded = decode(withSlots(c, planted));
    assertThrows(
        WrongKeyException.class, () -> downgraded.openKeys(Identities.x25519(List.of(OPS))));
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> downgraded.openKeys(Identities.symmetric(attackerKey)));
    assertTrue(e.getMessage().contains("does not commit to"), e.getMessage());
  }

  @Test
  void signatureFromAnotherHost_orMissing_orOverAnotherStatement_isRefused() throws Exception {
    CommitObject c = recipientCommit();
    assertThrows(CorruptBackupException.class, () -> c.verifySignature(OTHER_HOST.publicKey()));
    CommitObject byOther =
        CommitObject.create(
            c.statement(),
            V2Fixtures.dataKey(),
            Recipients.x25519(List.of(OPS.recipient())),
            Optional.of(OTHER_HOST),
            RANDOM);
    assertThrows(
        CorruptBackupException.class,
        () -> decode(byOther.encode()).verifySignature(HOST.publicKey()));
    CommitObject unsigned =
        CommitObject.create(
            c.statement(),
            V2Fixtures.dataKey(),
            Recipients.x25519(List.of(OPS.recipient())),
            Optional.empty(),
            RANDOM);
    assertThrows(
        CorruptBackupException.class,
        () -> decode(unsigned.encode()).verifySignature(HOST.publicKey()));
    // someone with only the public recipients forges a backup: it opens, but it is not the host's
    SecretBytes forgedDk = new SecretBytes(V2Fixtures.counting(0x33, 32));
    CommitStatement forged = statement(forgedDk, V2Fixtures.counting(0x99, 32));
    CommitObject forgery =
        CommitObject.create(
            forged,
            forgedDk,
            Recipients.x25519(List.of(OPS.recipient())),
            Optional.empty(),
            RANDOM);
    forgery.openKeys(Identities.x25519(List.of(OPS)));
    CommitCodec.Parts stolen = CommitCodec.decode(c.encode(), V2Fixtures.REPOSITORY, ID);
    byte[] transplanted =
        CommitCodec.encode(
            new CommitCodec.Parts(forged, slots(forgery), stolen.signer(), stolen.signature()));
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> decode(transplanted).verifySignature(HOST.publicKey()));
    assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
  }

  @Test
  void rekey_keepsStatementAndSignature_andOnlyTheNewKeysOpen() throws Exception {
    CommitObject c = recipientCommit();
    V2Keys before = c.openKeys(Identities.x25519(List.of(OPS)));
    Recipients next =
        Recipients.x25519(List.of(ESCROW.recipient())).withSymmetric(V2Fixtures.masterKey());
    CommitObject r = decode(c.rekey(Identities.x25519(List.of(OPS)), next, RANDOM).encode());
    assertEquals(c.statement(), r.statement());
    r.verifySignature(HOST.publicKey());
    assertThrows(WrongKeyException.class, () -> r.openKeys(Identities.x25519(List.of(OPS))));
    V2Keys after = r.openKeys(Identities.symmetric(V2Fixtures.masterKey()));
    // same data key: a block sealed before the rekey opens with the keys after it
    byte[] raw = V2Fixtures.pages(4096, 1);
    try (BlockSealer old = new BlockSealer(before, 4096, 3);
        BlockSealer now = new BlockSealer(after, 4096, 3)) {
      byte[] stored = old.seal(0, raw, 0, raw.length);
      assertArrayEquals(raw, now.open(0, raw.length, stored, 0, stored.length));
    }
    assertTrue(r.wrappedFor(next));
    assertFalse(c.wrappedFor(next));
    assertTrue(c.wrappedFor(Recipients.x25519(List.of(ESCROW.recipient(), OPS.recipient()))));
    assertThrows(
        WrongKeyException.class, () -> r.rekey(Identities.x25519(List.of(OPS)), next, RANDOM));
  }

  @Test
  void rekey_writesTheSameNumberOfBytesForATinyAndAHugeArchive() throws Exception {
    Recipients next = Recipients.symmetric(V2Fixtures.masterKey());
    Identities old = Identities.x25519(List.of(OPS));
    List<Integer> sizes = new ArrayList<>();
    for (long dataLength : new long[] {0, 5L << 40}) {
      V2Keys keys = V2Fixtures.keys();
      CommitStatement s =
          new CommitStatement(
              V2Fixtures.REPOSITORY,
              V2Fixtures.ARCHIVE,
              ID,
              V2Fixtures.salt(),
              65536,
              dataLength,
              4321,
              new byte[32],
              keys.commitment(),
              new byte[0]);
      CommitObject c =
          CommitObject.create(
              s,
              V2Fixtures.dataKey(),
              Recipients.x25519(List.of(OPS.recipient())),
              Optional.of(HOST),
              RANDOM);
      sizes.add(c.rekey(old, next, RANDOM).encode().length);
    }
    assertEquals(sizes.get(0), sizes.get(1));
    assertTrue(sizes.get(0) < 4096);
  }

  @Test
  void secretsNeverAppearInToString() {
    SecretBytes master = V2Fixtures.masterKey();
    String masterHex = java.util.HexFormat.of().formatHex(master.bytes());
    String masterB64 = java.util.Base64.getEncoder().encodeToString(master.bytes());
    String opsSecret = OPS.secretText().substring(OPS.secretText().indexOf(':') + 1);
    String hostSecret = HOST.secretText().substring(HOST.secretText().indexOf(':') + 1);
    for (Object o :
        List.of(
            Identities.x25519(List.of(OPS)).withSymmetric(master),
            Recipients.x25519(List.of(OPS.recipient())).withSymmetric(master),
            OPS,
            HOST,
            V2Fixtures.keys(),
            recipientCommit())) {
      String text = o.toString();
      for (String secret : List.of(masterHex, masterB64, opsSecret, hostSecret)) {
        assertFalse(text.contains(secret), text);
      }
    }
  }

  @Test
  void createWithADataKeyOtherThanTheCommittedOne_isACallerMistake() {
    CommitStatement s = statement(V2Fixtures.dataKey(), new byte[32]);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CommitObject.create(
                s,
                new SecretBytes(new byte[32]),
                Recipients.symmetric(V2Fixtures.masterKey()),
                Optional.empty(),
                RANDOM));
  }

  @Test
  void ed25519_matchesRfc8032TestOne() {
    java.util.HexFormat hex = java.util.HexFormat.of();
    byte[] seed = hex.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    assertEquals(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        hex.formatHex(Ed25519.publicKey(seed)));
    assertEquals(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
            + "d25bf5f0595bbe24655141438e7a100b",
        hex.formatHex(Ed25519.sign(seed, new byte[0])));
    assertTrue(
        Ed25519.verify(Ed25519.publicKey(seed), new byte[0], Ed25519.sign(seed, new byte[0])));
    assertFalse(
        Ed25519.verify(Ed25519.publicKey(seed), new byte[1], Ed25519.sign(seed, new byte[0])));
  }
}
