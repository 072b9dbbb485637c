package dev.coffer.cli;

import dev.coffer.spi.Capability;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Human-readable sizes, times and durations, and plain-text tables. */
final class Formats {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})([wdhms])");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Formats() {}

  /** Bytes in binary units: {@code 512 B}, {@code 4.2 MiB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }

  /** A capability as users read it: {@code partial-restore}. */
  static String capability(Capability c) {
    return c.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static String time(Instant t) {
    return TIME.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Seconds as {@code 1:05} or {@code 1:02:03}. */
  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }

  /**
   * Parses a retention age: {@code 7d}, {@code 12h}, {@code 30m}, {@code 2w}, {@code 45s},
   * combinations such as {@code 1d12h}, or ISO-8601 ({@code PT12H}, {@code P7D}).
   *
   * @throws IllegalArgumentException if the text is neither
   */
  static Duration duration(String text) {
    String t = text.strip();
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "invalid duration '" + text + "' (ISO-8601 form such as PT12H or P7D expected)");
      }
    }
    Matcher m = SHORT_DURATION.matcher(t);
    Duration d = Duration.ZERO;
    int at = 0;
    while (at < t.length() && m.find(at) && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "w" -> Duration.ofDays(7 * n);
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
              });
      at = m.end();
    }
    if (t.isEmpty() || at != t.length()) {
      throw new IllegalArgumentException(
          "invalid duration '" + text + "' (expected e.g. 7d, 12h, 30m, 1d12h or ISO-8601 PT12H)");
    }
    return d;
  }

  /**
   * Renders rows as left-aligned columns separated by two spaces; numeric columns may be
   * right-aligned.
   */
  static List<String> table(List<String[]> rows, boolean[] rightAligned) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        if (i > 0) {
          sb.append("  ");
        }
        String pad = " ".repeat(width[i] - r[i].length());
        if (rightAligned[i]) {
          sb.append(pad).append(r[i]);
        } else {
          sb.append(r[i]).append(i == cols - 1 ? "" : pad);
        }
      }
      lines.add(sb.toString().stripTrailing());
    }
    return lines;
  }
}
