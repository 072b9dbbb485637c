package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifest's instant text: the same as Instant.toString and Instant.parse, value and failure
 * alike.
 */
class TimesTest {

  @Test
  void formatEqualsToString_andParseReadsItBack_forRandomInstantsOfEveryPrecision() {
    Random r = new Random(20261205);
    long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      long sec = min + Math.floorMod(r.nextLong(), max - min + 1);
      int nano =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> r.nextInt(1000) * 1_000_000;
            case 2 -> r.nextInt(1_000_000) * 1000;
            default -> r.nextInt(1_000_000_000);
          };
      Instant t = Instant.ofEpochSecond(sec, nano);
      String text = t.toString();
      assertEquals(text, Times.format(t));
      assertEquals(t, Times.parse(text), text);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999999Z",
        "1000-01-01T00:00:00Z",
        "0999-12-31T23:59:59Z",
        "9999-12-31T23:59:59.1Z",
        "2024-02-29T12:00:00.5Z",
        "2026-12-05T04:19:35.12Z",
        "+10000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "2026-12-05t04:19:35z",
        "2026-12-05T04:19:35.123456789Z",
        "2016-12-31T23:59:60Z",
        "2026-12-05T04:19:35+01:00",
        "2026-12-05T04:19:35.0000Z",
        "2026-12-05T04:19:35.Z"
      })
  void edgeCasesEqualTheJdk(String text) {
    Instant expected = Instant.parse(text);
    assertEquals(expected, Times.parse(text));
    assertEquals(expected.toString(), Times.format(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-12-05T24:00:01Z",
        "2026-12-05T04:60:00Z",
        "2026-12-05T04:19:35.1234567890Z",
        "2026-12-05 04:19:35Z",
        "2026-12-05T04:19:35",
        "２０２６-12-05T04:19:35Z",
        "2026-1a-05T04:19:35Z",
        "20261205T041935Z",
        "2026-12-05T04:19:3５Z"
      })
  void malformedTextIsRefusedAsTheJdkRefusesIt(String text) {
    assertThrows(DateTimeParseException.class, () -> Instant.parse(text));
    assertThrows(DateTimeParseException.class, () -> Times.parse(text));
  }
}
