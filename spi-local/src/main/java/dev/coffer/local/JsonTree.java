package dev.coffer.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON value read with jackson-core's streaming parser: the few questions {@link ManifestReader}
 * asks of a tree, without jackson-databind, whose loading and set-up cost a cold {@code coffer
 * list} ~0.15 s of CPU (docs/benchmarks.md, "Cold start ... Session 7"). Duplicate keys and
 * anything after the one top-level value are refused. Immutable.
 */
final class JsonTree implements Iterable<JsonTree> {

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private enum Kind {
    OBJECT,
    ARRAY,
    STRING,
    INTEGER,
    BIG_INTEGER,
    FRACTION,
    BOOLEAN,
    NULL
  }

  private final Kind kind;
  private final String text;
  private final long number;
  private final Map<String, JsonTree> fields;
  private final List<JsonTree> elements;

  private JsonTree(
      Kind kind, String text, long number, Map<String, JsonTree> fields, List<JsonTree> elements) {
    this.kind = kind;
    this.text = text;
    this.number = number;
    this.fields = fields;
    this.elements = elements;
  }

  /**
   * Reads one JSON value.
   *
   * @throws IOException if the bytes are not one well-formed JSON value (a {@code
   *     JsonProcessingException} for a syntax error or a duplicate key)
   */
  static JsonTree parse(byte[] json) throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() == null) {
        throw new IOException("no JSON value");
      }
      JsonTree root = read(p);
      if (p.nextToken() != null) {
        throw new IOException("content after the JSON value");
      }
      return root;
    }
  }

  private static JsonTree read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        Map<String, JsonTree> fields = new LinkedHashMap<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
          p.nextToken();
          fields.put(name, read(p));
        }
        return new JsonTree(Kind.OBJECT, null, 0, Collections.unmodifiableMap(fields), List.of());
      case START_ARRAY:
        List<JsonTree> elements = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          elements.add(read(p));
        }
        return new JsonTree(Kind.ARRAY, null, 0, Map.of(), Collections.unmodifiableList(elements));
      case VALUE_STRING:
        return new JsonTree(Kind.STRING, p.getText(), 0, Map.of(), List.of());
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          return new JsonTree(Kind.BIG_INTEGER, p.getText(), 0, Map.of(), List.of());
        }
        return new JsonTree(Kind.INTEGER, p.getText(), p.getLongValue(), Map.of(), List.of());
      case VALUE_NUMBER_FLOAT:
        return new JsonTree(Kind.FRACTION, p.getText(), 0, Map.of(), List.of());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new JsonTree(
            Kind.BOOLEAN, null, t == JsonToken.VALUE_TRUE ? 1 : 0, Map.of(), List.of());
      case VALUE_NULL:
        return new JsonTree(Kind.NULL, null, 0, Map.of(), List.of());
      default:
        throw new IOException("unexpected JSON token " + t);
    }
  }

  /** The value of field {@code name} of an object, null when absent or when this is no object. */
  JsonTree get(String name) {
    return fields.get(name);
  }

  boolean has(String name) {
    return fields.containsKey(name);
  }

  boolean isObject() {
    return kind == Kind.OBJECT;
  }

  boolean isArray() {
    return kind == Kind.ARRAY;
  }

  boolean isTextual() {
    return kind == Kind.STRING;
  }

  boolean isBoolean() {
    return kind == Kind.BOOLEAN;
  }

  /** Whether this is a whole number (of any size). */
  boolean isIntegralNumber() {
    return kind == Kind.INTEGER || kind == Kind.BIG_INTEGER;
  }

  /** Whether this is a whole number that fits a long. */
  boolean canConvertToLong() {
    return kind == Kind.INTEGER;
  }

  /** Whether this is a whole number that fits an int. */
  boolean isInt() {
    return kind == Kind.INTEGER && number == (int) number;
  }

  /** The string, null when this is no string. */
  String textValue() {
    return kind == Kind.STRING ? text : null;
  }

  /** The whole number (0 when this is none that fits a long). */
  long longValue() {
    return kind == Kind.INTEGER ? number : 0;
  }

  int intValue() {
    return (int) longValue();
  }

  boolean booleanValue() {
    return kind == Kind.BOOLEAN && number == 1;
  }

  /** The number of fields of an object or elements of an array, 0 for anything else. */
  int size() {
    return kind == Kind.OBJECT ? fields.size() : elements.size();
  }

  /** The fields of an object in the order read; empty for anything else. */
  Set<Map.Entry<String, JsonTree>> properties() {
    return fields.entrySet();
  }

  /** The elements of an array; none for anything else. */
  @Override
  public Iterator<JsonTree> iterator() {
    return elements.iterator();
  }

  /** The value as JSON for a message, shortened: a number or string as written, else its kind. */
  @Override
  public String toString() {
    return switch (kind) {
      case STRING -> '"' + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + '"';
      case INTEGER, BIG_INTEGER, FRACTION -> text.length() > 40 ? text.substring(0, 40) : text;
      case BOOLEAN -> Boolean.toString(booleanValue());
      default -> kind.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
