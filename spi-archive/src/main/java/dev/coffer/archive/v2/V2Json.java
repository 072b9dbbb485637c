package dev.coffer.archive.v2;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Strict JSON for the version-2 manifest and commit summary, mapped by hand through Jackson's tree
 * model (no reflection, so the package needs no {@code opens}): snake_case, every field present
 * (optional ones as {@code null}), unknown, missing and duplicate fields, values of the wrong type,
 * trailing tokens and oversized documents refused.
 */
final class V2Json {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxDocumentLength(ManifestSealer.MAX_RAW_BYTES)
                .maxStringLength(ManifestSealer.MAX_RAW_BYTES)
                .maxNestingDepth(8)
                .build());
  }

  /** A value of the wrong shape; turned into a {@link CorruptBackupException} by {@link #parse}. */
  @SuppressWarnings("serial")
  static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private V2Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("JSON serialisation failed", e);
    }
  }

  /**
   * Parses {@code json} and maps it with {@code reader}; any failure is a corruption of {@code
   * what}.
   */
  static <T> T parse(byte[] json, String what, Function<JsonNode, T> reader)
      throws CorruptBackupException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new CorruptBackupException(
          what + " is malformed: " + e.getClass().getSimpleName(), null);
    }
    if (root == null || root.isMissingNode()) {
      throw new CorruptBackupException(what + " is empty", null);
    }
    try {
      return reader.apply(root);
    } catch (Malformed e) {
      throw new CorruptBackupException(what + " is malformed: " + e.getMessage(), null);
    }
  }

  /** {@code node} as an object with exactly the fields {@code names}. */
  static JsonNode fields(JsonNode node, String... names) {
    if (node == null || !node.isObject()) {
      throw new Malformed("expected an object");
    }
    Set<String> expected = Set.of(names);
    Set<String> seen = new HashSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!expected.contains(name)) {
        throw new Malformed("unknown field " + name);
      }
      seen.add(name);
    }
    if (seen.size() != expected.size()) {
      throw new Malformed("a field is missing");
    }
    return node;
  }

  /** A string field, or null when it is JSON null. */
  static String text(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new Malformed(name + " is not a string");
    }
    return v.textValue();
  }

  static long integer(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new Malformed(name + " is not an integer");
    }
    return v.longValue();
  }

  static Long optionalInteger(JsonNode node, String name) {
    return node.get(name).isNull() ? null : integer(node, name);
  }

  static int int32(JsonNode node, String name) {
    long v = integer(node, name);
    if (v != (int) v) {
      throw new Malformed(name + " is out of range");
    }
    return (int) v;
  }

  /** An array field, each element mapped by {@code element}. */
  static <T> List<T> list(JsonNode node, String name, Function<JsonNode, T> element) {
    JsonNode v = node.get(name);
    if (!v.isArray()) {
      throw new Malformed(name + " is not an array");
    }
    List<T> out = new ArrayList<>(v.size());
    for (JsonNode e : v) {
      out.add(element.apply(e));
    }
    return List.copyOf(out);
  }

  static V2Manifest manifest(byte[] json, String backupId) throws CorruptBackupException {
    V2Manifest m = parse(json, "manifest of backup " + backupId, V2ManifestJson::read);
    m.validate(backupId);
    return m;
  }

  static byte[] encode(V2Manifest m) {
    return bytes(V2ManifestJson.write(m));
  }
}
