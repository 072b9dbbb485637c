package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupRequest;
import dev.coffer.SpecialFiles;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * How {@link SourceTree#scan(java.nio.file.Path, ScanOptions)} treats the few entries that are not
 * plain files, directories or links: which symbolic links it follows, what it does with special
 * files, and which entries it leaves out. Providers take them from the request with {@link
 * #of(BackupRequest)}.
 *
 * @param followedLinks patterns of the links to follow once (see {@link
 *     BackupRequest#withFollowedLinks})
 * @param specialFiles skip and report, or refuse, sockets, FIFOs and devices
 * @param excluded patterns of the entries left out, never read (see {@link
 *     BackupRequest#withExcluded})
 */
public record ScanOptions(
    Set<String> followedLinks, SpecialFiles specialFiles, Set<String> excluded) {

  /** Follow no link, skip and report special files, leave nothing out. */
  public static final ScanOptions DEFAULT = new ScanOptions(Set.of(), SpecialFiles.SKIP);

  /**
   * Validates and copies the components.
   *
   * @param followedLinks as described on the record
   * @param specialFiles as described on the record
   * @param excluded as described on the record
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if a pattern is malformed (see {@link #checkLinkPattern} and
   *     {@link #checkExcludedPattern})
   */
  public ScanOptions {
    followedLinks =
        Collections.unmodifiableSet(new TreeSet<>(requireNonNull(followedLinks, "followedLinks")));
    followedLinks.forEach(ScanOptions::checkLinkPattern);
    requireNonNull(specialFiles, "specialFiles");
    excluded = Collections.unmodifiableSet(new TreeSet<>(requireNonNull(excluded, "excluded")));
    excluded.forEach(ScanOptions::checkExcludedPattern);
  }

  /**
   * Options that leave nothing out.
   *
   * @param followedLinks as described on the record
   * @param specialFiles as described on the record
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if a pattern is malformed (see {@link #checkLinkPattern})
   */
  public ScanOptions(Set<String> followedLinks, SpecialFiles specialFiles) {
    this(followedLinks, specialFiles, Set.of());
  }

  /**
   * The options a backup request asks for.
   *
   * @param request the request
   * @return its followed links, special-file policy and exclusions
   */
  public static ScanOptions of(BackupRequest request) {
    return new ScanOptions(request.followedLinks(), request.specialFiles(), request.excluded());
  }

  /**
   * Checks a followed-link pattern: a relative {@code /}-separated path of non-empty components,
   * none of them {@code .} or {@code ..}, no backslash, at most 4096 characters; {@code *} and
   * {@code ?} match within one component.
   *
   * @param pattern the pattern
   * @return the pattern
   * @throws IllegalArgumentException if it is malformed
   */
  public static String checkLinkPattern(String pattern) {
    return checkPattern(pattern, "followed-link");
  }

  /**
   * Checks an exclusion pattern: the same syntax as {@linkplain #checkLinkPattern followed-link
   * patterns}.
   *
   * @param pattern the pattern
   * @return the pattern
   * @throws IllegalArgumentException if it is malformed
   */
  public static String checkExcludedPattern(String pattern) {
    return checkPattern(pattern, "excluded");
  }

  private static String checkPattern(String pattern, String kind) {
    requireNonNull(pattern, "pattern");
    String problem = null;
    if (pattern.isEmpty() || pattern.length() > 4096) {
      problem = "must be 1 to 4096 characters";
    } else if (pattern.startsWith("/")) {
      problem = "must be relative to the source root";
    } else if (pattern.indexOf('\\') >= 0 || pattern.indexOf('\0') >= 0) {
      problem = "must not contain a backslash or NUL";
    } else {
      for (String part : pattern.split("/", -1)) {
        if (part.isEmpty() || part.equals(".") || part.equals("..")) {
          problem = "must not have an empty, '.' or '..' component";
          break;
        }
      }
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          kind + " pattern '" + RelativePaths.printable(pattern) + "' " + problem);
    }
    return pattern;
  }

  /** Whether the link at {@code path} (relative, {@code /}-separated) is to be followed. */
  boolean follows(String path) {
    return anyMatches(followedLinks, path);
  }

  /**
   * Whether the entry at {@code path} (relative, {@code /}-separated) is left out, with all it
   * holds.
   */
  boolean excludes(String path) {
    return anyMatches(excluded, path);
  }

  private static boolean anyMatches(Set<String> patterns, String path) {
    if (patterns.isEmpty()) {
      return false;
    }
    String[] parts = path.split("/", -1);
    for (String pattern : patterns) {
      String[] globs = pattern.split("/", -1);
      if (globs.length == parts.length && allMatch(globs, parts)) {
        return true;
      }
    }
    return false;
  }

  private static boolean allMatch(String[] globs, String[] parts) {
    for (int i = 0; i < globs.length; i++) {
      if (!glob(globs[i], 0, parts[i], 0)) {
        return false;
      }
    }
    return true;
  }

  /** {@code *} matches any run of characters, {@code ?} one character, anything else itself. */
  private static boolean glob(String g, int gi, String s, int si) {
    while (gi < g.length()) {
      char c = g.charAt(gi);
      if (c == '*') {
        for (int k = si; k <= s.length(); k++) {
          if (glob(g, gi + 1, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length() || (c != '?' && c != s.charAt(si))) {
        return false;
      }
      gi++;
      si++;
    }
    return si == s.length();
  }
}
