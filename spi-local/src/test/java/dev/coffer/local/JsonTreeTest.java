package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming JSON tree answers as databind's tree did, and refuses more. */
class JsonTreeTest {

  private static JsonTree parse(String json) throws IOException {
    return JsonTree.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void objectsArraysAndScalars_areReadInOrder() throws IOException {
    JsonTree t =
        parse(
            "{\"s\":\"x\",\"i\":7,\"big\":99999999999999999999,\"f\":1.5,\"t\":true,\"n\":null,"
                + "\"a\":[1,\"two\",{}],\"o\":{\"b\":2,\"a\":1}}");
    assertTrue(t.isObject());
    assertEquals(8, t.size());
    assertEquals("x", t.get("s").textValue());
    assertTrue(t.get("i").isInt());
    assertEquals(7, t.get("i").longValue());
    assertTrue(t.get("big").isIntegralNumber());
    assertFalse(t.get("big").canConvertToLong());
    assertFalse(t.get("f").isIntegralNumber());
    assertTrue(t.get("t").isBoolean());
    assertTrue(t.get("t").booleanValue());
    assertTrue(t.has("n"));
    assertFalse(t.get("n").isTextual());
    assertNull(t.get("missing"));
    assertTrue(t.get("a").isArray());
    List<String> kinds = new ArrayList<>();
    for (JsonTree e : t.get("a")) {
      kinds.add(e.toString());
    }
    assertEquals(List.of("1", "\"two\"", "object"), kinds);
    assertEquals(
        List.of("b", "a"), t.get("o").properties().stream().map(Map.Entry::getKey).toList());
  }

  @Test
  void aNumberBeyondAnInt_isNoInt_butALong() throws IOException {
    JsonTree t = parse("[2147483648, -1]");
    List<JsonTree> e = new ArrayList<>();
    t.forEach(e::add);
    assertFalse(e.get(0).isInt());
    assertTrue(e.get(0).canConvertToLong());
    assertTrue(e.get(1).isInt());
    assertEquals(-1, e.get(1).intValue());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "{\"a\":1,\"a\":2}", "{} {}", "{} x", "{\"a\":1", "[1,]", "{'a':1}", "NaN"})
  void duplicateKeysTrailingContentAndBrokenJson_areRefused(String json) {
    assertThrows(IOException.class, () -> parse(json));
  }

  @Test
  void aManifestWithTrailingContent_isCorrupt() {
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () ->
                ManifestReader.parse(
                    "{\"backup_id\":\"x\"} {}".getBytes(StandardCharsets.UTF_8), "x"));
    assertTrue(e.getMessage().contains("metadata.json"), e.getMessage());
  }

  @Test
  void toString_shortensLongStrings() throws IOException {
    String s = parse("\"" + "y".repeat(100) + "\"").toString();
    assertTrue(s.length() < 50, s);
  }
}
