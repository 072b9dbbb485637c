package dev.coffer.examples;

import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The providers the host tests run against, with the options each needs. */
public final class TestRepositories {

  /** A fixed test key for the archive provider (64 hex characters = 256 bits). */
  static final String ARCHIVE_KEY =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  private TestRepositories() {}

  /**
   * The provider names every host test runs against.
   *
   * @return the names
   */
  public static List<String> providers() {
    return List.of("local", "archive");
  }

  /**
   * Opens a repository of {@code provider} at {@code location} with test options.
   *
   * @param provider the provider name
   * @param location the repository directory
   * @return the repository
   * @throws IOException if it cannot be opened
   */
  public static BackupRepository open(String provider, Path location) throws IOException {
    Map<String, String> options =
        switch (provider) {
          case "local" -> Map.of("fsync", "false");
          case "archive" -> Map.of("key", ARCHIVE_KEY);
          default -> Map.of();
        };
    return BackupProviders.open(provider, location, options);
  }
}
