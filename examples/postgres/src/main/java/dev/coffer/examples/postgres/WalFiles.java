package dev.coffer.examples.postgres;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * PostgreSQL's WAL file names: a segment is {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, then the
 * segment number split in two 8-digit hex halves: {@code segno / segmentsPerId} and {@code segno %
 * segmentsPerId}, where {@code segmentsPerId = 2^32 / segmentSize}); a timeline's history is {@code
 * TTTTTTTT.history}.
 */
final class WalFiles {

  private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
  private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history");

  private WalFiles() {}

  /**
   * A WAL position in PostgreSQL's text form ({@code 16/B374D848}: high and low 32 bits in hex) as
   * a number.
   *
   * @throws IllegalArgumentException if malformed
   */
  static long lsn(String text) {
    int slash = text.indexOf('/');
    if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8) {
      throw new IllegalArgumentException("not a WAL position: '" + text + "'");
    }
    try {
      return Long.parseLong(text.substring(0, slash), 16) << 32
          | Long.parseLong(text.substring(slash + 1), 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a WAL position: '" + text + "'", e);
    }
  }

  /** Whether {@code name} is a WAL segment file name. */
  static boolean isSegment(String name) {
    return SEGMENT.matcher(name).matches();
  }

  /** The timeline of a segment name. */
  static long timeline(String segment) {
    requireSegment(segment);
    return Long.parseLong(segment.substring(0, 8), 16);
  }

  /**
   * The names of every segment from {@code first} to {@code last}, both included, on their
   * timeline.
   *
   * @throws IllegalArgumentException if the names are malformed, on different timelines, out of
   *     order, or the segment size is not a power of two between 1 MiB and 1 GiB (PostgreSQL's
   *     range)
   */
  static List<String> range(String first, String last, long segmentSizeBytes) {
    requireSegment(first);
    requireSegment(last);
    if (Long.bitCount(segmentSizeBytes) != 1
        || segmentSizeBytes < (1L << 20)
        || segmentSizeBytes > (1L << 30)) {
      throw new IllegalArgumentException(
          "WAL segment size must be a power of two from 1 MiB to 1 GiB: " + segmentSizeBytes);
    }
    if (timeline(first) != timeline(last)) {
      throw new IllegalArgumentException(
          "WAL segments " + first + " and " + last + " are on different timelines");
    }
    long perId = (1L << 32) / segmentSizeBytes;
    long from = segmentNumber(first, perId);
    long to = segmentNumber(last, perId);
    if (from > to) {
      throw new IllegalArgumentException("WAL segment " + first + " comes after " + last);
    }
    List<String> names = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      names.add(String.format(Locale.ROOT, "%08X%08X%08X", timeline(first), n / perId, n % perId));
    }
    return names;
  }

  private static long segmentNumber(String segment, long perId) {
    long high = Long.parseLong(segment.substring(8, 16), 16);
    long low = Long.parseLong(segment.substring(16, 24), 16);
    if (low >= perId) {
      throw new IllegalArgumentException(
          "WAL segment " + segment + " does not exist with " + perId + " segments per id");
    }
    return high * perId + low;
  }

  /** The timeline history files ({@code *.history}) in a WAL directory, sorted. */
  static List<Path> histories(Path walDirectory) throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(walDirectory)) {
      for (Path f : files) {
        if (HISTORY.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f)) {
          found.add(f);
        }
      }
    }
    found.sort(null);
    return found;
  }

  private static void requireSegment(String name) {
    if (!isSegment(name)) {
      throw new IllegalArgumentException("not a WAL segment name: '" + name + "'");
    }
  }
}
