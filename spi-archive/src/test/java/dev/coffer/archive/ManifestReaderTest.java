package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming manifest reader reads back everything the writer writes, and refuses what binding
 * with jackson-databind refused (and the coercions binding allowed).
 */
class ManifestReaderTest {

  private static final String ID = "01a24a77-e60f-7b96-bcd5-e853d7efbd3c";
  private static final String BASE = "01a24a77-0000-7b96-bcd5-e853d7efbd3c";
  private static final String SHA = "ab".repeat(32);
  private static final SecretBytes KEY = ArchiveForge.key(TestSupport.KEY_HEX);

  /** An incremental manifest with every optional part present. */
  private static Manifest full() {
    Map<String, Manifest.Posix> posix = new TreeMap<>();
    posix.put(Manifest.ROOT, new Manifest.Posix("0700", 26, 26, "postgres", "postgres"));
    posix.put("d", new Manifest.Posix("2750", 0, 0, "root", null));
    posix.put("d/f", new Manifest.Posix("0600", -1, -1, null, null));
    return new Manifest(
        Manifest.FORMAT,
        ID,
        TestSupport.T0.toString(),
        "INCREMENTAL",
        BASE,
        SHA,
        "/src",
        "archive",
        "1",
        Map.of("host", "db1"),
        2,
        10,
        List.of("d", "e"),
        List.of(
            new Manifest.FileEntry("d/f", 3, 1_700_000_000_123L, SHA, ID, 0),
            new Manifest.FileEntry("e/g", 7, -5, SHA, BASE, 4096)),
        List.of("gone"),
        List.of(new Manifest.Link("l", "/var/lib/wal")),
        posix,
        List.of(new Manifest.Warning("s", "SKIPPED_SPECIAL_FILE", "a socket")));
  }

  private static String text(Manifest m) {
    return new String(ManifestCodec.encode(m), StandardCharsets.UTF_8);
  }

  private static Manifest read(String json) throws IOException {
    return ManifestReader.read(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyFieldTheWriterWrites_readsBackEqual() throws IOException {
    Manifest m = full();
    assertEquals(m, read(text(m)));
    Manifest plain = ArchiveForge.manifest(ID, List.of("d"), List.of());
    Manifest back = read(text(plain));
    assertEquals(plain, back);
    assertNull(back.links());
    assertNull(back.posix());
    assertNull(back.warnings());
  }

  @Test
  void aManifestReadBack_passesTheCodecsChecks() throws CorruptBackupException {
    byte[] json = ManifestCodec.encode(full());
    assertEquals(full(), ManifestCodec.decode(json, ManifestCodec.mac(KEY, json), KEY, ID));
  }

  @Test
  void nullForAStringListOrObject_isReadAsNull_forValidateToJudge() throws IOException {
    Manifest m =
        read(
            text(full())
                .replace("\"labels\":{\"host\":\"db1\"}", "\"labels\":null")
                .replace(
                    "\"links\":[{\"path\":\"l\",\"target\":\"/var/lib/wal\"}]", "\"links\":null")
                .replace("\"detail\":\"a socket\"", "\"detail\":null"));
    assertNull(m.labels());
    assertNull(m.links());
    assertNull(m.warnings().get(0).detail());
    assertNull(m.posix().get("d/f").owner());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown top-level field | \"deleted\": | \"surprise\":1,\"deleted\":",
        "unknown field in a file entry | \"offset\":0 | \"offset\":0,\"x\":1",
        "unknown field in a link | \"target\": | \"x\":1,\"target\":",
        "unknown field in a warning | \"detail\": | \"x\":\"y\",\"detail\":",
        "unknown field in attributes | \"mode\":\"0700\" | \"mode\":\"0700\",\"x\":1",
        "duplicate key | \"deleted\": | \"deleted\":[],\"deleted\":",
        "duplicate key in a file entry | \"offset\":0 | \"offset\":0,\"offset\":0",
        "missing field in a file entry | ,\"offset\":0 | ''",
        "missing field in a link | ,\"target\":\"/var/lib/wal\" | ''",
        "missing field in attributes | \"gid\":26, | ''",
        "missing field in a warning | ,\"detail\":\"a socket\" | ''",
        "missing total | \"total_files\":2, | ''",
        "string for a number | \"size\":3 | \"size\":\"3\"",
        "fraction for an integer | \"size\":3 | \"size\":3.0",
        "number too large for a long | \"size\":3 | \"size\":99999999999999999999",
        "number too large for an int | \"uid\":26 | \"uid\":2147483648",
        "boolean for a number | \"size\":3 | \"size\":true",
        "null for a number | \"total_bytes\":10 | \"total_bytes\":null",
        "number for a string | \"source_dir\":\"/src\" | \"source_dir\":5",
        "object for a string | \"source_dir\":\"/src\" | \"source_dir\":{}",
        "number in a string list | \"deleted\":[\"gone\"] | \"deleted\":[7]",
        "object for a list | \"deleted\":[\"gone\"] | \"deleted\":{}",
        "string for an object list | \"files\":[ | \"files\":\"x\",\"y\":[",
        "string as a file entry | \"files\":[ | \"files\":[\"x\",",
        "number as a label | \"host\":\"db1\" | \"host\":1",
        "array as attributes | \"d/f\":{ | \"d/f\":[],\"z\":{",
        "not JSON | \"format\": | format:",
      })
  void aManifestOfTheWrongShape_isRefused(String what, String from, String to) {
    String good = text(full());
    String bad = good.replace(from, to);
    assertNotEquals(good, bad, what);
    assertThrows(IOException.class, () -> read(bad), bad);
    byte[] json = bad.getBytes(StandardCharsets.UTF_8);
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> ManifestCodec.decode(json, ManifestCodec.mac(KEY, json), KEY, ID));
    assertTrue(e.getMessage().contains("malformed"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "null", "[]", "\"x\"", "{", "{}{}", "{} x", "{}[]"})
  void anythingButOneObject_isRefused(String suffixOrWhole) {
    String json =
        suffixOrWhole.startsWith("{}") && suffixOrWhole.length() > 2
            ? text(full()) + suffixOrWhole.substring(2)
            : suffixOrWhole;
    assertThrows(IOException.class, () -> read(json), json);
  }

  @Test
  void aStringLongerThanTwoPaths_isRefusedByTheParser() {
    String json = text(full()).replace("\"/src\"", "\"" + "x".repeat(2 * 4096 + 1) + "\"");
    assertThrows(IOException.class, () -> read(json));
  }

  @Test
  void refusalsNameTheField_neverAValueFromTheManifest() {
    String bad = text(full()).replace("\"deleted\":", "\"secret-field-name\":1,\"deleted\":");
    IOException e = assertThrows(IOException.class, () -> read(bad));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
    IOException e2 =
        assertThrows(
            IOException.class,
            () -> read(text(full()).replace("\"size\":3", "\"size\":\"secret\"")));
    assertTrue(e2.getMessage().contains("'size'"), e2.getMessage());
    assertFalse(e2.getMessage().contains("secret"), e2.getMessage());
  }
}
