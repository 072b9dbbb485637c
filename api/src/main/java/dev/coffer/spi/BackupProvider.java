package dev.coffer.spi;

import dev.coffer.BackupRepository;
import dev.coffer.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The service interface a backup provider implements, discovered with {@link
 * java.util.ServiceLoader} (the way {@code java.sql.Driver} is). Register an implementation in
 * {@code META-INF/services/dev.coffer.spi.BackupProvider} for the class path and with {@code
 * provides dev.coffer.spi.BackupProvider with ...} in {@code module-info.java} for the module path.
 *
 * <p>An implementation has a public no-argument constructor that does no I/O; all work starts in
 * {@link #open}. Implementations are stateless and thread-safe. The full contract, rules P1 to P33,
 * is in the {@linkplain dev.coffer.spi package documentation}.
 *
 * <p>A repository lives either in a directory ({@link #open(Path, Map)}, every provider) or in an
 * {@link ObjectStore} such as an S3 bucket ({@link #open(ObjectStore, Map)}, only providers that
 * implement it; the default refuses). {@link dev.coffer.BackupProviders} picks the one a repository
 * URL's location names.
 */
public interface BackupProvider {

  /**
   * The provider's name, used in repository URLs: lowercase, matching {@code [a-z][a-z0-9-]*},
   * unique among installed providers (rule P2).
   *
   * @return the name, such as {@code local}
   */
  String name();

  /**
   * A one-line human-readable description.
   *
   * @return the description
   */
  String description();

  /**
   * The optional abilities this provider has. A provider refuses the operations of every capability
   * it does not declare with {@link UnsupportedOperationException}, changing nothing.
   *
   * @return the capabilities (an immutable set)
   */
  Set<Capability> capabilities();

  /**
   * Describes every option {@link #open} accepts (like {@code Driver.getPropertyInfo}).
   *
   * @return the options, in the order a user would read them
   */
  List<OptionInfo> options();

  /**
   * Opens the repository at {@code location}, creating an empty one if nothing is there.
   *
   * @param location where the repository lives, on any {@link java.nio.file.FileSystem}
   * @param options option values by name; {@link dev.coffer.spi.support.ProviderOptions#parse}
   *     checks them
   * @return the open repository
   * @throws IllegalArgumentException if an option is unknown, a required one is missing, or a value
   *     is malformed; the message names the option and never contains a secret value
   * @throws IOException if the location cannot be opened or created, or holds something that is not
   *     a repository of this provider
   */
  BackupRepository open(Path location, Map<String, String> options) throws IOException;

  /**
   * Opens the repository kept in {@code store} (for example {@code s3://bucket/prefix}, opened by
   * {@link dev.coffer.store.ObjectStores#open}), creating an empty one if the store holds no
   * object. The rules of {@link #open(Path, Map)} apply, P6 read as "any store".
   *
   * <p><b>Who closes the store.</b> When this method returns, the repository owns {@code store} and
   * closes it when it is closed itself. When it throws, it has not closed the store: the caller
   * still owns it and closes it.
   *
   * <p>The default refuses every store: a provider that keeps repositories on file systems only
   * need not implement this method.
   *
   * @param store the open store that holds (or will hold) the repository's objects
   * @param options option values by name, the store's own options removed; {@link
   *     dev.coffer.spi.support.ProviderOptions#parse} checks them
   * @return the open repository, owning {@code store}
   * @throws IllegalArgumentException if the provider cannot keep a repository in an object store
   *     (the default), or an option is unknown, missing or malformed; the message names the option
   *     and never contains a secret value
   * @throws IOException if the store cannot be read or written, or holds something that is not a
   *     repository of this provider
   */
  default BackupRepository open(ObjectStore store, Map<String, String> options) throws IOException {
    java.util.Objects.requireNonNull(store, "store");
    java.util.Objects.requireNonNull(options, "options");
    throw new IllegalArgumentException(
        "provider '"
            + name()
            + "' keeps repositories on file systems only: it cannot open one in a '"
            + store.uri().getScheme()
            + "' object store");
  }
}
