package dev.coffer.archive.v2;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One key slot of a commit object: the data key wrapped for one way in.
 *
 * <pre>
 * symmetric (type 1): type u8 | fingerprint (16) | nonce (12)            | wrapped DK (48)   77 bytes
 * x25519    (type 2): type u8 | fingerprint (16) | ephemeral public (32) | wrapped DK (48)   97 bytes
 * </pre>
 *
 * {@code wrapped DK} is AES-256-GCM ciphertext || tag. Immutable.
 */
final class KeySlot {

  static final int SYMMETRIC = 1;
  static final int X25519 = 2;
  static final int FINGERPRINT_BYTES = 16;
  static final int WRAPPED_BYTES = V2Format.KEY_BYTES + V2Format.TAG_BYTES;

  final int type;
  private final byte[] fingerprint;
  private final byte[] param;
  private final byte[] wrapped;

  KeySlot(int type, byte[] fingerprint, byte[] param, byte[] wrapped) {
    if (fingerprint.length != FINGERPRINT_BYTES
        || param.length != paramLength(type)
        || wrapped.length != WRAPPED_BYTES) {
      throw new IllegalArgumentException("malformed key slot");
    }
    this.type = type;
    this.fingerprint = fingerprint.clone();
    this.param = param.clone();
    this.wrapped = wrapped.clone();
  }

  /** The nonce (symmetric) or ephemeral public key (x25519) length, or -1 for an unknown type. */
  static int paramLength(int type) {
    return type == SYMMETRIC ? V2Format.NONCE_BYTES : type == X25519 ? 32 : -1;
  }

  int encodedLength() {
    return 1 + FINGERPRINT_BYTES + param.length + WRAPPED_BYTES;
  }

  void encode(ByteBuffer out) {
    out.put((byte) type).put(fingerprint).put(param).put(wrapped);
  }

  /**
   * Reads one slot; null if its type is unknown or the bytes run out (the caller reports
   * corruption).
   */
  static KeySlot decode(ByteBuffer in) {
    if (!in.hasRemaining()) {
      return null;
    }
    int type = Byte.toUnsignedInt(in.get());
    int p = paramLength(type);
    if (p < 0 || in.remaining() < FINGERPRINT_BYTES + p + WRAPPED_BYTES) {
      return null;
    }
    byte[] fp = new byte[FINGERPRINT_BYTES];
    byte[] param = new byte[p];
    byte[] wrapped = new byte[WRAPPED_BYTES];
    in.get(fp).get(param).get(wrapped);
    return new KeySlot(type, fp, param, wrapped);
  }

  byte[] fingerprint() {
    return fingerprint.clone();
  }

  boolean hasFingerprint(byte[] fp) {
    return Arrays.equals(fingerprint, fp);
  }

  byte[] param() {
    return param.clone();
  }

  byte[] wrapped() {
    return wrapped.clone();
  }

  /**
   * The associated data of slot {@code index}: archive id || index u8 || type u8 || fingerprint.
   */
  byte[] aad(java.util.UUID archiveId, int index) {
    return ByteBuffer.allocate(16 + 2 + FINGERPRINT_BYTES)
        .put(Ids.bytes(archiveId))
        .put((byte) index)
        .put((byte) type)
        .put(fingerprint)
        .array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeySlot s
        && type == s.type
        && Arrays.equals(fingerprint, s.fingerprint)
        && Arrays.equals(param, s.param)
        && Arrays.equals(wrapped, s.wrapped);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(wrapped);
  }

  @Override
  public String toString() {
    return "KeySlot[" + (type == SYMMETRIC ? "symmetric" : "x25519") + "]";
  }
}
