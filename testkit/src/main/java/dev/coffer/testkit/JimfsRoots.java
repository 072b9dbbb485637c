package dev.coffer.testkit;

import static java.util.Objects.requireNonNull;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fresh in-memory file systems for a provider's own tests, the same the conformance suite runs on:
 * Jimfs in its unix, macOS and windows configurations, with or without POSIX attribute views.
 *
 * <pre>{@code
 * Path root = JimfsRoots.of(Fs.WINDOWS);              // C:\work on a new case-insensitive file system
 * Path posix = JimfsRoots.posix(Fs.UNIX);             // /work, with the basic, owner, posix and unix views
 * try (FileSystem fs = root.getFileSystem()) { ... }  // the caller closes it (or lets it be collected)
 * }</pre>
 *
 * <p>Contract: every call creates a new, empty Jimfs file system (never the default file system)
 * and returns its working directory, already created: {@code /work}, or {@code C:\work} on windows.
 * The caller owns the file system. Only the {@code basic} attribute view is on unless {@link
 * #posix} is used; Jimfs stores POSIX permissions and owners but does not enforce them. {@code
 * Configuration.unix()} supports {@code SecureDirectoryStream}, macOS and windows do not; macOS and
 * windows look names up case-insensitively. Thread-safe.
 */
public final class JimfsRoots {

  private JimfsRoots() {}

  /**
   * A fresh Jimfs file system of kind {@code fs} with only the {@code basic} attribute view.
   *
   * @param fs {@link Fs#UNIX}, {@link Fs#OSX} or {@link Fs#WINDOWS}
   * @return its working directory
   * @throws IllegalArgumentException for {@link Fs#DISK}, which is not an in-memory file system
   */
  public static Path of(Fs fs) {
    return of(configuration(fs));
  }

  /**
   * A fresh Jimfs file system of kind {@code fs} with the {@code basic}, {@code owner}, {@code
   * posix} and {@code unix} attribute views, for tests of modes and owners.
   *
   * @param fs {@link Fs#UNIX} or {@link Fs#OSX}
   * @return its working directory
   * @throws IllegalArgumentException for {@link Fs#WINDOWS} (no POSIX attributes there) and {@link
   *     Fs#DISK}
   */
  public static Path posix(Fs fs) {
    if (fs == Fs.WINDOWS) {
      throw new IllegalArgumentException("Jimfs windows has no POSIX attributes");
    }
    return of(configuration(fs), "basic", "owner", "posix", "unix");
  }

  /**
   * A fresh Jimfs file system of the given configuration and attribute views (the configuration's
   * own views when none are given), for what the other factories do not cover (a size limit,
   * another block size).
   *
   * @param configuration the configuration, for example {@code
   *     Configuration.unix().toBuilder().setMaxSize(n).build()}
   * @param attributeViews the attribute views, {@code "basic"} first; the configuration's when
   *     empty
   * @return its working directory: {@code work} below its first root directory
   */
  public static Path of(Configuration configuration, String... attributeViews) {
    requireNonNull(configuration, "configuration");
    Configuration c =
        attributeViews.length == 0
            ? configuration
            : configuration.toBuilder()
                .setAttributeViews(
                    attributeViews[0], Arrays.copyOfRange(attributeViews, 1, attributeViews.length))
                .build();
    FileSystem fs = Jimfs.newFileSystem(c);
    try {
      return Files.createDirectories(fs.getRootDirectories().iterator().next().resolve("work"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the working directory of a new Jimfs", e);
    }
  }

  private static Configuration configuration(Fs fs) {
    switch (requireNonNull(fs, "fs")) {
      case UNIX:
        return Configuration.unix();
      case OSX:
        return Configuration.osX();
      case WINDOWS:
        return Configuration.windows();
      default:
        throw new IllegalArgumentException(fs + " is not an in-memory file system");
    }
  }
}
