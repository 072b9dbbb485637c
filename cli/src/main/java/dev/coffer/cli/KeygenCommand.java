package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.KeyAgreement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "keygen",
    description =
        "Write a new random 256-bit key (64 hex digits) to FILE, readable by the owner only; with"
            + " --x25519, an X25519 identity for write-only archive repositories (its recipient is"
            + " printed); with --ed25519, a host signing key (its public key is printed).")
final class KeygenCommand extends CliCommand {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The key file to create; never overwritten.")
  Path file;

  @Option(
      names = "--x25519",
      description =
          "Write an X25519 identity (coffer-x25519-secret:...) instead, and print its recipient"
              + " (coffer-x25519-public:...) for the archive options recipient / recipients-file"
              + " (format=2).")
  boolean x25519;

  @Option(
      names = "--ed25519",
      description =
          "Write an Ed25519 host key (coffer-ed25519-secret:...) instead, and print its public key"
              + " (coffer-ed25519-public:...) for the archive options host-key-file / trusted-host"
              + " (format=2).")
  boolean ed25519;

  @Override
  public Integer call() throws IOException {
    Path f = file.toAbsolutePath().normalize();
    cli.doing("keygen of " + f);
    if (x25519 && ed25519) {
      throw new IllegalArgumentException("--x25519 and --ed25519 are exclusive");
    }
    if (ed25519) {
      String publicKey = writeHostKey(f);
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("keyFile", f.toString());
        doc.put("publicKey", publicKey);
        Json.print(cli.out, doc);
      } else {
        out().println(publicKey);
        cli.err.println(
            "Wrote a new Ed25519 host key to "
                + f
                + "; give readers the public key printed above (option trusted-host).");
      }
      return CofferCli.OK;
    }
    if (x25519) {
      String recipient = writeIdentity(f);
      if (json()) {
        ObjectNode doc = Json.object();
        doc.put("identityFile", f.toString());
        doc.put("recipient", recipient);
        Json.print(cli.out, doc);
      } else {
        out().println(recipient);
        cli.err.println(
            "Wrote a new X25519 identity to "
                + f
                + " (keep it away from the backed-up host); its recipient is printed above.");
      }
      return CofferCli.OK;
    }
    write(f);
    if (json()) {
      ObjectNode doc = Json.object();
      doc.put("keyFile", f.toString());
      doc.put("keyBits", 256);
      Json.print(cli.out, doc);
    } else {
      out()
          .println(
              "Wrote a new 256-bit key to "
                  + f
                  + ". Keep a copy somewhere safe: without it the backups"
                  + " it protects cannot be read.");
    }
    return CofferCli.OK;
  }

  /**
   * Creates {@code f} (owner-only) holding a new X25519 identity in the archive provider's text
   * form ({@code coffer-x25519-secret:} and the 32-byte scalar in base64) and returns its recipient
   * ({@code coffer-x25519-public:} and X25519(scalar, 9), RFC 7748, computed by the JDK's XDH).
   */
  static String writeIdentity(Path f) throws IOException {
    byte[] scalar = new byte[32];
    new SecureRandom().nextBytes(scalar);
    byte[] text =
        ("coffer-x25519-secret:" + Base64.getEncoder().encodeToString(scalar) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    try {
      String recipient =
          "coffer-x25519-public:" + Base64.getEncoder().encodeToString(publicKey(scalar));
      createOwnerOnly(f, text);
      return recipient;
    } finally {
      Arrays.fill(scalar, (byte) 0);
      Arrays.fill(text, (byte) 0);
    }
  }

  /**
   * Creates {@code f} (owner-only) holding a new Ed25519 key ({@code coffer-ed25519-secret:} and
   * the RFC 8032 32-byte seed in base64) and returns its public key ({@code coffer-ed25519-public:}
   * and the RFC 8032 encoding of the point), from the JDK's EdDSA.
   */
  static String writeHostKey(Path f) throws IOException {
    KeyPair pair;
    try {
      pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IOException("Ed25519 is not available in this JDK", e);
    }
    byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
    EdECPoint point = ((EdECPublicKey) pair.getPublic()).getPoint();
    byte[] y = point.getY().toByteArray(); // big-endian, minimal
    byte[] encoded = new byte[32];
    for (int i = 0; i < 32 && i < y.length; i++) {
      encoded[i] = y[y.length - 1 - i]; // little-endian
    }
    if (point.isXOdd()) {
      encoded[31] |= (byte) 0x80;
    }
    byte[] text =
        ("coffer-ed25519-secret:" + Base64.getEncoder().encodeToString(seed) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    try {
      createOwnerOnly(f, text);
      return "coffer-ed25519-public:" + Base64.getEncoder().encodeToString(encoded);
    } finally {
      Arrays.fill(seed, (byte) 0);
      Arrays.fill(text, (byte) 0);
    }
  }

  /** X25519(scalar, 9): the public key, little-endian, as RFC 7748 encodes it. */
  private static byte[] publicKey(byte[] scalar) throws IOException {
    try {
      KeyFactory kf = KeyFactory.getInstance("XDH");
      PrivateKey priv =
          kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
      PublicKey base =
          kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
      KeyAgreement ka = KeyAgreement.getInstance("XDH");
      ka.init(priv);
      ka.doPhase(base, true);
      return ka.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new IOException("X25519 is not available in this JDK", e);
    }
  }

  /**
   * Creates {@code f} (owner-only from the start where POSIX permissions exist) holding a new key.
   */
  static void write(Path f) throws IOException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] text = hex(key);
    Arrays.fill(key, (byte) 0);
    try {
      createOwnerOnly(f, text);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  /** Creates {@code f}, never overwriting, owner-only where POSIX permissions exist. */
  private static void createOwnerOnly(Path f, byte[] text) throws IOException {
    Path parent = f.getParent();
    boolean posix =
        parent != null
            && Files.getFileStore(parent).supportsFileAttributeView(PosixFileAttributeView.class);
    if (posix) {
      Files.createFile(
          f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(f);
    }
    try {
      Files.write(f, text, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(f);
      throw e;
    }
  }

  /** 64 lowercase hex digits and a newline. */
  static byte[] hex(byte[] key) {
    byte[] out = new byte[key.length * 2 + 1];
    for (int i = 0; i < key.length; i++) {
      out[2 * i] = (byte) HEX[(key[i] >> 4) & 0xF];
      out[2 * i + 1] = (byte) HEX[key[i] & 0xF];
    }
    out[out.length - 1] = '\n';
    return out;
  }
}
