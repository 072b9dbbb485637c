package dev.coffer.spi;

import dev.coffer.BackupRepository;
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
}
