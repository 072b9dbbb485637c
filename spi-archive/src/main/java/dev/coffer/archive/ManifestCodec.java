package dev.coffer.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.security.MessageDigest;
import javax.crypto.Mac;

/**
 * Manifest JSON and its HMAC-SHA256 under the archive's manifest key. The MAC is checked (constant
 * time) before a byte is parsed; parsing is strict ({@link ManifestReader}): unknown fields,
 * duplicate keys, missing fields, wrong types, trailing tokens and oversized input are refused. The
 * optional fields ({@code links}, {@code posix}, {@code warnings}) are omitted when null, so only
 * they may be missing.
 *
 * <p>Writing binds the record with jackson-databind, created on the first write only: reading (a
 * {@code list}, a restore) never loads databind (docs/benchmarks.md, cold start).
 */
final class ManifestCodec {

  /** The writer's mapper, created when the first manifest is written. */
  private static final class Writer {
    static final ObjectMapper MAPPER =
        JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .build();
  }

  private ManifestCodec() {}

  static byte[] encode(Manifest m) {
    try {
      return Writer.MAPPER.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException("manifest serialisation failed", e);
    }
  }

  static byte[] mac(SecretBytes key, byte[] json) {
    Mac mac = Hkdf.hmac(key.bytes());
    return mac.doFinal(json);
  }

  /** Verifies the MAC, then parses and validates. */
  static Manifest decode(byte[] json, byte[] storedMac, SecretBytes key, String backupId)
      throws CorruptBackupException {
    if (!MessageDigest.isEqual(mac(key, json), storedMac)) {
      throw new CorruptBackupException(
          "manifest of backup " + backupId + " failed authentication", null);
    }
    Manifest m;
    try {
      m = ManifestReader.read(json);
    } catch (ManifestReader.MalformedManifestException e) {
      throw new CorruptBackupException(
          "manifest of backup " + backupId + " is malformed: " + e.getMessage(), null);
    } catch (IOException e) {
      throw new CorruptBackupException(
          "manifest of backup " + backupId + " is malformed: " + e.getClass().getSimpleName(),
          null);
    }
    m.validate(backupId);
    return m;
  }
}
