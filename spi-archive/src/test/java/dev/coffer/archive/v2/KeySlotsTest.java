package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class KeySlotsTest {

  private static final UUID REPO = V2Fixtures.REPOSITORY;
  private static final UUID ARCHIVE = V2Fixtures.ARCHIVE;
  private static final SecureRandom RANDOM = V2Fixtures.fixedRandom(1);
  private static final X25519Identity OPS = X25519Identity.generate(RANDOM);
  private static final X25519Identity ESCROW = X25519Identity.generate(RANDOM);
  private static final SecretBytes DK = V2Fixtures.dataKey();

  private static final Predicate<SecretBytes> IS_DK = k -> Arrays.equals(k.bytes(), DK.bytes());

  private static List<KeySlot> allThree() {
    return KeySlots.wrap(
        DK,
        REPO,
        ARCHIVE,
        Recipients.x25519(List.of(OPS.recipient(), ESCROW.recipient()))
            .withSymmetric(V2Fixtures.masterKey()),
        RANDOM);
  }

  @Test
  void everyWayIn_unwrapsTheSameDataKey() throws Exception {
    List<KeySlot> slots = allThree();
    assertEquals(
        List.of(KeySlot.SYMMETRIC, KeySlot.X25519, KeySlot.X25519),
        slots.stream().map(s -> s.type).toList());
    for (Identities with :
        List.of(
            Identities.symmetric(V2Fixtures.masterKey()),
            Identities.x25519(List.of(OPS)),
            Identities.x25519(List.of(ESCROW)),
            Identities.x25519(List.of(X25519Identity.generate(RANDOM), ESCROW)))) {
      assertArrayEquals(
          DK.bytes(), KeySlots.unwrap(slots, REPO, ARCHIVE, with, IS_DK).bytes(), with.toString());
    }
  }

  @Test
  void keysForNoSlot_failWithWrongKey() {
    List<KeySlot> slots =
        KeySlots.wrap(DK, REPO, ARCHIVE, Recipients.x25519(List.of(OPS.recipient())), RANDOM);
    for (Identities with :
        List.of(Identities.symmetric(V2Fixtures.masterKey()), Identities.x25519(List.of(ESCROW)))) {
      assertThrows(
          WrongKeyException.class, () -> KeySlots.unwrap(slots, REPO, ARCHIVE, with, IS_DK));
    }
    List<KeySlot> symmetric =
        KeySlots.wrap(DK, REPO, ARCHIVE, Recipients.symmetric(V2Fixtures.masterKey()), RANDOM);
    assertThrows(
        WrongKeyException.class,
        () ->
            KeySlots.unwrap(
                symmetric,
                REPO,
                ARCHIVE,
                Identities.symmetric(new SecretBytes(new byte[32])),
                IS_DK));
    // the symmetric slot key is bound to the repository: the same master key of another repository
    // does not fit
    assertThrows(
        WrongKeyException.class,
        () ->
            KeySlots.unwrap(
                symmetric,
                UUID.randomUUID(),
                ARCHIVE,
                Identities.symmetric(V2Fixtures.masterKey()),
                IS_DK));
  }

  @Test
  void everyFlippedByteOfASlot_failsAsCorruptOrWrongKey_neverOpens() {
    List<KeySlot> slots =
        KeySlots.wrap(
            DK,
            REPO,
            ARCHIVE,
            Recipients.x25519(List.of(OPS.recipient())).withSymmetric(V2Fixtures.masterKey()),
            RANDOM);
    Identities both = Identities.x25519(List.of(OPS)).withSymmetric(V2Fixtures.masterKey());
    // a slot that matches no key keeps the tampered one at its own index
    KeySlot filler = new KeySlot(KeySlot.SYMMETRIC, new byte[16], new byte[12], new byte[48]);
    for (int s = 0; s < slots.size(); s++) {
      ByteBuffer b = ByteBuffer.allocate(slots.get(s).encodedLength());
      slots.get(s).encode(b);
      byte[] bytes = b.array();
      for (int i = 1;
          i < bytes.length;
          i++) { // byte 0 is the type: flipping it breaks the framing instead
        byte[] bad = bytes.clone();
        bad[i] ^= 0x20;
        KeySlot tampered = KeySlot.decode(ByteBuffer.wrap(bad));
        List<KeySlot> list = s == 0 ? List.of(tampered) : List.of(filler, tampered);
        Exception e =
            assertThrows(
                Exception.class,
                () -> KeySlots.unwrap(list, REPO, ARCHIVE, both, IS_DK),
                "slot " + s + " byte " + i);
        assertTrue(
            e instanceof CorruptBackupException || e instanceof WrongKeyException, e.toString());
      }
    }
  }

  private static void assertDoesOpen(List<KeySlot> slots, Identities with) {
    try {
      assertArrayEquals(DK.bytes(), KeySlots.unwrap(slots, REPO, ARCHIVE, with, IS_DK).bytes());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void tamperedSlotForTheGivenKey_isCorruption_notWrongKey() {
    List<KeySlot> slots =
        KeySlots.wrap(DK, REPO, ARCHIVE, Recipients.x25519(List.of(OPS.recipient())), RANDOM);
    byte[] wrapped = slots.get(0).wrapped();
    wrapped[5] ^= 1;
    List<KeySlot> bad =
        List.of(
            new KeySlot(KeySlot.X25519, slots.get(0).fingerprint(), slots.get(0).param(), wrapped));
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> KeySlots.unwrap(bad, REPO, ARCHIVE, Identities.x25519(List.of(OPS)), IS_DK));
    assertTrue(e.getMessage().contains("key slot 0 failed authentication"), e.getMessage());
  }

  @Test
  void swappedSlots_orSlotsMovedToAnotherArchive_doNotOpen() {
    List<KeySlot> slots = allThree();
    List<KeySlot> swapped = new ArrayList<>(slots);
    Collections.swap(swapped, 1, 2);
    for (X25519Identity id : List.of(OPS, ESCROW)) {
      assertThrows(
          CorruptBackupException.class,
          () -> KeySlots.unwrap(swapped, REPO, ARCHIVE, Identities.x25519(List.of(id)), IS_DK));
      assertThrows(
          CorruptBackupException.class,
          () ->
              KeySlots.unwrap(
                  slots, REPO, V2Fixtures.OTHER_ARCHIVE, Identities.x25519(List.of(id)), IS_DK));
    }
    // a duplicated slot at another index fails its own check, the original still opens
    List<KeySlot> duplicated = List.of(slots.get(1), slots.get(1));
    assertDoesOpen(duplicated, Identities.x25519(List.of(OPS)));
    KeySlot filler = new KeySlot(KeySlot.SYMMETRIC, new byte[16], new byte[12], new byte[48]);
    assertThrows(
        CorruptBackupException.class,
        () ->
            KeySlots.unwrap(
                List.of(filler, slots.get(0)),
                REPO,
                ARCHIVE,
                Identities.symmetric(V2Fixtures.masterKey()),
                IS_DK));
  }

  @Test
  void slotWrappingAnotherDataKey_isRefusedByTheCommitment() {
    SecretBytes forged = new SecretBytes(V2Fixtures.counting(0xA0, 32));
    List<KeySlot> slots =
        KeySlots.wrap(forged, REPO, ARCHIVE, Recipients.x25519(List.of(OPS.recipient())), RANDOM);
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> KeySlots.unwrap(slots, REPO, ARCHIVE, Identities.x25519(List.of(OPS)), IS_DK));
    assertTrue(e.getMessage().contains("does not commit to"), e.getMessage());
  }

  @Test
  void keysInTextForm_roundTrip_andSecretsStayOutOfToString() {
    X25519Identity parsed = X25519Identity.parse(OPS.secretText() + "\n");
    assertEquals(OPS.recipient(), parsed.recipient());
    assertEquals(OPS.recipient(), X25519Recipient.parse(OPS.recipient().toString()));
    assertTrue(OPS.recipient().toString().startsWith("coffer-x25519-public:"));
    assertTrue(OPS.secretText().startsWith("coffer-x25519-secret:"));
    String secret = OPS.secretText().substring("coffer-x25519-secret:".length());
    assertFalse(OPS.toString().contains(secret));
    HostSigningKey host = HostSigningKey.generate(RANDOM);
    assertEquals(host.publicKey(), HostSigningKey.parse(host.secretText()).publicKey());
    assertEquals(host.publicKey(), HostPublicKey.parse(host.publicKey().toString()));
    assertFalse(
        host.toString().contains(host.secretText().substring("coffer-ed25519-secret:".length())));
    for (String bad :
        List.of(
            "",
            "coffer-x25519-public:" + secret,
            "coffer-x25519-secret:AAAA",
            "coffer-x25519-secret:" + secret.replace('=', 'A'))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> X25519Identity.parse(bad));
      assertFalse(e.getMessage().contains(secret), e.getMessage());
    }
  }

  @Test
  void x25519_matchesRfc7748SectionSixOne() {
    java.util.HexFormat hex = java.util.HexFormat.of();
    byte[] alice = hex.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] bob = hex.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    assertEquals(
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        hex.formatHex(X25519.publicKey(alice)));
    assertEquals(
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
        hex.formatHex(X25519.agree(alice, X25519.publicKey(bob))));
    assertThrows(
        IllegalArgumentException.class, () -> X25519.agree(alice, new byte[32])); // small order
  }
}
