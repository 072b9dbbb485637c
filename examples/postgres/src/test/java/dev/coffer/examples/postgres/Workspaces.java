package dev.coffer.examples.postgres;

import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The repositories the PostgreSQL tests back up into: each provider with its test options. */
final class Workspaces {

  /** A fixed 256-bit test key for the archive provider. */
  private static final String TEST_KEY =
      "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";

  private Workspaces() {}

  /**
   * Opens a repository of {@code provider} in {@code location}: local without fsync, archive with a
   * key ({@code archive-format-2}: archive format 2 with a key).
   */
  static BackupRepository repository(String provider, Path location) throws IOException {
    if ("archive-format-2".equals(provider)) {
      return BackupProviders.open("archive", location, Map.of("key", TEST_KEY, "format", "2"));
    }
    Map<String, String> options =
        "archive".equals(provider) ? Map.of("key", TEST_KEY) : Map.of("fsync", "false");
    return BackupProviders.open(provider, location, options);
  }

  /** Removes a test workspace, clusters and repositories included. */
  static void remove(Path workspace) throws IOException {
    if (workspace != null) {
      PostgresBackupSource.deleteTree(workspace);
    }
  }
}
