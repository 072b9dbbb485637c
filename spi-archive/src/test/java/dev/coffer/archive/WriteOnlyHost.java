package dev.coffer.archive;

import dev.coffer.BackupRepository;
import dev.coffer.archive.v2.HostSigningKey;
import dev.coffer.archive.v2.X25519Identity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Test fixture of issue 19's write-only setting: an operations identity, hosts with Ed25519 keys
 * and state files, readers with the identity, and a source with one 1 MiB random file whose blocks
 * a test changes one at a time. Everything lives under {@code root} (any file system).
 */
final class WriteOnlyHost {

  static final int BLOCK = 64 * 1024;

  final Path root;
  final X25519Identity ops = X25519Identity.generate(new SecureRandom());

  WriteOnlyHost(Path root) throws IOException {
    this.root = Files.createDirectories(root);
  }

  /**
   * Options of a host holding the recipient only, signing with {@code key}, state in {@code state}.
   */
  Map<String, String> host(HostSigningKey key, Path state) throws IOException {
    Path file = root.resolve("host-" + Integer.toHexString(key.publicKey().hashCode()) + ".key");
    if (!Files.exists(file)) {
      Files.writeString(file, key.secretText() + "\n");
    }
    Map<String, String> o = new HashMap<>();
    o.put("format", "2");
    o.put("recipient", ops.recipient().toString());
    o.put("host-key-file", file.toString());
    if (state != null) {
      o.put("state-file", state.toString());
    }
    return o;
  }

  /** Options of a reader holding the operations identity. */
  Map<String, String> reader() throws IOException {
    Path file = root.resolve("ops.identity");
    if (!Files.exists(file)) {
      Files.writeString(file, ops.secretText() + "\n");
    }
    Map<String, String> o = new HashMap<>();
    o.put("identity-file", file.toString());
    return o;
  }

  BackupRepository open(Path repo, Map<String, String> options) throws IOException {
    return new ArchiveBackupProvider().open(repo, options);
  }

  /** A source: {@code db/big} (16 random blocks), {@code db/small}, {@code conf/a.conf}. */
  Path source(String name) throws IOException {
    Path src = root.resolve(name);
    Files.createDirectories(src.resolve("db"));
    Files.createDirectories(src.resolve("conf"));
    byte[] big = new byte[16 * BLOCK];
    new Random(19).nextBytes(big);
    Files.write(src.resolve("db/big"), big);
    Files.writeString(src.resolve("db/small"), "small file\n".repeat(40));
    Files.writeString(src.resolve("conf/a.conf"), "setting = 1\n");
    return src;
  }

  /** Overwrites block {@code index} of {@code db/big} with other random bytes. */
  static void changeBlock(Path src, int index, long seed) throws IOException {
    byte[] big = Files.readAllBytes(src.resolve("db/big"));
    byte[] block = new byte[BLOCK];
    new Random(seed).nextBytes(block);
    System.arraycopy(block, 0, big, index * BLOCK, BLOCK);
    Files.write(src.resolve("db/big"), big);
  }

  /**
   * A new key pair as the TCK's P35 takes it: a write-only host's options (format 2, the recipient)
   * and a reader's (an identity file in {@code dir}), each with {@code extra}.
   */
  static dev.coffer.testkit.RecipientKeys recipientKeys(Path dir, Map<String, String> extra)
      throws IOException {
    X25519Identity identity = X25519Identity.generate(new SecureRandom());
    Path file = dir.resolve("identity.txt");
    Files.writeString(file, identity.secretText() + "\n");
    Map<String, String> host = new HashMap<>(extra);
    host.put("format", "2");
    host.put("recipient", identity.recipient().toString());
    Map<String, String> reader = new HashMap<>(extra);
    reader.put("identity-file", file.toString());
    return new dev.coffer.testkit.RecipientKeys(host, reader);
  }

  /** Asserts that {@code restored} holds the three files of {@code src} byte for byte. */
  static void assertSameFiles(Path src, Path restored) throws IOException {
    for (String f : java.util.List.of("db/big", "db/small", "conf/a.conf")) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          Files.readAllBytes(src.resolve(f)), Files.readAllBytes(restored.resolve(f)), f);
    }
  }
}
