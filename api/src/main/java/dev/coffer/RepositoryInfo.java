package dev.coffer;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.store.ObjectStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a {@link BackupRepository} is: the provider that opened it, that provider's capabilities,
 * and where the repository lives. A host reads it to choose, for example, between a full and an
 * incremental backup without parsing the URL it opened.
 *
 * <pre>{@code
 * BackupRequest request = repo.info().supports(Capability.INCREMENTAL) && repo.latest().isPresent()
 *     ? BackupRequest.incrementalFromLatest(repo, dataDir)
 *     : BackupRequest.full(dataDir);
 * }</pre>
 *
 * @param provider the provider's {@linkplain BackupProvider#name() name}, such as {@code local}
 * @param capabilities the provider's {@linkplain BackupProvider#capabilities() capabilities}, plus
 *     those only this repository has (such as {@link Capability#REKEY} for a format that can rekey)
 * @param location where the repository lives, for people to read (a path or URI); never holds an
 *     option value, a secret or user information
 */
public record RepositoryInfo(String provider, Set<Capability> capabilities, String location) {

  /**
   * Validates and copies the components.
   *
   * @param provider as described on the record
   * @param capabilities as described on the record
   * @param location as described on the record
   * @throws NullPointerException if a component is null
   */
  public RepositoryInfo {
    requireNonNull(provider, "provider");
    requireNonNull(location, "location");
    capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
  }

  /**
   * Describes a repository that {@code provider} opened at {@code location}. The location is the
   * path's URI without user information, query or fragment, so nothing secret a file system put
   * there shows.
   *
   * @param provider the provider that opened the repository
   * @param location the location it was opened at
   * @return the description
   */
  public static RepositoryInfo of(BackupProvider provider, Path location) {
    return new RepositoryInfo(
        provider.name(), provider.capabilities(), withoutSecrets(location.toUri()));
  }

  /**
   * Describes a repository that {@code provider} opened in an object store. The location is the
   * store's URI without user information, query or fragment.
   *
   * @param provider the provider that opened the repository
   * @param store the store that holds it
   * @return the description
   */
  public static RepositoryInfo of(BackupProvider provider, ObjectStore store) {
    return new RepositoryInfo(
        provider.name(), provider.capabilities(), withoutSecrets(store.uri()));
  }

  /**
   * Whether the repository's provider has {@code capability}.
   *
   * @param capability the capability
   * @return true when the provider declares it
   */
  public boolean supports(Capability capability) {
    return capabilities.contains(requireNonNull(capability, "capability"));
  }

  /**
   * The text of {@code uri} without user information, query or fragment, where a secret could hide.
   */
  static String withoutSecrets(URI uri) {
    if (uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null) {
      return uri.toString();
    }
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null)
          .toString();
    } catch (URISyntaxException e) {
      return uri.getScheme() + ":(location withheld)";
    }
  }
}
