package dev.coffer.store;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds {@link StoreProvider}s with {@link ServiceLoader} and opens stores through them, like
 * {@link dev.coffer.BackupProviders} does for repositories: no global state, each call looks again.
 *
 * <p>Built in: a directory on any {@link java.nio.file.FileSystem} is a store. {@code file:} URIs,
 * and URIs of any installed file system provider that no store provider claims ({@code
 * jimfs://...}), open one; its option is {@code fsync} (default {@code true}: data and directory
 * forced to disk before a write returns). Options may be given in the URI's query ({@code
 * s3://b/p?region=eu-west-1}, values percent-decoded) or in the map, not both.
 *
 * <p>All methods are thread-safe.
 */
public final class ObjectStores {

  private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
  static final List<OptionInfo> FILE_OPTIONS =
      List.of(
          OptionInfo.flag(
              "fsync", "force data and directories to disk before a write returns", true));

  private ObjectStores() {}

  /**
   * Returns the store providers visible to the thread's context class loader (or this class's),
   * sorted by scheme. The built-in directory store is not among them.
   *
   * @return the installed providers
   * @throws IllegalStateException if two providers share a scheme, or a scheme is malformed
   */
  public static List<StoreProvider> installed() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return installed(loader != null ? loader : ObjectStores.class.getClassLoader());
  }

  /**
   * Returns the store providers visible to {@code loader}, sorted by scheme.
   *
   * @param loader the class loader to search
   * @return the installed providers
   * @throws IllegalStateException if two providers share a scheme, or a scheme is malformed
   */
  public static List<StoreProvider> installed(ClassLoader loader) {
    Map<String, StoreProvider> byScheme = new TreeMap<>();
    for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, loader)) {
      String scheme = provider.scheme();
      if (scheme == null || !SCHEME.matcher(scheme).matches()) {
        throw new IllegalStateException(
            "store provider "
                + provider.getClass().getName()
                + " has a malformed scheme '"
                + scheme
                + "' (expected [a-z][a-z0-9+.-]*)");
      }
      StoreProvider previous = byScheme.putIfAbsent(scheme, provider);
      if (previous != null && previous.getClass() != provider.getClass()) {
        throw new IllegalStateException(
            "two store providers serve scheme '"
                + scheme
                + "': "
                + previous.getClass().getName()
                + " and "
                + provider.getClass().getName());
      }
    }
    return List.copyOf(byScheme.values());
  }

  /**
   * Opens the store {@code uri} names.
   *
   * @param uri the store's location, such as {@code s3://bucket/prefix} or {@code
   *     file:///var/store}
   * @param options further options; each may be in the URI's query or here, not both
   * @return the open store
   * @throws IllegalArgumentException if no provider serves the scheme, or the URI or an option is
   *     malformed
   * @throws IOException if the store cannot be opened
   */
  public static ObjectStore open(URI uri, Map<String, String> options) throws IOException {
    requireNonNull(uri, "uri");
    requireNonNull(options, "options");
    if (uri.getScheme() == null) {
      throw new IllegalArgumentException("store URI has no scheme (such as s3: or file:): " + uri);
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    Map<String, String> merged = queryOptions(uri);
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (merged.putIfAbsent(e.getKey(), e.getValue()) != null) {
        throw new IllegalArgumentException(
            "option '" + e.getKey() + "' is given both in the URI and as an option");
      }
    }
    merged = Collections.unmodifiableMap(merged);
    URI bare = withoutQuery(uri);
    List<StoreProvider> providers = installed();
    for (StoreProvider p : providers) {
      if (p.scheme().equals(scheme)) {
        return p.open(bare, merged);
      }
    }
    boolean fileSystem =
        scheme.equals("file")
            || FileSystemProvider.installedProviders().stream()
                .anyMatch(p -> p.getScheme().equalsIgnoreCase(scheme));
    if (!fileSystem) {
      String schemes =
          providers.stream().map(StoreProvider::scheme).collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          "no store provider serves scheme '"
              + scheme
              + "'; installed: file"
              + (schemes.isEmpty() ? "" : ", " + schemes)
              + " and the file systems' schemes");
    }
    ProviderOptions parsed = ProviderOptions.parse("file", FILE_OPTIONS, merged);
    Path root;
    try {
      root = Path.of(bare);
    } catch (FileSystemNotFoundException e) {
      throw new IllegalArgumentException("no open file system for store location " + bare, e);
    }
    return DirectoryStore.open(root, parsed.getBoolean("fsync"));
  }

  /**
   * Opens (creating if needed) a store in the directory {@code root}, on any file system, forcing
   * every write to disk before it returns.
   *
   * @param root the directory that holds the objects
   * @return the open store
   * @throws IOException if the directory cannot be created
   */
  public static ObjectStore directory(Path root) throws IOException {
    requireNonNull(root, "root");
    return DirectoryStore.open(root, true);
  }

  static Map<String, String> queryOptions(URI uri) {
    Map<String, String> options = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (query == null) {
      return options;
    }
    if (query.isEmpty()) {
      throw new IllegalArgumentException("store URI has an empty query");
    }
    for (String pair : query.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "malformed option '" + pair + "' in store URI (expected key=value)");
      }
      // URLDecoder reads '+' as a space; a URI query means a literal plus.
      String key =
          URLDecoder.decode(pair.substring(0, eq).replace("+", "%2B"), StandardCharsets.UTF_8);
      String value =
          URLDecoder.decode(pair.substring(eq + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
      if (options.putIfAbsent(key, value) != null) {
        throw new IllegalArgumentException("option '" + key + "' is given twice in the store URI");
      }
    }
    return options;
  }

  static URI withoutQuery(URI uri) {
    if (uri.getRawQuery() == null) {
      return uri;
    }
    String s = uri.toString();
    try {
      return new URI(s.substring(0, s.indexOf('?')));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed store URI: " + e.getMessage(), e);
    }
  }
}
