package dev.coffer.archive.v2;

import dev.coffer.archive.Hkdf;
import dev.coffer.archive.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The wrapping key and fingerprint of {@code symmetric} slots: {@code prk = HKDF-Extract(32 zero
 * bytes, master)}, {@code KEK = HKDF-Expand(prk, "coffer-v2 slot" || 0x00 || repository id, 32)},
 * {@code fingerprint = HKDF-Expand(prk, "coffer-v2 slot-fingerprint" || 0x00 || repository id,
 * 16)}.
 */
final class SymmetricSlotKey {

  private SymmetricSlotKey() {}

  static SecretBytes kek(SecretBytes master, UUID repositoryId) {
    byte[] k = derive(master, "coffer-v2 slot", repositoryId, V2Format.KEY_BYTES);
    try {
      return new SecretBytes(k);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  static byte[] fingerprint(SecretBytes master, UUID repositoryId) {
    return derive(master, "coffer-v2 slot-fingerprint", repositoryId, KeySlot.FINGERPRINT_BYTES);
  }

  private static byte[] derive(SecretBytes master, String label, UUID repositoryId, int length) {
    byte[] prk = Hkdf.extract(null, master.bytes());
    try {
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      byte[] info =
          ByteBuffer.allocate(l.length + 1 + 16)
              .put(l)
              .put((byte) 0)
              .put(Ids.bytes(repositoryId))
              .array();
      return Hkdf.expand(prk, info, length);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }
}
