package dev.coffer.local;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupRepository;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code local} provider: each backup is a complete, CRC32C-verified copy of the source
 * directory in its own directory of the repository ({@code <repo>/<backupId>/data/...} beside
 * {@code <repo>/<backupId>/metadata.json}), readable with nothing but a file manager, and
 * compatible with the layout of AmateRS (amaters-core 0.2.0) in both directions.
 *
 * <p>Backups are written under a staging name and published with an atomic rename. Incremental
 * backups hard-link unchanged files from their base, so every backup directory stays a complete
 * snapshot and deleting a base never breaks its dependents. Symbolic links are recorded in the
 * metadata and recreated by restore; the repository itself never contains a link.
 *
 * <p>Options: {@code fsync} (default {@code true}) forces files and directories to disk before a
 * backup or restore is published; {@code compare-crc} (default {@code false}) makes incremental
 * backups also compare the content's CRC32C before reusing a file; {@code hardlinks} (default
 * {@code true}) lets incremental backups hard-link unchanged files instead of copying them; {@code
 * threads} (default: the available processors, at most 4) sets how many threads copy and checksum
 * files (a thread per copied file; verify also reads big files in 8 MiB ranges) for backup, restore
 * and verify (progress is still reported on the calling thread, file by file in order).
 *
 * <p>Stateless and thread-safe; the constructor does no I/O.
 */
public final class LocalBackupProvider implements BackupProvider {

  /** Copies are bounded by memory and disk bandwidth; more than four threads rarely pays. */
  static final int DEFAULT_THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());

  private static final List<OptionInfo> OPTIONS =
      List.of(
          OptionInfo.flag(
              "fsync", "force files and directories to disk before publishing (true/false)", true),
          OptionInfo.flag(
              "compare-crc",
              "incremental backups also compare file content CRC32C before reusing an unchanged file (true/false)",
              false),
          OptionInfo.flag(
              "hardlinks",
              "incremental backups hard-link unchanged files from their base instead of copying them (true/false)",
              true),
          new OptionInfo(
              "threads",
              "threads that copy and checksum files, one per file; verify also splits big files "
                  + "(default: available processors, at most 4)",
              false,
              null,
              false,
              OptionInfo.Type.INTEGER,
              1,
              64),
          ChangedFilesPolicy.CHANGED_FILES,
          ChangedFilesPolicy.CHANGED_RETRIES);

  /** Creates the provider; does no I/O. */
  public LocalBackupProvider() {}

  /**
   * Returns {@code local}.
   *
   * @return the provider's name
   */
  @Override
  public String name() {
    return Layout.NAME;
  }

  /**
   * Describes the provider in one line.
   *
   * @return the description
   */
  @Override
  public String description() {
    return "Plain directory copies with CRC32C per file, atomic commit and hard-linked incrementals";
  }

  /**
   * Returns incremental (independent), timestamps, partial restore and symbolic links.
   *
   * @return the capabilities
   */
  @Override
  public Set<Capability> capabilities() {
    return Set.copyOf(
        EnumSet.of(
            Capability.INCREMENTAL,
            Capability.INDEPENDENT_INCREMENTALS,
            Capability.TIMESTAMPS,
            Capability.PARTIAL_RESTORE,
            Capability.SYMLINKS,
            Capability.POSIX_ATTRIBUTES));
  }

  /**
   * Describes {@code fsync}, {@code compare-crc}, {@code hardlinks} and {@code threads}.
   *
   * @return the options
   */
  @Override
  public List<OptionInfo> options() {
    return OPTIONS;
  }

  /**
   * Opens (creating if absent) the repository directory {@code location}, and removes leftovers of
   * interrupted backups and deletions that no running backup owns.
   *
   * @param location the repository directory
   * @param options option values
   * @return the repository
   * @throws IllegalArgumentException if an option is unknown or malformed
   * @throws IOException if the directory cannot be created or read, or the location is not a
   *     directory
   */
  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    requireNonNull(location, "location");
    ProviderOptions parsed = ProviderOptions.parse(Layout.NAME, OPTIONS, options);
    Settings settings =
        new Settings(
            parsed.getBoolean("fsync"),
            parsed.getBoolean("compare-crc"),
            parsed.getBoolean("hardlinks"),
            parsed.isSet("threads") ? (int) parsed.getLong("threads") : DEFAULT_THREADS,
            ChangedFilesPolicy.of(parsed));
    return LocalRepository.open(location, settings, this);
  }
}
