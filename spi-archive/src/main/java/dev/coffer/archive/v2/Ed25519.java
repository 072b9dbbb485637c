package dev.coffer.archive.v2;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Ed25519 (RFC 8032) signatures on the JDK's {@code EdDSA} with raw 32-byte keys, carried into the
 * JDK through their fixed DER prefixes (RFC 8410). Only the public key of a seed is computed with
 * Bouncy Castle, which the JDK 17 does not expose.
 */
final class Ed25519 {

  static final int SIGNATURE_BYTES = 64;
  private static final byte[] SPKI = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };
  private static final byte[] PKCS8 = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  };

  private Ed25519() {}

  static byte[] publicKey(byte[] seed) {
    return new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
  }

  static byte[] sign(byte[] seed, byte[] message) {
    byte[] pkcs8 = DerKeys.concat(PKCS8, seed);
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /**
   * Whether {@code signature} is valid for {@code message} under {@code publicKey}; false for
   * malformed input.
   */
  static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(
          KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(DerKeys.concat(SPKI, publicKey))));
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // an invalid point or encoding: not a valid signature
    }
  }
}
