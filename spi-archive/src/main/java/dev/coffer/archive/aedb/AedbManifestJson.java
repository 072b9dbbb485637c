package dev.coffer.archive.aedb;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * aedb's {@code backup_manifest.json} as jackson-databind binds it, strictly: duplicate keys,
 * unknown fields, missing required fields, trailing content, and any coercion (a number for a
 * string, a string or a fraction for an integer) are refused. Values are checked here for presence
 * and range only; the manifest's own rules are {@link AedbManifest}'s.
 */
record AedbManifestJson(
    @JsonProperty(value = "backup_id", required = true) String backupId,
    @JsonProperty(value = "backup_type", required = true) String backupType,
    @JsonProperty("parent_backup_id") String parentBackupId,
    @JsonProperty("from_seq") Long fromSeq,
    @JsonProperty(value = "created_at_micros", required = true) Long createdAtMicros,
    @JsonProperty(value = "aedb_version", required = true) String aedbVersion,
    @JsonProperty(value = "checkpoint_seq", required = true) Long checkpointSeq,
    @JsonProperty(value = "wal_head_seq", required = true) Long walHeadSeq,
    @JsonProperty(value = "checkpoint_file", required = true) String checkpointFile,
    @JsonProperty(value = "wal_segments", required = true) List<String> walSegments,
    @JsonProperty(value = "file_sha256", required = true) Map<String, String> fileSha256) {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build();

  /**
   * Binds the JSON and checks that every required value is there and every integer in range.
   *
   * @param json the bytes of {@code backup_manifest.json}, size already checked
   * @param where what the manifest belongs to, for messages
   * @return the bound values
   * @throws CorruptBackupException if the JSON is malformed, or a value missing, null, mistyped or
   *     negative
   */
  static AedbManifestJson read(byte[] json, String where) throws CorruptBackupException {
    AedbManifestJson m;
    try {
      m = JSON.readValue(json, AedbManifestJson.class);
    } catch (JsonMappingException e) {
      throw AedbManifest.corrupt(
          where, "is malformed (" + e.getClass().getSimpleName() + " at " + path(e) + ")");
    } catch (JacksonException e) {
      throw AedbManifest.corrupt(where, "is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw AedbManifest.corrupt(where, "cannot be parsed: " + e.getMessage());
    }
    if (m == null) {
      throw AedbManifest.corrupt(where, "is not a JSON object");
    }
    m.check(where);
    return m;
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(
            r ->
                r.getFieldName() != null
                    ? RelativePaths.printable(r.getFieldName())
                    : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("/", "'", "'"));
  }

  private void check(String where) throws CorruptBackupException {
    Object[][] required = {
      {"backup_id", backupId},
      {"backup_type", backupType},
      {"aedb_version", aedbVersion},
      {"checkpoint_file", checkpointFile},
      {"wal_segments", walSegments},
      {"file_sha256", fileSha256},
      {"created_at_micros", createdAtMicros},
      {"checkpoint_seq", checkpointSeq},
      {"wal_head_seq", walHeadSeq}
    };
    for (Object[] field : required) {
      if (field[1] == null) {
        throw AedbManifest.corrupt(where, "lacks the field " + field[0]);
      }
    }
    Object[][] counters = {
      {"from_seq", fromSeq},
      {"created_at_micros", createdAtMicros},
      {"checkpoint_seq", checkpointSeq},
      {"wal_head_seq", walHeadSeq}
    };
    for (Object[] field : counters) {
      if (field[1] != null && (Long) field[1] < 0) {
        throw AedbManifest.corrupt(
            where, "has a " + field[0] + " that is not an integer in [0, 2^63)");
      }
    }
    if (walSegments.contains(null)) {
      throw AedbManifest.corrupt(where, "has a non-string element in wal_segments");
    }
    for (Map.Entry<String, String> e : fileSha256.entrySet()) {
      if (e.getValue() == null) {
        throw AedbManifest.corrupt(
            where,
            "has a non-string value in file_sha256 for " + RelativePaths.printable(e.getKey()));
      }
    }
  }

  /** The manifest these values make, {@code authenticated} when its HMAC was checked. */
  AedbManifest toManifest(boolean authenticated) {
    return new AedbManifest(
        backupId,
        backupType,
        parentBackupId,
        fromSeq,
        createdAtMicros,
        aedbVersion,
        checkpointSeq,
        walHeadSeq,
        checkpointFile,
        walSegments,
        fileSha256,
        authenticated);
  }
}
