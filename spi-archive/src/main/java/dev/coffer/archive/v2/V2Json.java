package dev.coffer.archive.v2;

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

/**
 * Strict JSON for the version-2 manifest and commit summary: snake_case, every field present (optional ones as
 * {@code null}), unknown and duplicate fields, trailing tokens and oversized documents refused.
 */
final class V2Json {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
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
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxDocumentLength(ManifestSealer.MAX_RAW_BYTES)
        .maxStringLength(ManifestSealer.MAX_RAW_BYTES)
        .maxNestingDepth(8)
        .build());
  }

  private V2Json() {}

  static byte[] encode(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("JSON serialisation failed", e);
    }
  }

  static <T> T decode(byte[] json, Class<T> type, String what) throws CorruptBackupException {
    T value;
    try {
      value = MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new CorruptBackupException(what + " is malformed: " + e.getClass().getSimpleName(), null);
    }
    if (value == null) {
      throw new CorruptBackupException(what + " is empty", null);
    }
    return value;
  }

  static V2Manifest manifest(byte[] json, String backupId) throws CorruptBackupException {
    V2Manifest m = decode(json, V2Manifest.class, "manifest of backup " + backupId);
    m.validate(backupId);
    return m;
  }
}
