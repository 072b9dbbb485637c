package dev.coffer.store;

import dev.coffer.spi.OptionInfo;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The service interface an object store implements, discovered with {@link java.util.ServiceLoader}
 * by URI scheme ({@code s3}), the way {@link dev.coffer.spi.BackupProvider} is by name. Register an
 * implementation in {@code META-INF/services/dev.coffer.store.StoreProvider} for the class path and
 * with {@code provides dev.coffer.store.StoreProvider with ...} for the module path.
 *
 * <p>An implementation has a public no-argument constructor that does no I/O, is stateless and
 * thread-safe. Secrets (credentials) never come through {@link #open}'s URI or options: a store
 * takes them from its platform's usual place (for S3, the SDK's default credential chain).
 */
public interface StoreProvider {

  /**
   * The URI scheme this provider serves, lowercase ({@code s3}); unique among installed providers.
   *
   * @return the scheme
   */
  String scheme();

  /**
   * A one-line human-readable description.
   *
   * @return the description
   */
  String description();

  /**
   * Describes every option {@link #open} accepts.
   *
   * @return the options, in the order a user would read them
   */
  List<OptionInfo> options();

  /**
   * Opens the store at {@code uri}. May contact the store to check that it exists and is reachable.
   *
   * @param uri the store's location, with this provider's scheme and no query
   * @param options option values by name, checked with {@link
   *     dev.coffer.spi.support.ProviderOptions#parse}
   * @return the open store
   * @throws IllegalArgumentException if the URI is malformed for this scheme, or an option is
   *     unknown, missing or malformed
   * @throws IOException if the store cannot be reached or does not exist
   */
  ObjectStore open(URI uri, Map<String, String> options) throws IOException;
}
