package dev.coffer.local;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Instants as the manifest writes them, exactly as {@link Instant#toString()} and {@link
 * Instant#parse} do, but without the general formatter for the common case: a manifest holds one
 * per file, and the general formatter was a large share of writing and parsing one
 * (docs/benchmarks.md, "Performance seams of the local provider").
 *
 * <p>{@link #format} handles years 1000 to 9999 itself (the fraction in groups of three digits, as
 * {@code DateTimeFormatter.ISO_INSTANT} prints it) and leaves any other instant to {@code
 * toString}. {@link #parse} handles {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with an hour below 24 and
 * a minute and second below 60, and hands anything else, including what it cannot accept, to {@code
 * Instant.parse}, which decides (and throws the same exception it always did).
 */
final class Times {

  private static final long FIRST_FAST = LocalDate.of(1000, 1, 1).toEpochDay() * 86_400L;
  private static final long END_FAST = LocalDate.of(10_000, 1, 1).toEpochDay() * 86_400L;

  private Times() {}

  /** Equals {@code t.toString()}. */
  static String format(Instant t) {
    long sec = t.getEpochSecond();
    if (sec < FIRST_FAST || sec >= END_FAST) {
      return t.toString();
    }
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(sec, 86_400L));
    int secOfDay = (int) Math.floorMod(sec, 86_400L);
    char[] c = new char[30];
    digits(c, 0, date.getYear(), 4);
    c[4] = '-';
    digits(c, 5, date.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, date.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, secOfDay / 3600, 2);
    c[13] = ':';
    digits(c, 14, secOfDay / 60 % 60, 2);
    c[16] = ':';
    digits(c, 17, secOfDay % 60, 2);
    int n = 19;
    int nano = t.getNano();
    if (nano != 0) {
      c[n++] = '.';
      if (nano % 1_000_000 == 0) {
        digits(c, n, nano / 1_000_000, 3);
        n += 3;
      } else if (nano % 1000 == 0) {
        digits(c, n, nano / 1000, 6);
        n += 6;
      } else {
        digits(c, n, nano, 9);
        n += 9;
      }
    }
    c[n++] = 'Z';
    return new String(c, 0, n);
  }

  /** Equals {@code Instant.parse(text)}, result and exception alike. */
  static Instant parse(String text) {
    int len = text.length();
    if (len < 20
        || len > 30
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(len - 1) != 'Z') {
      return Instant.parse(text);
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 2);
    int day = number(text, 8, 2);
    int hour = number(text, 11, 2);
    int minute = number(text, 14, 2);
    int second = number(text, 17, 2);
    int nano = 0;
    if (len > 20) {
      int digits = len - 21;
      if (text.charAt(19) != '.' || digits < 1 || digits > 9) {
        return Instant.parse(text);
      }
      nano = number(text, 20, digits);
      if (nano >= 0) {
        for (int i = digits; i < 9; i++) {
          nano *= 10;
        }
      }
    }
    if (year < 0
        || month < 0
        || day < 0
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59
        || nano < 0) {
      return Instant.parse(text);
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException invalidDate) {
      return Instant.parse(text);
    }
    return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3600L + minute * 60L + second, nano);
  }

  /**
   * The decimal number in {@code text[from, from + count)}, or -1 if any of those is not an ASCII
   * digit.
   */
  private static int number(String text, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char ch = text.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  private static void digits(char[] c, int at, int value, int count) {
    for (int i = at + count - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
