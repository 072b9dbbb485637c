package dev.coffer;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.OptionInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.StoreProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds {@link BackupProvider}s with {@link ServiceLoader} and opens repositories through them, the
 * way {@code java.sql.DriverManager} finds drivers, but with no global state: nothing is registered
 * or cached, each call looks the providers up again (provider constructors do no I/O, so this is
 * cheap), and tests may pass their own {@link ClassLoader}.
 *
 * <p>A repository URL has the form {@code coffer:<provider>:<location>[?key=value&...]}. The
 * location runs up to the first {@code ?} and is taken literally; query keys and values are
 * percent-decoded. Secret options (keys, passphrases) are refused in URLs because URLs end up in
 * logs and process listings: pass them in the options map. The location is one of:
 *
 * <ul>
 *   <li>a path on the default file system ({@code coffer:local:/var/backups/db});
 *   <li>a URI whose scheme (two or more characters) an installed {@link
 *       dev.coffer.store.StoreProvider} serves, other than {@code file} ({@code
 *       coffer:archive:s3://bucket/prefix?format=2&endpoint=...}): the store is opened with {@link
 *       ObjectStores#open} and handed to the provider's {@link BackupProvider#open(ObjectStore,
 *       Map)}. The options the store provider names in its {@link StoreProvider#options()} go to
 *       the store, every other option to the backup provider (which refuses those it does not
 *       know). The repository closes the store when it is closed; if the provider refuses, the
 *       store is closed at once. A provider that keeps repositories on file systems only refuses
 *       with an {@code IllegalArgumentException};
 *   <li>otherwise a URI of any installed {@link java.nio.file.spi.FileSystemProvider} ({@code
 *       coffer:archive:jimfs://test/repo}, {@code file:///var/backups/db}), opened as a path.
 * </ul>
 *
 * <p>Every repository these methods open reports its backups, restores, verifications, deletions
 * and prunes as JDK Flight Recorder events ({@code dev.coffer.Backup}, {@code dev.coffer.Restore},
 * {@code dev.coffer.Verify}, {@code dev.coffer.Delete}, {@code dev.coffer.Prune}) and as {@code
 * DEBUG} lines on the {@code dev.coffer} {@link System.Logger}, with counts, sizes, duration and
 * outcome but no path or option value (docs/observability.md). A repository obtained from a
 * provider's own {@link BackupProvider#open open} is not observed.
 *
 * <p>All methods are thread-safe.
 */
public final class BackupProviders {

  private static final String URL_PREFIX = "coffer:";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

  private BackupProviders() {}

  /**
   * Returns the providers visible to the thread's context class loader (or, if it has none, to this
   * class's loader), sorted by name.
   *
   * @return the installed providers
   * @throws IllegalStateException if two providers share a name, or a provider's name is malformed
   * @throws java.util.ServiceConfigurationError if a provider cannot be loaded or instantiated
   */
  public static List<BackupProvider> installed() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return installed(loader != null ? loader : BackupProviders.class.getClassLoader());
  }

  /**
   * Returns the providers visible to {@code loader} (class path and named modules), sorted by name.
   *
   * @param loader the class loader to search
   * @return the installed providers
   * @throws IllegalStateException if two providers share a name, or a provider's name is malformed
   * @throws java.util.ServiceConfigurationError if a provider cannot be loaded or instantiated
   */
  public static List<BackupProvider> installed(ClassLoader loader) {
    Map<String, BackupProvider> byName = new TreeMap<>();
    for (BackupProvider provider : ServiceLoader.load(BackupProvider.class, loader)) {
      String name = provider.name();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalStateException(
            "provider "
                + provider.getClass().getName()
                + " has a malformed name '"
                + name
                + "' (expected [a-z][a-z0-9-]*)");
      }
      BackupProvider previous = byName.putIfAbsent(name, provider);
      if (previous != null && previous.getClass() != provider.getClass()) {
        throw new IllegalStateException(
            "two backup providers are named '"
                + name
                + "': "
                + previous.getClass().getName()
                + " and "
                + provider.getClass().getName());
      }
    }
    return List.copyOf(byName.values());
  }

  /**
   * Returns the installed provider named {@code name}.
   *
   * @param name the provider's name, such as {@code local}
   * @return the provider
   * @throws IllegalArgumentException if no installed provider has that name; the message lists
   *     those that are installed
   */
  public static BackupProvider provider(String name) {
    requireNonNull(name, "name");
    List<BackupProvider> all = installed();
    for (BackupProvider p : all) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    String names = all.stream().map(BackupProvider::name).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "no backup provider named '"
            + name
            + "'; installed: "
            + (names.isEmpty() ? "(none)" : names));
  }

  /**
   * Opens (creating if needed) the repository at {@code location} with the provider {@code name}.
   *
   * @param name the provider's name
   * @param location where the repository lives
   * @param options the provider's options (see {@link BackupProvider#options()})
   * @return the open repository
   * @throws IllegalArgumentException if the provider is unknown, or an option is unknown, missing
   *     or malformed
   * @throws IOException if the repository cannot be opened
   */
  public static BackupRepository open(String name, Path location, Map<String, String> options)
      throws IOException {
    requireNonNull(location, "location");
    requireNonNull(options, "options");
    BackupProvider provider = provider(name);
    return ObservedRepository.wrap(provider.open(location, options), provider.name());
  }

  /**
   * Opens the repository a URL names.
   *
   * @param url {@code coffer:<provider>:<location>[?key=value&...]}
   * @return the open repository
   * @throws IllegalArgumentException if the URL is malformed, names an unknown provider or a scheme
   *     no store or file system serves, or carries a secret option; or if the location is an object
   *     store and the provider keeps repositories on file systems only
   * @throws IOException if the store or the repository cannot be opened
   */
  public static BackupRepository open(String url) throws IOException {
    return open(url, Map.of());
  }

  /**
   * Opens the repository a URL names, with more options (for example secrets) from a map.
   *
   * @param url {@code coffer:<provider>:<location>[?key=value&...]}
   * @param options further options; an option may be given in the URL or in the map, not both
   * @return the open repository
   * @throws IllegalArgumentException if the URL is malformed, names an unknown provider or a scheme
   *     no store or file system serves, carries a secret option, or gives an option twice; or if
   *     the location is an object store and the provider keeps repositories on file systems only
   * @throws IOException if the store or the repository cannot be opened
   */
  public static BackupRepository open(String url, Map<String, String> options) throws IOException {
    requireNonNull(options, "options");
    RepositoryUrl parsed = parse(url);
    BackupProvider provider = provider(parsed.provider());
    refuseSecretsInUrl(provider.options(), parsed, "provider '" + provider.name() + "'");
    Map<String, String> merged = new LinkedHashMap<>(parsed.options());
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (merged.putIfAbsent(e.getKey(), e.getValue()) != null) {
        throw new IllegalArgumentException(
            "option '" + e.getKey() + "' is given both in the URL and as an option");
      }
    }
    StoreProvider store = storeProvider(parsed.location());
    BackupRepository repo =
        store == null
            ? provider.open(toPath(parsed.location()), Collections.unmodifiableMap(merged))
            : openInStore(provider, store, parsed, merged);
    return ObservedRepository.wrap(repo, provider.name());
  }

  private static void refuseSecretsInUrl(
      List<OptionInfo> declared, RepositoryUrl parsed, String owner) {
    for (OptionInfo info : declared) {
      if (info.secret() && parsed.options().containsKey(info.name())) {
        throw new IllegalArgumentException(
            "option '"
                + info.name()
                + "' of "
                + owner
                + " is secret and must not be given in a repository URL (URLs are logged); pass it as an option");
      }
    }
  }

  /**
   * The store provider that serves the location's URI scheme, or null when the location is a path:
   * it has no scheme, or {@code file}, or a file system's scheme that no store provider claims.
   */
  static StoreProvider storeProvider(String location) {
    Matcher m = URI_SCHEME.matcher(location);
    if (!m.find()) {
      return null;
    }
    String scheme = location.substring(0, m.end() - 1).toLowerCase(Locale.ROOT);
    if (scheme.equals("file")) {
      return null;
    }
    List<StoreProvider> stores = ObjectStores.installed();
    for (StoreProvider s : stores) {
      if (s.scheme().equals(scheme)) {
        return s;
      }
    }
    if (FileSystemProvider.installedProviders().stream()
        .anyMatch(p -> p.getScheme().equalsIgnoreCase(scheme))) {
      return null;
    }
    String schemes = stores.stream().map(StoreProvider::scheme).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "no store provider and no file system serves scheme '"
            + scheme
            + "' of the repository location; installed stores: "
            + (schemes.isEmpty() ? "(none)" : schemes)
            + " (the s3 store is the coffer-store-s3 module)");
  }

  /**
   * Opens the store the location names with the options its provider names, and the repository in
   * it with the others; closes the store if the provider refuses.
   */
  private static BackupRepository openInStore(
      BackupProvider provider,
      StoreProvider storeProvider,
      RepositoryUrl parsed,
      Map<String, String> merged)
      throws IOException {
    refuseSecretsInUrl(storeProvider.options(), parsed, "store '" + storeProvider.scheme() + "'");
    Set<String> storeNames = new HashSet<>();
    storeProvider.options().forEach(info -> storeNames.add(info.name()));
    Map<String, String> storeOptions = new LinkedHashMap<>();
    Map<String, String> providerOptions = new LinkedHashMap<>();
    merged.forEach((k, v) -> (storeNames.contains(k) ? storeOptions : providerOptions).put(k, v));
    ObjectStore store = ObjectStores.open(locationUri(parsed.location()), storeOptions);
    try {
      return provider.open(store, Collections.unmodifiableMap(providerOptions));
    } catch (IOException | RuntimeException | Error e) {
      try {
        store.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * A parsed repository URL. Package-private: callers use {@link #open(String)}.
   *
   * @param provider the provider name
   * @param location the location, literally
   * @param options the decoded query options
   */
  record RepositoryUrl(String provider, String location, Map<String, String> options) {}

  static RepositoryUrl parse(String url) {
    requireNonNull(url, "url");
    if (!url.startsWith(URL_PREFIX)) {
      throw new IllegalArgumentException(
          "repository URL must start with 'coffer:' (the URL is not shown: it may hold"
              + " a secret pasted by mistake)");
    }
    String rest = url.substring(URL_PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "repository URL must have the form coffer:<provider>:<location>[?key=value&...]; no ':' after the provider");
    }
    String provider = rest.substring(0, colon);
    if (!NAME.matcher(provider).matches()) {
      throw new IllegalArgumentException(
          "malformed provider name '"
              + provider
              + "' in repository URL (expected [a-z][a-z0-9-]*)");
    }
    String locationAndQuery = rest.substring(colon + 1);
    int q = locationAndQuery.indexOf('?');
    String location = q < 0 ? locationAndQuery : locationAndQuery.substring(0, q);
    if (location.isEmpty()) {
      throw new IllegalArgumentException("repository URL coffer:" + provider + ": has no location");
    }
    if (location.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("repository location contains a NUL character");
    }
    Map<String, String> options = new LinkedHashMap<>();
    if (q >= 0) {
      String query = locationAndQuery.substring(q + 1);
      if (query.isEmpty()) {
        throw new IllegalArgumentException("repository URL has an empty query after '?'");
      }
      String[] pairs = query.split("&", -1);
      for (int i = 0; i < pairs.length; i++) {
        String pair = pairs[i];
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          // the pair is not echoed: "key:0a1b..." instead of "key=..." would print the secret
          // itself
          throw new IllegalArgumentException(
              "malformed option #"
                  + (i + 1)
                  + " of "
                  + pairs.length
                  + " in repository URL (expected name=value, separated by '&'; the text is not shown)");
        }
        String key = percentDecode(pair.substring(0, eq));
        String value = percentDecode(pair.substring(eq + 1));
        if (key.isEmpty()) {
          throw new IllegalArgumentException("empty option name in repository URL");
        }
        if (options.putIfAbsent(key, value) != null) {
          throw new IllegalArgumentException(
              "option '" + key + "' is given twice in the repository URL");
        }
      }
    }
    return new RepositoryUrl(provider, location, Collections.unmodifiableMap(options));
  }

  static Path toPath(String location) {
    if (URI_SCHEME.matcher(location).find()) {
      URI uri = locationUri(location);
      try {
        return Path.of(uri);
      } catch (FileSystemNotFoundException e) {
        throw new IllegalArgumentException(
            "no open file system for repository location " + location, e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "no installed file system provider accepts repository location "
                + location
                + ": "
                + e.getMessage(),
            e);
      }
    }
    try {
      return Path.of(location);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("invalid repository location: " + e.getMessage(), e);
    }
  }

  private static URI locationUri(String location) {
    try {
      return new URI(location);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "malformed location URI in repository URL: " + e.getMessage(), e);
    }
  }

  private static String percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("truncated percent-escape in repository URL option");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("malformed percent-escape in repository URL option");
        }
        out.write((hi << 4) | lo);
        i += 2;
      } else {
        int next = s.indexOf('%', i);
        int end = next < 0 ? s.length() : next;
        byte[] literal = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(literal, 0, literal.length);
        i = end - 1;
      }
    }
    byte[] bytes = out.toByteArray();
    String decoded = new String(bytes, StandardCharsets.UTF_8);
    if (!java.util.Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), bytes)) {
      throw new IllegalArgumentException(
          "percent-escapes in repository URL option are not valid UTF-8");
    }
    if (decoded.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("repository URL option contains a NUL character");
    }
    return decoded;
  }
}
