package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;

/**
 * The {@code coffer-rekey} object of a format-2 repository: an unfinished rekey ({@link V2Rekey}).
 * It holds the {@code coffer-repository} config the rekey will write last (the new key check, or
 * the new recipients), and in an encrypted repository the previous master key sealed under the new
 * one, so that during the rekey the new key opens every archive (those rekeyed, and through the
 * previous master those not yet), while the old key still opens those not yet rekeyed. It is
 * removed when the rekey finishes; from then on the old key opens nothing.
 *
 * <pre>
 * version 0x01 | config length u16 | config (the new coffer-repository JSON)
 *   | previous length u8 (0 or 60) | nonce (12) | AES-256-GCM(previous master) || tag (16)
 * previous KEK = HKDF-Expand(HKDF-Extract(repository id, new master), "coffer-v2 rekey previous", 32)
 * </pre>
 */
final class RekeyState {

  static final String KEY = "coffer-rekey";
  private static final byte VERSION = 1;
  private static final int PREVIOUS_BYTES = V2Format.NONCE_BYTES + 32 + V2Format.TAG_BYTES;
  private static final int MAX_BYTES = 1 + 2 + RepositoryConfig.MAX_BYTES + 1 + PREVIOUS_BYTES;
  private static final byte[] LABEL =
      "coffer-v2 rekey previous".getBytes(StandardCharsets.US_ASCII);

  /** The parsed object: the target config's bytes and the sealed previous master (or empty). */
  record Pending(byte[] config, byte[] previous) {}

  private RekeyState() {}

  /**
   * Opens the repository's config with the keys of {@code settings}: the {@code coffer-repository}
   * config, or, when its key check refuses them and a rekey is unfinished, the config that rekey
   * will write (its new keys), with the previous master key.
   *
   * @throws WrongKeyException if neither accepts the keys (the config's own refusal)
   */
  static RepositoryConfig openConfig(
      ObjectStore store, String where, V2Settings settings, String requestedMode)
      throws IOException {
    try {
      return RepositoryConfig.openOrCreate(store, where, settings, requestedMode);
    } catch (WrongKeyException refused) {
      Pending p = read(store, where);
      if (p == null) {
        throw refused;
      }
      RepositoryConfig next;
      try {
        next =
            RepositoryConfig.check(
                RepositoryConfig.parse(p.config(), where), where, settings, requestedMode);
      } catch (WrongKeyException alsoRefused) {
        throw refused;
      }
      if (!next.repositoryId().equals(currentId(store, where))) {
        throw malformed(where, "names another repository");
      }
      if (next.master() == null || p.previous().length == 0) {
        return next;
      }
      return next.withPrevious(
          openPrevious(p.previous(), next.master(), next.repositoryId(), where));
    }
  }

  /** The unfinished rekey's object, or null when there is none. */
  static Pending read(ObjectStore store, String where) throws IOException {
    byte[] b;
    try (InputStream in = store.read(KEY, 0, MAX_BYTES + 1)) {
      b = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException absent) {
      return null;
    }
    if (b.length < 4 || b.length > MAX_BYTES || b[0] != VERSION) {
      throw malformed(where, "malformed");
    }
    ByteBuffer in = ByteBuffer.wrap(b);
    in.get();
    int configLength = Short.toUnsignedInt(in.getShort());
    if (configLength > RepositoryConfig.MAX_BYTES || in.remaining() < configLength + 1) {
      throw malformed(where, "malformed");
    }
    byte[] config = new byte[configLength];
    in.get(config);
    int previousLength = Byte.toUnsignedInt(in.get());
    if ((previousLength != 0 && previousLength != PREVIOUS_BYTES)
        || in.remaining() != previousLength) {
      throw malformed(where, "malformed");
    }
    byte[] previous = new byte[previousLength];
    in.get(previous);
    return new Pending(config, previous);
  }

  /** The object's bytes for a rekey to {@code config}; {@code previous} is empty or sealed. */
  static byte[] encode(byte[] config, byte[] previous) {
    return ByteBuffer.allocate(1 + 2 + config.length + 1 + previous.length)
        .put(VERSION)
        .putShort((short) config.length)
        .put(config)
        .put((byte) previous.length)
        .put(previous)
        .array();
  }

  /** Seals the previous master under the new one. */
  static byte[] sealPrevious(
      SecretBytes previous, SecretBytes next, UUID repositoryId, SecureRandom random) {
    byte[] nonce = new byte[V2Format.NONCE_BYTES];
    random.nextBytes(nonce);
    SecretBytes kek = kek(next, repositoryId);
    try {
      byte[] sealed = new Gcm(kek).seal(nonce, aad(repositoryId), previous.bytes());
      return ByteBuffer.allocate(PREVIOUS_BYTES).put(nonce).put(sealed).array();
    } finally {
      kek.destroy();
    }
  }

  private static SecretBytes openPrevious(
      byte[] sealed, SecretBytes next, UUID repositoryId, String where)
      throws CorruptBackupException {
    SecretBytes kek = kek(next, repositoryId);
    byte[] previous =
        new Gcm(kek)
            .open(
                Arrays.copyOf(sealed, V2Format.NONCE_BYTES),
                aad(repositoryId),
                sealed,
                V2Format.NONCE_BYTES,
                sealed.length - V2Format.NONCE_BYTES);
    kek.destroy();
    if (previous == null || previous.length != 32) {
      throw malformed(where, "failed authentication");
    }
    try {
      return new SecretBytes(previous);
    } finally {
      Arrays.fill(previous, (byte) 0);
    }
  }

  private static SecretBytes kek(SecretBytes next, UUID repositoryId) {
    return V2Metadata.derive(Ids.bytes(repositoryId), next, LABEL);
  }

  private static byte[] aad(UUID repositoryId) {
    return ByteBuffer.allocate(LABEL.length + 1 + 16)
        .put(LABEL)
        .put((byte) 0)
        .put(Ids.bytes(repositoryId))
        .array();
  }

  /** The bytes of the {@code coffer-repository} object. */
  static byte[] currentConfig(ObjectStore store) throws IOException {
    try (InputStream in = store.read(RepositoryConfig.KEY, 0, RepositoryConfig.MAX_BYTES + 1)) {
      return in.readNBytes(RepositoryConfig.MAX_BYTES + 1);
    }
  }

  private static UUID currentId(ObjectStore store, String where) throws IOException {
    try {
      return UUID.fromString(
          String.valueOf(
              RepositoryConfig.parse(currentConfig(store), where)
                  .get("repository_id")
                  .textValue()));
    } catch (IllegalArgumentException e) {
      throw malformed(where, "the repository config names no repository");
    }
  }

  private static CorruptBackupException malformed(String where, String what) {
    return new CorruptBackupException("rekey object " + KEY + " of " + where + " is " + what, KEY);
  }
}
