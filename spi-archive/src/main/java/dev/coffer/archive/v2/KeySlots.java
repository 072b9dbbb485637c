package dev.coffer.archive.v2;

import dev.coffer.BackupException;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.Hkdf;
import dev.coffer.archive.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Wraps a data key into key slots and unwraps it again. A {@code symmetric} slot is AES-256-GCM
 * under the repository's slot key ({@link SymmetricSlotKey}) with a random nonce; an {@code x25519}
 * slot follows age: an ephemeral X25519 key, the shared secret with the recipient, {@code KEK =
 * HKDF-SHA256(salt = ephemeral public || recipient public, IKM = shared secret, info = "coffer-v2
 * x25519", 32)}, AES-256-GCM with a zero nonce (the KEK is used once). Every slot's associated data
 * is {@link KeySlot#aad}: archive id, slot index, type and fingerprint, so a slot cannot move to
 * another archive or position.
 */
final class KeySlots {

  private static final byte[] X25519_INFO = "coffer-v2 x25519".getBytes(StandardCharsets.US_ASCII);

  private KeySlots() {}

  static List<KeySlot> wrap(
      SecretBytes dataKey, UUID repositoryId, UUID archiveId, Recipients to, SecureRandom random) {
    List<KeySlot> slots = new ArrayList<>();
    if (to.masterKey().isPresent()) {
      SecretBytes master = to.masterKey().get();
      byte[] fp = SymmetricSlotKey.fingerprint(master, repositoryId);
      byte[] nonce = new byte[V2Format.NONCE_BYTES];
      random.nextBytes(nonce);
      SecretBytes kek = SymmetricSlotKey.kek(master, repositoryId);
      byte[] aad =
          new KeySlot(KeySlot.SYMMETRIC, fp, nonce, new byte[KeySlot.WRAPPED_BYTES])
              .aad(archiveId, 0);
      slots.add(
          new KeySlot(
              KeySlot.SYMMETRIC, fp, nonce, new Gcm(kek).seal(nonce, aad, dataKey.bytes())));
      kek.destroy();
    }
    for (X25519Recipient r : to.x25519()) {
      X25519Identity ephemeral = X25519Identity.generate(random);
      byte[] ephemeralPublic = ephemeral.recipient().publicKey();
      byte[] recipientPublic = r.publicKey();
      byte[] fp = r.fingerprint();
      byte[] aad =
          new KeySlot(KeySlot.X25519, fp, ephemeralPublic, new byte[KeySlot.WRAPPED_BYTES])
              .aad(archiveId, slots.size());
      SecretBytes kek =
          x25519Kek(ephemeral.agree(recipientPublic), ephemeralPublic, recipientPublic);
      slots.add(
          new KeySlot(
              KeySlot.X25519,
              fp,
              ephemeralPublic,
              new Gcm(kek).seal(new byte[V2Format.NONCE_BYTES], aad, dataKey.bytes())));
      kek.destroy();
    }
    return slots;
  }

  /**
   * The data key from the first slot one of {@code with} opens and {@code commits} accepts.
   *
   * @throws WrongKeyException if no slot is for any of the given keys
   * @throws CorruptBackupException if a slot for a given key fails authentication or wraps a data
   *     key the commit does not commit to (a forged slot), and no other slot opens
   */
  static SecretBytes unwrap(
      List<KeySlot> slots,
      UUID repositoryId,
      UUID archiveId,
      Identities with,
      Predicate<SecretBytes> commits)
      throws BackupException {
    byte[] symmetricFp =
        with.masterKey().map(m -> SymmetricSlotKey.fingerprint(m, repositoryId)).orElse(null);
    byte[] previousFp =
        with.previousMaster().map(m -> SymmetricSlotKey.fingerprint(m, repositoryId)).orElse(null);
    String failure = null;
    for (int i = 0; i < slots.size(); i++) {
      KeySlot slot = slots.get(i);
      byte[] dk = null;
      boolean mine = false;
      SecretBytes master =
          slot.type != KeySlot.SYMMETRIC
              ? null
              : symmetricFp != null && slot.hasFingerprint(symmetricFp)
                  ? with.masterKey().get()
                  : previousFp != null && slot.hasFingerprint(previousFp)
                      ? with.previousMaster().get()
                      : null;
      if (master != null) {
        mine = true;
        SecretBytes kek = SymmetricSlotKey.kek(master, repositoryId);
        dk =
            new Gcm(kek)
                .open(
                    slot.param(), slot.aad(archiveId, i), slot.wrapped(), 0, KeySlot.WRAPPED_BYTES);
        kek.destroy();
      } else if (slot.type == KeySlot.X25519) {
        for (X25519Identity id : with.x25519()) {
          if (slot.hasFingerprint(id.recipient().fingerprint())) {
            mine = true;
            dk = openX25519(slot, i, archiveId, id);
            break;
          }
        }
      }
      if (!mine) {
        continue;
      }
      if (dk == null || dk.length != V2Format.KEY_BYTES) {
        failure = "key slot " + i + " failed authentication (modified bytes)";
        continue;
      }
      SecretBytes candidate = new SecretBytes(dk);
      Arrays.fill(dk, (byte) 0);
      if (commits.test(candidate)) {
        return candidate;
      }
      candidate.destroy();
      failure = "key slot " + i + " wraps a data key the commit does not commit to (a forged slot)";
    }
    if (failure == null) {
      throw new WrongKeyException(
          "no key slot of archive "
              + archiveId
              + " is for the given key or identity ("
              + slots.size()
              + " slots for other keys)");
    }
    throw new CorruptBackupException("archive " + archiveId + ": " + failure, null);
  }

  private static byte[] openX25519(KeySlot slot, int index, UUID archiveId, X25519Identity id) {
    byte[] ephemeralPublic = slot.param();
    byte[] shared;
    try {
      shared = id.agree(ephemeralPublic);
    } catch (IllegalArgumentException e) {
      return null; // a small-order or malformed ephemeral key: a tampered slot
    }
    SecretBytes kek = x25519Kek(shared, ephemeralPublic, id.recipient().publicKey());
    try {
      return new Gcm(kek)
          .open(
              new byte[V2Format.NONCE_BYTES],
              slot.aad(archiveId, index),
              slot.wrapped(),
              0,
              KeySlot.WRAPPED_BYTES);
    } finally {
      kek.destroy();
    }
  }

  private static SecretBytes x25519Kek(
      byte[] shared, byte[] ephemeralPublic, byte[] recipientPublic) {
    byte[] prk = Hkdf.extract(DerKeys.concat(ephemeralPublic, recipientPublic), shared);
    byte[] kek = Hkdf.expand(prk, X25519_INFO, V2Format.KEY_BYTES);
    try {
      return new SecretBytes(kek);
    } finally {
      Arrays.fill(shared, (byte) 0);
      Arrays.fill(prk, (byte) 0);
      Arrays.fill(kek, (byte) 0);
    }
  }
}
