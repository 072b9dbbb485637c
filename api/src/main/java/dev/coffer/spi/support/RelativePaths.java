package dev.coffer.spi.support;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.Normalizer;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Relative paths as backups store them: {@code /}-separated strings such as {@code wal/000001.log},
 * never a platform {@link Path}. Every path read from storage is untrusted: providers check it with
 * {@link #checkStored} (or {@link #portableProblem} for the stricter portable rules) and turn it
 * into a file with {@link #resolveForWrite}, which refuses to pass through symbolic links.
 *
 * <p>The basic rules, which every stored path obeys: not empty; at most {@value #MAX_PATH_BYTES}
 * UTF-8 bytes and {@value #MAX_DEPTH} components, each at most {@value #MAX_COMPONENT_BYTES} bytes;
 * no empty, {@code .} or {@code ..} component (so no leading, trailing or doubled {@code /}); no
 * backslash; no NUL; no drive letter ({@code C:}) at the start.
 *
 * <p>All methods are thread-safe.
 */
public final class RelativePaths {

  /** The longest relative path accepted, in UTF-8 bytes. */
  public static final int MAX_PATH_BYTES = 4096;

  /** The longest single component accepted, in UTF-8 bytes. */
  public static final int MAX_COMPONENT_BYTES = 255;

  /** The most components a relative path may have. */
  public static final int MAX_DEPTH = 256;

  private static final Pattern WINDOWS_RESERVED =
      Pattern.compile("(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\\..*)?");
  private static final String WINDOWS_FORBIDDEN = "<>:\"|?*";

  /**
   * Orders paths component by component, each component by Unicode code point (which is UTF-8 byte
   * order). A directory sorts before everything below it, and {@code a/b.txt} before {@code
   * a-b.txt}: the order Rust gives {@code PathBuf}s, which the seed's checksum depends on.
   */
  public static final Comparator<String> ORDER = RelativePaths::compare;

  private RelativePaths() {}

  /**
   * Says what is wrong with {@code path} under the basic rules.
   *
   * @param path a candidate relative path
   * @return the reason it is refused, or empty when it is valid
   */
  public static Optional<String> basicProblem(String path) {
    if (path == null || path.isEmpty()) {
      return Optional.of("empty path");
    }
    if (path.indexOf('\0') >= 0) {
      return Optional.of("NUL character in path");
    }
    if (path.indexOf('\\') >= 0) {
      return Optional.of("backslash in path");
    }
    if (path.startsWith("/")) {
      return Optional.of("absolute path");
    }
    if (path.length() >= 2 && path.charAt(1) == ':' && isAsciiLetter(path.charAt(0))) {
      return Optional.of("drive letter in path");
    }
    if (utf8Length(path, 0, path.length()) > MAX_PATH_BYTES) {
      return Optional.of("path longer than " + MAX_PATH_BYTES + " bytes");
    }
    // component by component without splitting: this runs for every file of every backup and
    // manifest
    int components = 1;
    for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      components++;
    }
    if (components > MAX_DEPTH) {
      return Optional.of("path deeper than " + MAX_DEPTH + " components");
    }
    for (int start = 0; start <= path.length(); ) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      int length = end - start;
      if (length == 0) {
        return Optional.of("empty component in path");
      }
      if (path.charAt(start) == '.'
          && (length == 1 || (length == 2 && path.charAt(start + 1) == '.'))) {
        return Optional.of("'" + path.substring(start, end) + "' component in path");
      }
      if (length > MAX_COMPONENT_BYTES / 3 && utf8Length(path, start, end) > MAX_COMPONENT_BYTES) {
        return Optional.of("component longer than " + MAX_COMPONENT_BYTES + " bytes");
      }
      start = end + 1;
    }
    return Optional.empty();
  }

  /**
   * Says what is wrong with {@code path} under the portable rules: the basic rules, and also
   * Unicode NFC form, no control characters, none of {@code < > : " | ? *}, no Windows reserved
   * name ({@code CON}, {@code NUL.txt}, {@code COM1}...) and no component ending in a dot or space.
   * A path that passes can be created on Linux, macOS and Windows file systems alike.
   *
   * @param path a candidate relative path
   * @return the reason it is refused, or empty when it is valid
   */
  public static Optional<String> portableProblem(String path) {
    Optional<String> basic = basicProblem(path);
    if (basic.isPresent()) {
      return basic;
    }
    if (!Normalizer.isNormalized(path, Normalizer.Form.NFC)) {
      return Optional.of("path is not in Unicode NFC form");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        return Optional.of("control character in path");
      }
      if (WINDOWS_FORBIDDEN.indexOf(c) >= 0) {
        return Optional.of("character '" + c + "' not allowed on Windows");
      }
    }
    for (String part : path.split("/", -1)) {
      if (WINDOWS_RESERVED.matcher(part).matches()) {
        return Optional.of("reserved Windows name '" + part + "'");
      }
      if (part.endsWith(".") || part.endsWith(" ")) {
        return Optional.of("component ends with a dot or space");
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a caller-supplied relative path.
   *
   * @param path the path
   * @return the same path
   * @throws IllegalArgumentException if it breaks a basic rule
   */
  public static String requireValid(String path) {
    Optional<String> problem = basicProblem(path);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(
          "invalid relative path '" + printable(path) + "': " + problem.get());
    }
    return path;
  }

  /**
   * Checks a relative path read from storage.
   *
   * @param path the path as stored
   * @param backupId the backup it was read from, for the message
   * @return the same path
   * @throws CorruptBackupException if it breaks a basic rule
   */
  public static String checkStored(String path, String backupId) throws CorruptBackupException {
    Optional<String> problem = basicProblem(path);
    if (problem.isPresent()) {
      throw new CorruptBackupException(
          "hostile or malformed path '"
              + printable(path)
              + "' in backup "
              + backupId
              + ": "
              + problem.get(),
          path);
    }
    return path;
  }

  /**
   * A key under which paths that would name the same file on a case-insensitive or
   * normalization-insensitive file system (macOS, Windows) are equal: NFC, then case-folded.
   *
   * @param path a relative path
   * @return its collision key
   */
  public static String collisionKey(String path) {
    String nfc = Normalizer.normalize(path, Normalizer.Form.NFC);
    return nfc.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }

  /**
   * Finds two paths in {@code paths} that collide under {@link #collisionKey}.
   *
   * @param paths relative paths (files and directories)
   * @return a message naming the first colliding pair, or empty when there is none
   */
  public static Optional<String> findCollision(Collection<String> paths) {
    Map<String, String> seen = new HashMap<>();
    for (String p : paths) {
      String previous = seen.putIfAbsent(collisionKey(p), p);
      if (previous != null) {
        return Optional.of(
            previous.equals(p)
                ? "duplicate path '" + printable(p) + "'"
                : "paths '"
                    + printable(previous)
                    + "' and '"
                    + printable(p)
                    + "' collide on case-insensitive file systems");
      }
    }
    return Optional.empty();
  }

  /**
   * Converts {@code file}, which lies below {@code root}, to a relative path string.
   *
   * @param root the root
   * @param file a path below it (on the same file system)
   * @return the {@code /}-separated relative path
   * @throws IllegalArgumentException if {@code file} is not below {@code root}
   */
  public static String relativize(Path root, Path file) {
    Path rel = root.relativize(file);
    if (rel.toString().isEmpty() || rel.startsWith("..")) {
      throw new IllegalArgumentException(file + " is not below " + root);
    }
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part.toString());
    }
    return sb.toString();
  }

  /**
   * Resolves a stored relative path under {@code root} for writing, one component at a time: every
   * existing parent must be a real directory (a symbolic link or a file there is refused), and,
   * when {@code createParents} is set, missing parents are created. The final component is not
   * examined: create it with {@link java.nio.file.StandardOpenOption#CREATE_NEW} (which never
   * follows a link).
   *
   * @param root the directory to write under (it must exist)
   * @param path a relative path obeying the basic rules
   * @param createParents whether to create missing parent directories
   * @return the file to write
   * @throws CorruptBackupException if the path breaks a basic rule, or a parent is a symbolic link
   *     or not a directory
   * @throws NoSuchFileException if a parent is missing and {@code createParents} is false
   * @throws IOException if a parent cannot be created
   */
  public static Path resolveForWrite(Path root, String path, boolean createParents)
      throws IOException {
    checkStored(path, "(restore)");
    String[] parts = path.split("/");
    Path current = root;
    for (int i = 0; i < parts.length - 1; i++) {
      current = current.resolve(parts[i]);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        if (!createParents) {
          throw e;
        }
        Files.createDirectory(current);
        continue;
      }
      if (attrs.isSymbolicLink()) {
        throw throughLink(path, parts[i]);
      }
      if (!attrs.isDirectory()) {
        throw parentNotDirectory(path, parts[i]);
      }
    }
    return current.resolve(parts[parts.length - 1]);
  }

  static CorruptBackupException throughLink(String path, String parent) {
    return new CorruptBackupException(
        "refusing to write '"
            + printable(path)
            + "' through the symbolic link '"
            + printable(parent)
            + "'",
        path);
  }

  static CorruptBackupException parentNotDirectory(String path, String parent) {
    return new CorruptBackupException(
        "refusing to write '"
            + printable(path)
            + "': parent '"
            + printable(parent)
            + "' is not a directory",
        path);
  }

  /**
   * Whether {@code path} is {@code ancestor} or lies below it.
   *
   * @param ancestor a relative path
   * @param path a relative path
   * @return true when {@code path} equals {@code ancestor} or starts with {@code ancestor + "/"}
   */
  public static boolean isWithin(String ancestor, String path) {
    return path.equals(ancestor) || path.startsWith(ancestor + "/");
  }

  /**
   * Returns every proper ancestor of {@code path}, outermost first ({@code a}, {@code a/b} for
   * {@code a/b/c}).
   *
   * @param path a relative path
   * @return its ancestors
   */
  public static Set<String> ancestors(String path) {
    Set<String> out = new java.util.LinkedHashSet<>();
    int i = path.indexOf('/');
    while (i >= 0) {
      out.add(path.substring(0, i));
      i = path.indexOf('/', i + 1);
    }
    return out;
  }

  static int compare(String a, String b) {
    int ia = 0;
    int ib = 0;
    while (true) {
      int ea = a.indexOf('/', ia);
      int eb = b.indexOf('/', ib);
      int endA = ea < 0 ? a.length() : ea;
      int endB = eb < 0 ? b.length() : eb;
      int c = compareCodePoints(a, ia, endA, b, ib, endB);
      if (c != 0) {
        return c;
      }
      boolean moreA = ea >= 0;
      boolean moreB = eb >= 0;
      if (!moreA || !moreB) {
        return Boolean.compare(moreA, moreB);
      }
      ia = ea + 1;
      ib = eb + 1;
    }
  }

  private static int compareCodePoints(String a, int ia, int endA, String b, int ib, int endB) {
    while (ia < endA && ib < endB) {
      int ca = a.codePointAt(ia);
      int cb = b.codePointAt(ib);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      ia += Character.charCount(ca);
      ib += Character.charCount(cb);
    }
    return Boolean.compare(ia < endA, ib < endB);
  }

  /**
   * The length of {@code s[from, to)} in UTF-8 as {@link String#getBytes} encodes it (a lone
   * surrogate as '?').
   */
  private static int utf8Length(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < to
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n++; // unpaired: the encoder writes '?'
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /**
   * Renders an untrusted path (or any untrusted text) for an exception message: control characters
   * escaped as {@code \\xNN}, text past 300 characters cut with {@code ...}, so a hostile name can
   * neither forge log lines nor flood them.
   *
   * @param path the text, possibly null
   * @return the printable form ({@code "null"} for null)
   */
  public static String printable(String path) {
    if (path == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < path.length() && sb.length() < 300; i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (sb.length() >= 300) {
      sb.append("...");
    }
    return sb.toString();
  }
}
