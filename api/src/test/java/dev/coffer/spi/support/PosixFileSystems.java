package dev.coffer.spi.support;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * File systems with POSIX attributes (Jimfs with the unix view, and the real disk), and one
 * without.
 */
enum PosixFileSystems {
  JIMFS_UNIX,
  JIMFS_OSX,
  DISK;

  /** A fresh working directory; on the real disk below {@code tmp}. */
  Path newRoot(Path tmp) throws IOException {
    Configuration config =
        switch (this) {
          case JIMFS_UNIX -> Configuration.unix();
          case JIMFS_OSX -> Configuration.osX();
          case DISK -> null;
        };
    if (config == null) {
      return tmp;
    }
    Path root =
        Jimfs.newFileSystem(
                config.toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build())
            .getRootDirectories()
            .iterator()
            .next()
            .resolve("work");
    return Files.createDirectories(root);
  }

  /** A Jimfs windows file system: no POSIX attributes at all. */
  static Path windows() throws IOException {
    Path root =
        Jimfs.newFileSystem(Configuration.windows())
            .getRootDirectories()
            .iterator()
            .next()
            .resolve("work");
    return Files.createDirectories(root);
  }
}
