package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifest's optional additions (links, POSIX attributes): written only when present, read
 * strictly.
 */
class ManifestCodecTest {

  private static final String ID = "m1";
  private static final SecretBytes KEY = ArchiveForge.key(TestSupport.KEY_HEX);
  private static final String SHA = "00".repeat(32);

  private static Manifest withAdditions(
      List<Manifest.Link> links, Map<String, Manifest.Posix> posix) {
    return new Manifest(
        Manifest.FORMAT,
        ID,
        TestSupport.T0.toString(),
        "FULL",
        null,
        null,
        "/src",
        "archive",
        "1",
        Map.of(),
        1,
        3,
        List.of("d"),
        List.of(new Manifest.FileEntry("d/f", 3, 0, SHA, ID, 0)),
        List.of(),
        links,
        posix,
        null);
  }

  private static Manifest roundTrip(byte[] json) throws CorruptBackupException {
    return ManifestCodec.decode(json, ManifestCodec.mac(KEY, json), KEY, ID);
  }

  private static String json(Manifest m) {
    return new String(ManifestCodec.encode(m), StandardCharsets.UTF_8);
  }

  @Test
  void manifestWithoutAdditions_isWrittenInTheOriginalShape_andReadBackWithoutThem()
      throws Exception {
    Manifest m = withAdditions(null, null);
    String text = json(m);
    assertFalse(text.contains("\"links\""), text);
    assertFalse(text.contains("\"posix\""), text);
    assertTrue(text.endsWith("\"deleted\":[]}"), text);
    Manifest back = roundTrip(text.getBytes(StandardCharsets.UTF_8));
    assertEquals(m, back);
    assertNull(back.posixOf(Manifest.ROOT));
    assertEquals(List.of(), back.linkList());
  }

  @Test
  void linksAndAttributes_roundTrip() throws Exception {
    Map<String, Manifest.Posix> posix = new TreeMap<>();
    posix.put(Manifest.ROOT, new Manifest.Posix("0700", 26, 26, "postgres", "postgres"));
    posix.put("d", new Manifest.Posix("2750", 0, 0, "root", null));
    posix.put("d/f", new Manifest.Posix("0600", -1, -1, null, null));
    posix.put("pg_wal", new Manifest.Posix("0777", 26, 26, "postgres", "postgres"));
    Manifest m = withAdditions(List.of(new Manifest.Link("pg_wal", "/var/lib/wal/pg_wal")), posix);
    String text = json(m);
    assertTrue(
        text.contains("\"links\":[{\"path\":\"pg_wal\",\"target\":\"/var/lib/wal/pg_wal\"}]"),
        text);
    assertTrue(
        text.contains("\"\":{\"mode\":\"0700\",\"uid\":26,\"gid\":26,\"owner\":\"postgres\""),
        text);
    Manifest back = roundTrip(text.getBytes(StandardCharsets.UTF_8));
    assertEquals(m, back);
    assertEquals(02750, back.posixOf("d").permissions());
  }

  @Test
  void missingRequiredField_isStillRefused() {
    String text = json(withAdditions(null, null)).replace(",\"deleted\":[]", "");
    assertThrows(
        CorruptBackupException.class, () -> roundTrip(text.getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"mode\":\"0750\"",
        "\"mode\":\"750\"",
        "\"mode\":\"17777\"",
        "\"mode\":\"0800\"",
        "\"uid\":-2",
        "\"gid\":-7",
        "\"owner\":\"\"",
        "\"owner\":\"a/b\"",
        "\"group\":\"a\\u0000b\"",
        "\"mode\":null"
      })
  void malformedAttributes_areRefused(String field) {
    Map<String, Manifest.Posix> posix = Map.of("d", new Manifest.Posix("0750", 1, 1, "u", "g"));
    String good = json(withAdditions(null, posix));
    String key = field.substring(0, field.indexOf(':'));
    String bad =
        field.equals("\"mode\":\"0750\"")
            ? good.replace(
                "\"d\":{", "\"nowhere\":{") // attributes for a path that is not in the backup
            : good.replaceFirst(
                java.util.regex.Pattern.quote(key) + ":(\"[^\"]*\"|-?[0-9]+)",
                java.util.regex.Matcher.quoteReplacement(field));
    assertFalse(bad.equals(good), field);
    assertThrows(
        CorruptBackupException.class, () -> roundTrip(bad.getBytes(StandardCharsets.UTF_8)), bad);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\u0000b", "duplicate-path", "null-target"})
  void malformedLinks_areRefused(String kind) {
    Manifest.Link link =
        switch (kind) {
          case "duplicate-path" -> new Manifest.Link("d/f", "x");
          case "null-target" -> new Manifest.Link("l", null);
          default -> new Manifest.Link("l", kind);
        };
    byte[] json = ManifestCodec.encode(withAdditions(List.of(link), null));
    assertThrows(CorruptBackupException.class, () -> roundTrip(json));
  }

  @Test
  void linkTargetLongerThanAPath_isRefused() {
    byte[] json =
        ManifestCodec.encode(
            withAdditions(List.of(new Manifest.Link("l", "x".repeat(4097))), null));
    assertThrows(CorruptBackupException.class, () -> roundTrip(json));
  }
}
