package dev.coffer.spi.support;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file systems the SPI helpers are tested on. */
enum FileSystems {
  UNIX(Configuration.unix()),
  OSX(Configuration.osX()),
  WINDOWS(Configuration.windows());

  private final Configuration config;

  FileSystems(Configuration config) {
    this.config = config;
  }

  /** A fresh file system and a working directory on it. */
  Path newRoot() throws IOException {
    FileSystem fs =
        Jimfs.newFileSystem(config.toBuilder().setAttributeViews("basic", "posix").build());
    Path root = fs.getRootDirectories().iterator().next().resolve("work");
    Files.createDirectories(root);
    return root;
  }
}
