package dev.coffer.archive.v2;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on the JDK's {@code XDH}, with keys as raw 32-byte strings. Raw keys are
 * carried into the JDK through their fixed DER prefixes (RFC 8410), so no point arithmetic lives
 * here.
 */
final class X25519 {

  private static final byte[] SPKI = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00
  };
  private static final byte[] PKCS8 = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20
  };
  private static final byte[] BASE_POINT = new byte[32];

  static {
    BASE_POINT[0] = 9;
  }

  private X25519() {}

  /** The public key of a raw private key: X25519(scalar, 9). */
  static byte[] publicKey(byte[] privateKey) {
    return agree(privateKey, BASE_POINT);
  }

  /**
   * The shared secret X25519(privateKey, publicKey).
   *
   * @throws IllegalArgumentException if the public key is malformed or of small order (all-zero
   *     secret)
   */
  static byte[] agree(byte[] privateKey, byte[] publicKey) {
    byte[] pkcs8 = DerKeys.concat(PKCS8, privateKey);
    try {
      KeyFactory kf = KeyFactory.getInstance("XDH");
      PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(DerKeys.concat(SPKI, publicKey)));
      KeyAgreement ka = KeyAgreement.getInstance("XDH");
      ka.init(priv);
      ka.doPhase(pub, true);
      byte[] shared = ka.generateSecret();
      if (DerKeys.allZero(shared)) {
        throw new IllegalArgumentException("X25519 public key of small order");
      }
      return shared;
    } catch (GeneralSecurityException e) {
      // the JDK refuses small-order points itself on some versions
      throw new IllegalArgumentException("unusable X25519 key", e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }
}
