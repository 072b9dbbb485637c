package dev.coffer.archive;

import dev.coffer.BackupId;
import dev.coffer.NoSuchBackupException;
import dev.coffer.archive.aedb.AedbArchive;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The names in an archive repository directory: the marker file, one {@code <id>.coffer} per
 * backup, aedb's {@code <id>.aedbarc} archives, and the {@code .tmp-<id>} and {@code .lock-<id>}
 * files of backups being written. Only regular files (not links) stored under exactly their name
 * count. Thread-safe (holds only the root).
 */
final class RepositoryLayout {

  static final String MARKER = "coffer-archive-repository";
  private static final byte[] MARKER_CONTENT =
      "coffer archive repository, format 1\n".getBytes(StandardCharsets.US_ASCII);
  private static final Duration STALE_TEMP = Duration.ofHours(1);

  /** Warnings and clean-ups a host should see (docs/observability.md). */
  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");

  private final Path root;

  private RepositoryLayout(Path root) {
    this.root = root;
  }

  /**
   * Creates the directory and its marker if needed; refuses a directory that is neither empty, nor
   * marked, nor a directory of aedb's archives.
   */
  static RepositoryLayout prepare(Path location) throws IOException {
    Path marker = location.resolve(MARKER);
    if (!Files.exists(location, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(location);
    }
    if (!Files.isDirectory(location)) {
      throw new NotDirectoryException(location + " (an archive repository is a directory)");
    }
    if (!Files.exists(marker)) {
      boolean empty;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(location)) {
        empty = !ds.iterator().hasNext();
      }
      if (!empty && !holdsAedbArchives(location)) {
        throw new IOException(
            location
                + " is not an empty directory and holds no "
                + MARKER
                + " file: not an "
                + "archive repository");
      }
      try {
        Files.write(
            marker, MARKER_CONTENT, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException raced) {
        // another instance created it at the same moment
      }
    }
    return new RepositoryLayout(location);
  }

  /** Whether {@code location} holds one of aedb's {@code .aedbarc} archives. */
  static boolean holdsAedbArchives(Path location) throws IOException {
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(location, "*" + AedbArchive.FILE_SUFFIX)) {
      return ds.iterator().hasNext();
    }
  }

  Path root() {
    return root;
  }

  Path archiveOf(String id) {
    return root.resolve(id + Format.FILE_SUFFIX);
  }

  /**
   * Registers and locks backup {@code id} as being written; its temporary file is where it is
   * written until it is complete and renamed to {@link #archiveOf}.
   */
  TemporaryArchive beginTemporary(String id) throws IOException {
    return TemporaryArchive.begin(root, id);
  }

  /** The archive of {@code id}. */
  Path existingArchive(String id) throws NoSuchBackupException {
    if (!BackupId.isValid(id)) {
      throw new NoSuchBackupException(String.valueOf(id));
    }
    Path p = archiveOf(id);
    if (!isArchiveFile(p)) {
      throw new NoSuchBackupException(id);
    }
    return p;
  }

  /** The archive of {@code id}, if there is one. */
  Optional<Path> findArchive(String id) {
    return BackupId.isValid(id) && isArchiveFile(archiveOf(id))
        ? Optional.of(archiveOf(id))
        : Optional.empty();
  }

  /** aedb's archive of {@code id}, if there is one and no Coffer archive of that id. */
  Optional<Path> findAedbArchive(String id) {
    if (!BackupId.isValid(id) || Files.exists(archiveOf(id), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Path p = root.resolve(id + AedbArchive.FILE_SUFFIX);
    return isArchiveFile(p) ? Optional.of(p) : Optional.empty();
  }

  /**
   * The ids of every {@code <id>.coffer} name with a valid id (existence of the file not checked
   * again).
   */
  List<String> archiveIds() throws IOException {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "*" + Format.FILE_SUFFIX)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        String id = name.substring(0, name.length() - Format.FILE_SUFFIX.length());
        if (BackupId.isValid(id)) {
          ids.add(id);
        }
      }
    }
    return ids;
  }

  /** The ids of aedb's archives that {@link #findAedbArchive} finds. */
  List<String> aedbArchiveIds() throws IOException {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "*" + AedbArchive.FILE_SUFFIX)) {
      for (Path p : ds) {
        Optional<String> id = AedbArchive.idOf(p);
        if (id.isPresent() && findAedbArchive(id.get()).isPresent()) {
          ids.add(id.get());
        }
      }
    }
    return ids;
  }

  /**
   * Deletes the temporary and lock files of backups whose writer is gone (crashed or killed: see
   * {@link TemporaryArchive#removeIfAbandoned}), and other temporary files older than an hour. Best
   * effort: a failure leaves the file for the next open; such files are never listed.
   */
  void removeStaleTemporaries(Clock clock) throws IOException {
    FileTime cutoff = FileTime.from(clock.instant().minus(STALE_TEMP));
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(
            root,
            p -> {
              String name = p.getFileName().toString();
              return name.startsWith(Format.TEMP_PREFIX)
                  || name.startsWith(TemporaryArchive.LOCK_PREFIX);
            })) {
      ds.forEach(entries::add);
    }
    Set<String> done = new HashSet<>();
    for (Path p : entries) {
      String name = p.getFileName().toString();
      String id = TemporaryArchive.idOf(name);
      try {
        if (id != null) {
          if (done.add(id) && TemporaryArchive.removeIfAbandoned(root, id)) {
            LOG.log(
                System.Logger.Level.INFO,
                "removed the leftovers of backup {0}, whose writer did not finish",
                id);
          }
        } else if (name.startsWith(Format.TEMP_PREFIX)
            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) < 0
            && Files.deleteIfExists(p)) {
          LOG.log(
              System.Logger.Level.INFO,
              "removed {0}, the temporary file of a backup that did not finish",
              p);
        }
      } catch (IOException ignored) {
        // another instance may be removing it too; else the next open tries again
      }
    }
  }

  /**
   * A regular file (not a link) stored under exactly this name: "ABC.coffer" must not find
   * "abc.coffer".
   */
  private static boolean isArchiveFile(Path p) {
    try {
      return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && FileTrees.existsWithExactName(p);
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
