package dev.coffer.archive.aedb;

import dev.coffer.CorruptBackupException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * aedb's backup manifest ({@code backup_manifest.json}, optionally signed by {@code
 * backup_manifest.hmac}, the lowercase hex HMAC-SHA256 of the JSON bytes), parsed and checked.
 *
 * <p>Checks beyond aedb: the HMAC is verified (constant-time) before a byte of JSON is parsed and
 * is mandatory whenever a manifest key is configured; the JSON is size-capped, and duplicate keys,
 * unknown fields, wrong types and trailing content are refused; {@code backup_type} must be {@code
 * full} (no parent) or {@code incremental} (with a parent); every checksum must be 64 lowercase hex
 * digits; paths obey Coffer's path rules and may not collide; files are verified without following
 * symbolic links. aedb's own rules are kept: every path is a safe relative path, a full backup
 * lists its checkpoint file, and every WAL segment {@code s} is listed as {@code wal_tail/s}.
 *
 * <p>The JSON is bound to {@link AedbManifestJson} by jackson-databind; a backup directory's
 * manifest is read and its files verified by {@link AedbBackupDirectory}. Instances are immutable
 * and thread-safe.
 *
 * @param backupId aedb's backup id
 * @param backupType {@code full} or {@code incremental}
 * @param parentBackupId the base of an incremental backup, {@code null} for a full one
 * @param fromSeq the first sequence number of an incremental backup, or {@code null}
 * @param createdAtMicros creation time, microseconds since the epoch
 * @param aedbVersion the version of aedb that wrote the manifest
 * @param checkpointSeq the checkpoint's sequence number
 * @param walHeadSeq the last WAL sequence number
 * @param checkpointFile the checkpoint file's relative path
 * @param walSegments the WAL segment names (stored below {@code wal_tail/})
 * @param fileSha256 lowercase hex SHA-256 of every listed file, by relative path
 * @param authenticated whether the HMAC was checked against a configured key
 */
