package dev.coffer.archive;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
 * time) before a byte is parsed; parsing is strict: unknown fields, duplicate keys, missing fields,
 * trailing tokens and oversized input are refused. The optional fields ({@code links}, {@code
 * posix}, {@code warnings}) are injected as null when absent ({@code @JacksonInject(optional,
 * useInput)} on the record) and omitted when null, so only they may be missing.
 */
final class ManifestCodec {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(SerializationFeature.INDENT_OUTPUT)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxDocumentLength(Format.MAX_MANIFEST_BYTES)
                .maxStringLength(Format.MAX_PATH_BYTES * 2)
                .maxNestingDepth(8)
                .build());
  }

  private ManifestCodec() {}

  static byte[] encode(Manifest m) {
    try {
      return MAPPER.writeValueAsBytes(m);
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
      m = MAPPER.readValue(json, Manifest.class);
    } catch (IOException e) {
      throw new CorruptBackupException(
          "manifest of backup " + backupId + " is malformed: " + e.getClass().getSimpleName(),
          null);
    }
    if (m == null) {
      throw new CorruptBackupException("manifest of backup " + backupId + " is empty", null);
    }
    m.validate(backupId);
    return m;
  }
}
