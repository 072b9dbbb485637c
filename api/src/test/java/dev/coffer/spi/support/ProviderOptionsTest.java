package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.spi.OptionInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProviderOptionsTest {

  private static final List<OptionInfo> DECLARED =
      List.of(
          OptionInfo.optional("fsync", "force data to disk", "true"),
          OptionInfo.optional("level", "zstd level", "3"),
          OptionInfo.required("region", "where"),
          OptionInfo.secret("key", "the key"));

  @Test
  void parse_unknownOption_namesItAndListsKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ProviderOptions.parse("p", DECLARED, Map.of("region", "eu", "colour", "red")));
    assertTrue(e.getMessage().contains("'colour'"), e.getMessage());
    assertTrue(e.getMessage().contains("fsync, level, region, key"), e.getMessage());
  }

  @Test
  void parse_missingRequiredOption_namesIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ProviderOptions.parse("p", DECLARED, Map.of()));
    assertTrue(e.getMessage().contains("'region'"), e.getMessage());
  }

  @Test
  void getters_applyDefaultsAndBounds() {
    ProviderOptions o =
        ProviderOptions.parse("p", DECLARED, Map.of("region", "eu", "fsync", "FALSE"));
    assertFalse(o.getBoolean("fsync", true));
    assertEquals(3, o.getLong("level", 1, 1, 22));
    assertEquals(Optional.empty(), o.get("key"));
    assertTrue(o.isSet("fsync"));
    assertFalse(o.isSet("level"));
    ProviderOptions bad =
        ProviderOptions.parse("p", DECLARED, Map.of("region", "eu", "level", "99", "fsync", "yes"));
    assertThrows(IllegalArgumentException.class, () -> bad.getLong("level", 3, 1, 22));
    assertThrows(IllegalArgumentException.class, () -> bad.getBoolean("fsync", true));
    assertThrows(IllegalArgumentException.class, () -> bad.get("undeclared"));
  }

  @Test
  void secrets_neverAppearInToStringOrMessages() {
    String secret = "6b6579-do-not-print-me";
    ProviderOptions o = ProviderOptions.parse("p", DECLARED, Map.of("region", "eu", "key", secret));
    assertFalse(o.toString().contains(secret), o.toString());
    assertTrue(o.toString().contains("key=***"), o.toString());
    assertFalse(o.invalid("key", "expected 64 hex characters").getMessage().contains(secret));
    assertTrue(o.invalid("region", "expected a region").getMessage().contains("'eu'"));
  }

  @Test
  void fileOptionValues_areWithheldFromMessages_becauseASecretMayBePastedThere() {
    String pasted = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    List<OptionInfo> declared =
        List.of(
            OptionInfo.optional("key-file", "path of the key", null),
            OptionInfo.optional("level", "zstd level", "3"));
    ProviderOptions o =
        ProviderOptions.parse("p", declared, Map.of("key-file", pasted, "level", "x"));
    String message = o.invalid("key-file", "cannot read the file").getMessage();
    assertFalse(message.contains(pasted), message);
    assertTrue(message.contains("'key-file'"), message);
    assertTrue(o.invalid("level", "expected a number").getMessage().contains("'x'"));
    assertTrue(declared.get(0).valueWithheld());
    assertFalse(declared.get(1).valueWithheld());
  }

  @Test
  void optionInfo_refusesDefaultsForSecretsAndMalformedNames() {
    assertThrows(
        IllegalArgumentException.class, () -> new OptionInfo("key", "k", false, "default", true));
    assertThrows(IllegalArgumentException.class, () -> OptionInfo.optional("Key_File", "k", null));
  }

  @Test
  void backupIds_areVersion7UuidsOrderedByTime() {
    Clock early = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    Clock late = Clock.fixed(Instant.parse("2026-01-01T00:00:00.001Z"), ZoneOffset.UTC);
    String a = BackupIds.newId(early).value();
    String b = BackupIds.newId(late).value();
    UUID ua = UUID.fromString(a);
    assertEquals(7, ua.version());
    assertEquals(2, ua.variant());
    assertEquals(
        Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), ua.getMostSignificantBits() >>> 16);
    assertTrue(a.compareTo(b) < 0, a + " < " + b);
    assertTrue(BackupId.isValid(a));
    Set<String> many = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      many.add(BackupIds.newId(early).value());
    }
    assertEquals(10_000, many.size(), "random bits keep ids from one millisecond distinct");
  }

  @Test
  void backupIds_syntaxRefusesSeparatorsAndDots() {
    for (String bad :
        new String[] {
          null, "", ".", "..", "../x", "a/b", "a\\b", "-x", "x y", "é", "a".repeat(129)
        }) {
      assertFalse(BackupId.isValid(bad), String.valueOf(bad));
    }
    for (String good :
        new String[] {"a", "backup_plain", "94af8703-9b80-4406-a418-5c6d6af33b74", "v1.2"}) {
      assertTrue(BackupId.isValid(good), good);
    }
  }

  @Test
  void typedOptions_stateTheirDefaultOnce_andReadItThroughTheirInfo() {
    List<OptionInfo> typed =
        List.of(
            OptionInfo.flag("fsync", "force", true),
            OptionInfo.integer("level", "zstd level", 3, 1, 19));
    ProviderOptions none = ProviderOptions.parse("test", typed, Map.of());
    assertTrue(none.getBoolean("fsync"));
    assertEquals(3, none.getLong("level"));
    ProviderOptions given =
        ProviderOptions.parse("test", typed, Map.of("fsync", "FALSE", "level", "19"));
    assertFalse(given.getBoolean("fsync"));
    assertEquals(19, given.getLong("level"));
  }

  @Test
  void typedOptions_refuseValuesOutsideTheirTypeWhenParsed_namingTheOption() {
    List<OptionInfo> typed =
        List.of(
            OptionInfo.flag("fsync", "force", true),
            OptionInfo.integer("level", "zstd level", 3, 1, 19));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ProviderOptions.parse("test", typed, Map.of("level", "20")));
    assertEquals(
        "invalid value '20' for option 'level' of provider 'test': expected a whole number from 1 to 19",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ProviderOptions.parse("test", typed, Map.of("fsync", "yes")));
    ProviderOptions parsed = ProviderOptions.parse("test", typed, Map.of());
    assertThrows(
        IllegalArgumentException.class,
        () -> parsed.getLong("fsync"),
        "a boolean is not read as a number");
    assertThrows(
        IllegalArgumentException.class,
        () -> parsed.getBoolean("level"),
        "a number is not read as a boolean");
  }

  @Test
  void typedOptions_refuseADefaultOutsideTheirRange() {
    assertThrows(
        IllegalArgumentException.class, () -> OptionInfo.integer("level", "zstd level", 20, 1, 19));
    assertThrows(
        IllegalArgumentException.class, () -> OptionInfo.integer("level", "zstd level", 3, 19, 1));
    assertEquals(OptionInfo.Type.TEXT, OptionInfo.optional("mode", "m", null).type());
    assertTrue(OptionInfo.integer("level", "l", 3, 1, 19).accepts(" 7 "));
    assertFalse(OptionInfo.flag("fsync", "f", true).accepts("1"));
  }
}