record AedbManifest(
    String backupId,
    String backupType,
    String parentBackupId,
    Long fromSeq,
    long createdAtMicros,
    String aedbVersion,
    long checkpointSeq,
    long walHeadSeq,
    String checkpointFile,
    List<String> walSegments,
    Map<String, String> fileSha256,
    boolean authenticated) {

  /** The manifest's file name in a backup directory (and in an archive). */
  static final String FILE_NAME = "backup_manifest.json";

  /** The signature's file name beside it. */
  static final String HMAC_FILE_NAME = "backup_manifest.hmac";

  /** The largest manifest accepted. */
  static final int MAX_MANIFEST_BYTES = 16 << 20;

  /** The largest signature file accepted (64 hex digits and some whitespace). */
  static final int MAX_HMAC_FILE_BYTES = 1024;

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /** Copies the collections. */
  AedbManifest {
    walSegments = List.copyOf(walSegments);
    fileSha256 = Collections.unmodifiableMap(new TreeMap<>(fileSha256));
  }

  /**
   * The creation time the manifest records.
   *
   * @return {@link #createdAtMicros} as an instant
   */
  Instant createdAt() {
    return Instant.EPOCH.plus(createdAtMicros, ChronoUnit.MICROS);
  }

  /**
   * Verifies the signature if a key is given, then parses and checks the manifest.
   *
   * @param json the bytes of {@code backup_manifest.json}
   * @param hmacFile the bytes of {@code backup_manifest.hmac}, or {@code null} if there is none
   * @param key the manifest HMAC key, or {@code null} when none is configured (the signature, if
   *     any, is then not checked and the result is not {@link #authenticated})
   * @param portablePaths whether paths must also obey the portable rules
   * @param where what the manifest belongs to, for messages (e.g. {@code "backup 42"})
   * @return the manifest
   * @throws CorruptBackupException if the signature is missing (with a key), malformed or does not
   *     match, or the JSON breaks a rule
   * @throws IllegalArgumentException if the key is empty
   */
  static AedbManifest parse(
      byte[] json, byte[] hmacFile, SecretBytes key, boolean portablePaths, String where)
      throws CorruptBackupException {
    if (json.length > MAX_MANIFEST_BYTES) {
      throw corrupt(
          where, "is " + json.length + " bytes, more than the limit of " + MAX_MANIFEST_BYTES);
    }
    if (key != null) {
      if (key.length() == 0) {
        throw new IllegalArgumentException("empty manifest key");
      }
      if (hmacFile == null) {
        throw corrupt(
            where,
            "is not signed (" + HMAC_FILE_NAME + " missing) but a manifest key is configured");
      }
      byte[] expected = decodeHmacFile(hmacFile, where);
      if (!MessageDigest.isEqual(expected, hmac(key, json))) {
        throw corrupt(where, "failed authentication (wrong manifest key or modified bytes)");
      }
    }
    AedbManifest manifest = AedbManifestJson.read(json, where).toManifest(key != null);
    manifest.validate(portablePaths, where);
    return manifest;
  }

  /**
   * Checks checksums computed elsewhere (e.g. while an archive was read) against the manifest:
   * every listed file must be present with the listed SHA-256.
   *
   * @param actualSha256 lowercase hex SHA-256 by relative path
   * @param where what was read, for messages
   * @throws CorruptBackupException on the first missing file or mismatch
   */
  void crossCheck(Map<String, String> actualSha256, String where) throws CorruptBackupException {
    for (Map.Entry<String, String> e : fileSha256.entrySet()) {
      String actual = actualSha256.get(e.getKey());
      if (actual == null) {
        throw new CorruptBackupException(
            "file "
                + RelativePaths.printable(e.getKey())
                + " listed in the manifest of "
                + where
                + " is missing (truncated or edited archive?)",
            e.getKey());
      }
      if (!actual.equals(e.getValue())) {
        throw new CorruptBackupException(
            "sha256 mismatch for "
                + RelativePaths.printable(e.getKey())
                + " in "
                + where
                + ": manifest "
                + e.getValue()
                + ", computed "
                + actual,
            e.getKey());
      }
    }
  }

  /**
   * Lowercase hex SHA-256 of a stream, read to its end.
   *
   * @param in the stream
   * @return the digest
   * @throws IOException if the stream fails
   */
  static String sha256Hex(InputStream in) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private void validate(boolean portablePaths, String where) throws CorruptBackupException {
    checkPath(checkpointFile, "checkpoint_file", portablePaths, where);
    for (String seg : walSegments) {
      checkPath(seg, "wal_segments[]", portablePaths, where);
    }
    for (Map.Entry<String, String> e : fileSha256.entrySet()) {
      checkPath(e.getKey(), "file_sha256 key", portablePaths, where);
      if (!SHA256_HEX.matcher(e.getValue()).matches()) {
        throw corrupt(
            where,
            "has an invalid sha256 for "
                + RelativePaths.printable(e.getKey())
                + " (64 lowercase hex digits expected)");
      }
    }
    Optional<String> collision = RelativePaths.findCollision(fileSha256.keySet());
    if (collision.isPresent()) {
      throw corrupt(where, "lists colliding files: " + collision.get());
    }
    switch (backupType) {
      case "full" -> {
        if (parentBackupId != null) {
          throw corrupt(where, "is a full backup with a parent_backup_id");
        }
        if (!fileSha256.containsKey(checkpointFile)) {
          throw corrupt(
              where,
              "is missing the checksum of its checkpoint file "
                  + RelativePaths.printable(checkpointFile));
        }
      }
      case "incremental" -> {
        if (parentBackupId == null || parentBackupId.isEmpty()) {
          throw corrupt(where, "is an incremental backup without a parent_backup_id");
        }
      }
      default ->
          throw corrupt(
              where, "has an unknown backup_type '" + RelativePaths.printable(backupType) + "'");
    }
    for (String seg : walSegments) {
      String rel = "wal_tail/" + seg;
      checkPath(rel, "wal segment path", portablePaths, where);
      if (!fileSha256.containsKey(rel)) {
        throw corrupt(
            where, "is missing the checksum of wal segment " + RelativePaths.printable(seg));
      }
    }
  }

  private static void checkPath(String path, String field, boolean portable, String where)
      throws CorruptBackupException {
    Optional<String> problem =
        portable ? RelativePaths.portableProblem(path) : RelativePaths.basicProblem(path);
    if (problem.isPresent()) {
      throw corrupt(
          where,
          "has an unsafe " + field + " '" + RelativePaths.printable(path) + "': " + problem.get());
    }
  }

  private static byte[] decodeHmacFile(byte[] hmacFile, String where)
      throws CorruptBackupException {
    if (hmacFile.length > MAX_HMAC_FILE_BYTES) {
      throw corrupt(where, "has a signature file of " + hmacFile.length + " bytes");
    }
    String hex = new String(hmacFile, StandardCharsets.US_ASCII).strip();
    if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80)) {
      throw corrupt(where, "has a malformed signature (64 hex digits expected)");
    }
    return HexFormat.of().parseHex(hex);
  }

  /**
   * HMAC-SHA256 of {@code data} under {@code key}.
   *
   * @param key the key, not empty
   * @param data the data
   * @return the 32-byte MAC
   */
  static byte[] hmac(SecretBytes key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
    }
  }

  static CorruptBackupException corrupt(String where, String condition) {
    return new CorruptBackupException("aedb backup manifest " + where + " " + condition, null);
  }
}
