package dev.coffer.archive.v2;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a format-2 repository can live, and how it is opened there: a directory on any file system
 * ({@code coffer:archive:<dir>?format=2}, through a directory store over it) or the root of any
 * {@link ObjectStore} ({@code coffer:archive:s3://bucket/prefix?format=2}). Either way the
 * repository is a {@code coffer-repository} config object and the objects of its backups; a place
 * that holds something else is refused before anything is written.
 */
public final class V2Places {

  private static final String V1_MARKER = "coffer-archive-repository";

  private V2Places() {}

  /**
   * Opens (creating if absent or empty) the format-2 repository in the directory {@code location}:
   * checks the key and mode against its {@code coffer-repository} object before anything else is
   * written, then removes the objects of backups whose writer is gone.
   *
   * @param location the repository directory, on any file system
   * @param settings what the provider decided
   * @param requestedMode the {@code mode} option, or null
   * @return the open repository
   * @throws dev.coffer.WrongKeyException if the key or mode does not match the repository's
   * @throws IOException if the directory is not a format-2 repository or cannot be used
   */
  public static V2Repository inDirectory(Path location, V2Settings settings, String requestedMode)
      throws IOException {
    Objects.requireNonNull(location, "location");
    if (Files.exists(location, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(location)) {
        throw new NotDirectoryException(location + " (an archive repository is a directory)");
      }
      if (Files.exists(location.resolve(V1_MARKER), LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(
            location
                + " is an archive repository of format 1: open it without format=2 (its backups, "
                + "and incrementals on them, stay format 1); for format 2, take a full backup "
                + "into a new repository with format=2");
      }
      if (!holdsRepository(location) && !isEmpty(location)) {
        throw new IOException(
            location
                + " is not an empty directory and holds no "
                + RepositoryConfig.KEY
                + " object: not a format-2 archive repository");
      }
    }
    return V2Repository.open(
        ObjectStores.directory(location), location, location.toString(), settings, requestedMode);
  }

  /**
   * Opens (creating if the store holds no object) the format-2 repository at the root of {@code
   * store}, as {@link #inDirectory} does. The repository owns the store from then on and closes it
   * when it is closed; if this method throws, the store is left open to its caller.
   *
   * @param store the store, such as {@code s3://bucket/prefix}
   * @param settings what the provider decided (the writer locks: {@link StoreWriterLocks})
   * @param requestedMode the {@code mode} option, or null
   * @return the open repository
   * @throws dev.coffer.WrongKeyException if the key or mode does not match the repository's
   * @throws IOException if the store holds objects but no repository config, or cannot be used
   */
  public static V2Repository inStore(ObjectStore store, V2Settings settings, String requestedMode)
      throws IOException {
    String where = store.uri().toString().replaceFirst("/$", "");
    if (!holdsRepository(store) && !store.list("").isEmpty()) {
      throw new IOException(
          where
              + " holds objects but no "
              + RepositoryConfig.KEY
              + " object: not a format-2 archive repository");
    }
    return V2Repository.open(store, null, where, settings, requestedMode);
  }

  /**
   * Whether {@code location} holds a format-2 repository (its config object).
   *
   * @param location a directory, which may be absent
   * @return true when it holds a {@code coffer-repository} object
   */
  public static boolean holdsRepository(Path location) {
    return Files.exists(location.resolve(RepositoryConfig.KEY), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Whether {@code store} holds a format-2 repository (its config object).
   *
   * @param store a store
   * @return true when it holds a {@code coffer-repository} object
   * @throws IOException if the store cannot be read
   */
  public static boolean holdsRepository(ObjectStore store) throws IOException {
    return store.stat(RepositoryConfig.KEY).isPresent();
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      return !ds.iterator().hasNext();
    }
  }
}
