package dev.coffer.archive.v2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.Hkdf;
import dev.coffer.archive.SecretBytes;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The {@code coffer-repository} object of a format-2 repository, written once when the repository
 * is created: its id (bound into every commit), the archive format, the mode, the key derivation
 * (raw key, or Argon2id with its parameters and salt) and a key check, so that a wrong key fails
 * with {@link WrongKeyException} and another mode is refused before anything is written. Read
 * bounded ({@value #MAX_BYTES} bytes) and strict JSON; Argon2id parameters are bounded before they
 * run.
 *
 * <pre>
 * check = HKDF-Expand(HKDF-Extract(check_salt, master), "coffer-archive-v2 repository-key-check"
 *         || 0x00 || SHA-256(the object's JSON with "check": null), 32)
 * </pre>
 */
final class RepositoryConfig {

  static final String KEY = "coffer-repository";
  static final String FORMAT = "coffer-repository/2";
  static final String MODE_ENCRYPTED = "encrypted";
  static final String MODE_RECIPIENTS = "recipients";
  static final int MAX_BYTES = 4096;
  private static final String KDF_NONE = "none";
  private static final String KDF_ARGON2ID = "argon2id";
  private static final byte[] LABEL =
      "coffer-archive-v2 repository-key-check".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final UUID repositoryId;
  private final SecretBytes master;
  private final List<X25519Recipient> recipients;
  private final SecretBytes previous;

  private RepositoryConfig(
      UUID repositoryId, SecretBytes master, List<X25519Recipient> recipients) {
    this(repositoryId, master, recipients, null);
  }

  private RepositoryConfig(
      UUID repositoryId,
      SecretBytes master,
      List<X25519Recipient> recipients,
      SecretBytes previous) {
    this.repositoryId = repositoryId;
    this.master = master;
    this.recipients = recipients;
    this.previous = previous;
  }

  /**
   * This config opened with the new key of an unfinished rekey, which also holds the master key the
   * repository had before it ({@link RekeyState}).
   */
  RepositoryConfig withPrevious(SecretBytes previousMaster) {
    return new RepositoryConfig(repositoryId, master, recipients, previousMaster);
  }

  /** The master key before an unfinished rekey, or null. */
  SecretBytes previous() {
    return previous;
  }

  /** The recipients of a write-only repository (mode {@code recipients}); empty otherwise. */
  List<X25519Recipient> recipients() {
    return recipients;
  }

  UUID repositoryId() {
    return repositoryId;
  }

  /**
   * The repository's master key (of its symmetric key slots and metadata objects); null in mode
   * {@code recipients}.
   */
  SecretBytes master() {
    return master;
  }

  /** Whether the store holds a {@code coffer-repository} object. */
  static boolean exists(ObjectStore store) throws IOException {
    return store.stat(KEY).isPresent();
  }

  /**
   * Checks the key source of {@code settings} (a symmetric key, or recipients and identities)
   * against the repository's config, creating it first if the store has none.
   *
   * @param requestedMode the {@code mode} option, or null when not given
   * @throws WrongKeyException if the key is wrong, of the other kind, or the mode differs
   * @throws CorruptBackupException if the config object is malformed
   */
  static RepositoryConfig openOrCreate(
      ObjectStore store, String where, V2Settings settings, String requestedMode)
      throws IOException {
    JsonNode node = read(store, where);
    if (node == null) {
      if (requestedMode != null && !MODE_ENCRYPTED.equals(requestedMode)) {
        throw new IllegalArgumentException(
            "option 'mode' of provider 'archive': format 2 writes mode=encrypted only "
                + "(plain and signed archives are format 1)");
      }
      try {
        store.write(KEY, new ByteArrayInputStream(create(settings)), WriteMode.IF_ABSENT);
      } catch (FileAlreadyExistsException raced) {
        // another instance created it first: its config is the repository's
      }
      node = read(store, where);
      if (node == null) {
        throw new NoSuchFileException(where + "/" + KEY, null, "repository config vanished");
      }
    }
    return check(node, where, settings, requestedMode);
  }

  private static byte[] create(V2Settings settings) throws IOException {
    return create(settings, UUID.randomUUID());
  }

  /** The config of repository {@code id} for the keys of {@code settings} (a rekey's target). */
  static byte[] create(V2Settings settings, UUID id) throws IOException {
    ObjectNode o = V2Json.object();
    o.put("format", FORMAT);
    o.put("archive_format", 2);
    o.put("repository_id", id.toString());
    MasterKeys keys = settings.keys;
    if (keys == null) {
      if (settings.recipients.isEmpty()) {
        throw new IllegalArgumentException(
            "provider 'archive': a new write-only repository needs option recipient or "
                + "recipients-file");
      }
      o.put("mode", MODE_RECIPIENTS);
      o.put("kdf", KDF_NONE);
      o.put("argon2_memory_kib", 0);
      o.put("argon2_iterations", 0);
      o.put("argon2_parallelism", 0);
      o.putNull("argon2_salt");
      ArrayNode list = o.putArray("recipients");
      settings.recipients.forEach(r -> list.add(r.toString()));
      byte[] checkSalt = new byte[32];
      RANDOM.nextBytes(checkSalt);
      o.put("check_salt", HexFormat.of().formatHex(checkSalt));
      o.putNull("check");
      o.put("check", HexFormat.of().formatHex(checksum(V2Json.bytes(o))));
      return V2Json.bytes(o);
    }
    o.put("mode", MODE_ENCRYPTED);
    int[] argon2 = keys.passphrase() ? keys.newArgon2Parameters() : new int[3];
    byte[] salt = new byte[32];
    byte[] checkSalt = new byte[32];
    RANDOM.nextBytes(checkSalt);
    if (keys.passphrase()) {
      RANDOM.nextBytes(salt);
    }
    o.put("kdf", keys.passphrase() ? KDF_ARGON2ID : KDF_NONE);
    o.put("argon2_memory_kib", argon2[0]);
    o.put("argon2_iterations", argon2[1]);
    o.put("argon2_parallelism", argon2[2]);
    o.put("argon2_salt", keys.passphrase() ? HexFormat.of().formatHex(salt) : null);
    o.putNull("recipients");
    o.put("check_salt", HexFormat.of().formatHex(checkSalt));
    o.putNull("check");
    SecretBytes master = keys.master(argon2, salt);
    o.put("check", HexFormat.of().formatHex(value(master, checkSalt, V2Json.bytes(o))));
    return V2Json.bytes(o);
  }

  private static JsonNode read(ObjectStore store, String where) throws IOException {
    byte[] bytes;
    try (InputStream in = store.read(KEY, 0, MAX_BYTES + 1)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (NoSuchFileException absent) {
      return null;
    }
    return parse(bytes, where);
  }

  /** Parses config bytes (bounded, strict). */
  static JsonNode parse(byte[] bytes, String where) throws IOException {
    if (bytes.length > MAX_BYTES) {
      throw malformed(where, "larger than " + MAX_BYTES + " bytes");
    }
    return V2Json.parse(
        bytes,
        "repository config " + KEY + " of " + where,
        n ->
            V2Json.fields(
                n,
                "format",
                "archive_format",
                "repository_id",
                "mode",
                "kdf",
                "argon2_memory_kib",
                "argon2_iterations",
                "argon2_parallelism",
                "argon2_salt",
                "recipients",
                "check_salt",
                "check"));
  }

  /** Checks the key source of {@code settings} against a parsed config. */
  static RepositoryConfig check(JsonNode n, String where, V2Settings settings, String requestedMode)
      throws IOException {
    MasterKeys keys = settings.keys;
    UUID id;
    int[] argon2;
    byte[] salt;
    byte[] checkSalt;
    byte[] check;
    String mode;
    boolean passphrase;
    try {
      if (!FORMAT.equals(V2Json.text(n, "format")) || V2Json.integer(n, "archive_format") != 2) {
        throw malformed(where, "not a format-2 repository config");
      }
      id = UUID.fromString(String.valueOf(V2Json.text(n, "repository_id")));
      mode = String.valueOf(V2Json.text(n, "mode"));
      String kdf = String.valueOf(V2Json.text(n, "kdf"));
      if (!(MODE_ENCRYPTED.equals(mode) || MODE_RECIPIENTS.equals(mode))
          || !(KDF_NONE.equals(kdf) || KDF_ARGON2ID.equals(kdf))
          || (MODE_RECIPIENTS.equals(mode) && !KDF_NONE.equals(kdf))
          || MODE_RECIPIENTS.equals(mode) == n.get("recipients").isNull()) {
        throw malformed(where, "unknown mode or key derivation");
      }
      passphrase = KDF_ARGON2ID.equals(kdf);
      argon2 =
          new int[] {
            V2Json.int32(n, "argon2_memory_kib"),
            V2Json.int32(n, "argon2_iterations"),
            V2Json.int32(n, "argon2_parallelism")
          };
      String saltHex = V2Json.text(n, "argon2_salt");
      salt = passphrase ? hex32(saltHex, where) : new byte[32];
      if (!passphrase && (saltHex != null || argon2[0] != 0 || argon2[1] != 0 || argon2[2] != 0)) {
        throw malformed(where, "Argon2 parameters without Argon2");
      }
      checkSalt = hex32(V2Json.text(n, "check_salt"), where);
      check = hex32(V2Json.text(n, "check"), where);
    } catch (V2Json.Malformed | IllegalArgumentException e) {
      throw malformed(where, e.getMessage());
    }
    if (requestedMode != null && !requestedMode.equals(mode)) {
      throw new WrongKeyException(
          "repository "
              + where
              + " is "
              + mode
              + "; mode="
              + requestedMode
              + " would mix modes in one repository: leave the option out or use mode="
              + mode);
    }
    if (MODE_ENCRYPTED.equals(mode) && keys == null) {
      throw new WrongKeyException(
          "repository "
              + where
              + " is encrypted with a key or passphrase: open it with key, key-file, passphrase "
              + "or passphrase-file, not with recipients or identities");
    }
    if (MODE_RECIPIENTS.equals(mode)) {
      if (keys != null) {
        throw new WrongKeyException(
            "repository "
                + where
                + " is write-only (mode recipients): open it with recipient, recipients-file or "
                + "identity-file, not with a key or passphrase");
      }
      ObjectNode unsigned = ((ObjectNode) n).deepCopy();
      unsigned.putNull("check");
      if (!MessageDigest.isEqual(checksum(V2Json.bytes(unsigned)), check)) {
        throw malformed(where, "checksum mismatch");
      }
      return new RepositoryConfig(id, null, recipients(n, where, settings));
    }
    if (passphrase != keys.passphrase()) {
      throw new WrongKeyException(
          "repository "
              + where
              + " was created with "
              + (passphrase ? "a passphrase" : "a key")
              + ", but "
              + (keys.passphrase() ? "a passphrase" : "a key")
              + " was given");
    }
    SecretBytes master = keys.master(argon2, salt);
    ObjectNode unsigned = ((ObjectNode) n).deepCopy();
    unsigned.putNull("check");
    if (!MessageDigest.isEqual(value(master, checkSalt, V2Json.bytes(unsigned)), check)) {
      throw new WrongKeyException("wrong key or passphrase for repository " + where);
    }
    return new RepositoryConfig(id, master, List.of());
  }

  /**
   * The recorded recipients, checked against the options: recipients given must be the same set,
   * and every identity given must be one of them.
   */
  private static List<X25519Recipient> recipients(JsonNode n, String where, V2Settings settings)
      throws IOException {
    List<X25519Recipient> recorded = new ArrayList<>();
    try {
      for (JsonNode r : n.get("recipients")) {
        recorded.add(X25519Recipient.parse(r.textValue() == null ? "" : r.textValue()));
      }
    } catch (IllegalArgumentException e) {
      throw malformed(where, "a recipient is malformed");
    }
    if (recorded.isEmpty() || recorded.size() > 16) {
      throw malformed(where, "1 to 16 recipients expected");
    }
    if (!settings.recipients.isEmpty()
        && !new HashSet<>(settings.recipients).equals(new HashSet<>(recorded))) {
      throw new WrongKeyException(
          "the recipients given are not those of repository "
              + where
              + " ("
              + recorded
              + "): a write-only repository keeps its recipients");
    }
    for (X25519Identity identity : settings.identities) {
      if (!recorded.contains(identity.recipient())) {
        throw new WrongKeyException(
            "an identity given is not a recipient of repository "
                + where
                + " ("
                + identity.recipient()
                + ")");
      }
    }
    return List.copyOf(recorded);
  }

  private static byte[] checksum(byte[] unsignedJson) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(LABEL);
      md.update((byte) 0);
      return md.digest(unsignedJson);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static byte[] value(SecretBytes master, byte[] checkSalt, byte[] unsignedJson) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(unsignedJson);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    byte[] prk = Hkdf.extract(checkSalt, master.bytes());
    byte[] info = new byte[LABEL.length + 1 + digest.length];
    System.arraycopy(LABEL, 0, info, 0, LABEL.length);
    System.arraycopy(digest, 0, info, LABEL.length + 1, digest.length);
    try {
      return Hkdf.expand(prk, info, 32);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  private static byte[] hex32(String hex, String where) throws CorruptBackupException {
    if (hex == null || hex.length() != 64 || !hex.equals(hex.toLowerCase(java.util.Locale.ROOT))) {
      throw malformed(where, "a salt or check is not 64 lowercase hex digits");
    }
    return HexFormat.of().parseHex(hex);
  }

  private static CorruptBackupException malformed(String where, String what) {
    return new CorruptBackupException(
        "repository config " + KEY + " of " + where + " is malformed: " + what, KEY);
  }

  @Override
  public String toString() {
    return "RepositoryConfig[" + repositoryId + ", redacted]";
  }
}
