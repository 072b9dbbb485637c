package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.OwnerPolicy;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The staging directory of a restore, so that a restore changes its target only when it is complete
 * (rules P16 to P18): the provider writes everything into {@link #directory()}, a fresh directory
 * beside the target, verifies it, and calls {@link #commit()}, which moves it into place. {@link
 * #close()} removes the staging directory if the restore did not commit, leaving the target exactly
 * as it was.
 *
 * <pre>{@code
 * try (RestoreStaging staging = RestoreStaging.begin(request)) {
 *   staging.createDirectory("wal", staging.attributes().directoryAttributes(posix));
 *   try (FileChannel out = staging.newFile("wal/000001.log", staging.attributes().fileAttributes(posix))) {
 *     copyAndVerify(stored, out);
 *   }
 *   staging.commit();
 * }
 * }</pre>
 *
 * <p>Every write of the restore goes through this object, never through the staging directory's
 * name: a process that can write the target's parent could rename the staging directory away and
 * put a link to its own directory in its place. The staging directory has an unguessable name (128
 * random bits); where the file system has a {@link java.nio.file.SecureDirectoryStream} (the
 * default file system on Linux and macOS) files are created, timed, given modes and owners relative
 * to the open directory, and directories and links (which Java can only create by name) are looked
 * up through it after they are made; elsewhere the name is checked to still be this directory (same
 * {@code fileKey}, not a link) before and after each operation. {@link #commit()} moves only the
 * directory this staging created. A swap makes the restore fail with a {@link BackupException} and
 * leaves the target as it was; what a swap made the restore create elsewhere is removed again.
 *
 * <p>Where the file system has POSIX permissions the staging directory is created owner-only
 * ({@code 0700}); {@link #commit()} first applies the recorded {@link #attributes()} (modes,
 * owners, and the target directory's own mode), so the published target is complete and nothing was
 * ever more open while the restore ran.
 *
 * <p>In {@link RestoreMode#CREATE} mode the target must be absent or an empty directory. In {@link
 * RestoreMode#REPLACE} mode an existing target is moved aside, the staging directory moved into its
 * place, and the old content deleted; if the second move fails, the old content is moved back.
 * Moves are atomic where the file system supports it. Not thread-safe: one restore, one instance.
 */
public final class RestoreStaging implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path target;
  private final RestoreMode mode;
  private final StagingDirectory staging;
  private final RestoreAttributes attributes;
  private boolean committed;

  private RestoreStaging(
      Path target, RestoreMode mode, StagingDirectory staging, OwnerPolicy owners) {
    this.target = target;
    this.mode = mode;
    this.staging = staging;
    this.attributes = new RestoreAttributes(staging, owners);
  }

  /**
   * Checks the request's target and creates the staging directory beside it, applying the request's
   * mode and owner policy.
   *
   * @param request the restore request
   * @return the staging
   * @throws DirectoryNotEmptyException in {@code CREATE} mode if the target is not empty
   * @throws NotDirectoryException if the target exists but is not a directory (or is a symbolic
   *     link)
   * @throws NoSuchFileException if the target's parent does not exist
   * @throws IOException if the staging directory cannot be created
   */
  public static RestoreStaging begin(RestoreRequest request) throws IOException {
    requireNonNull(request, "request");
    return begin(request.target(), request.mode(), request.owners());
  }

  /**
   * Checks the target and creates the staging directory beside it.
   *
   * @param target the restore's target directory
   * @param mode how an existing target is treated
   * @return the staging
   * @throws DirectoryNotEmptyException in {@code CREATE} mode if the target is not empty
   * @throws NotDirectoryException if the target exists but is not a directory (or is a symbolic
   *     link)
   * @throws NoSuchFileException if the target's parent does not exist
   * @throws IOException if the staging directory cannot be created
   */
  public static RestoreStaging begin(Path target, RestoreMode mode) throws IOException {
    return begin(target, mode, OwnerPolicy.AUTO);
  }

  private static RestoreStaging begin(Path target, RestoreMode mode, OwnerPolicy owners)
      throws IOException {
    requireNonNull(target, "target");
    requireNonNull(mode, "mode");
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null || absolute.getFileName() == null) {
      throw new IllegalArgumentException("cannot restore into a file system root: " + target);
    }
    if (!Files.isDirectory(parent)) {
      throw new NoSuchFileException(
          parent.toString(), null, "restore target's parent directory does not exist");
    }
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
        throw new NotDirectoryException(target + " (restore target exists and is not a directory)");
      }
      if (mode == RestoreMode.CREATE && !FileTrees.isEmptyDirectory(absolute)) {
        throw new DirectoryNotEmptyException(target.toString());
      }
    }
    StagingDirectory staging = StagingDirectory.create(sibling(absolute, "restore"));
    return new RestoreStaging(absolute, mode, staging, owners);
  }

  /**
   * The staging directory's name, for reading and probing only: write through {@link
   * #createDirectory}, {@link #newFile}, {@link #createSymbolicLink} and {@link
   * #setLastModifiedTime}, which never follow a directory swapped in under this name.
   *
   * @return the staging directory
   */
  public Path directory() {
    return staging.path();
  }

  /**
   * Creates the directory {@code path} in the staging directory, and its missing parents (with the
   * file system's default attributes); a directory already there is kept.
   *
   * @param path a relative {@code /}-separated path obeying {@link RelativePaths}' basic rules
   * @param attributes the attributes to create it with, such as {@link
   *     RestoreAttributes#directoryAttributes}
   * @throws dev.coffer.CorruptBackupException if the path breaks a basic rule or a parent is a link
   *     or not a directory
   * @throws java.nio.file.FileAlreadyExistsException if something other than a directory is there
   * @throws BackupException if the staging directory was moved or replaced meanwhile
   * @throws IOException if it cannot be created
   */
  public void createDirectory(String path, FileAttribute<?>... attributes) throws IOException {
    staging.createParents(path);
    BasicFileAttributes existing = staging.attributes(path);
    if (existing == null) {
      staging.createDirectory(path, attributes);
    } else if (!existing.isDirectory() || existing.isSymbolicLink()) {
      throw new FileAlreadyExistsException(
          RelativePaths.printable(path), null, "exists in the staging directory, not a directory");
    }
  }

  /**
   * Creates the new file {@code path} in the staging directory ({@code CREATE_NEW}: never through a
   * link), and its missing parents, and opens it for writing. Where the file system has a {@link
   * java.nio.file.SecureDirectoryStream} the file is created relative to the open staging
   * directory. May be called from several threads.
   *
   * @param path a relative {@code /}-separated path obeying {@link RelativePaths}' basic rules
   * @param attributes the attributes to create it with, such as {@link
   *     RestoreAttributes#fileAttributes}
   * @return the open channel; the caller closes it
   * @throws dev.coffer.CorruptBackupException if the path breaks a basic rule or a parent is a link
   *     or not a directory
   * @throws java.nio.file.FileAlreadyExistsException if something is already there
   * @throws BackupException if the staging directory was moved or replaced meanwhile
   * @throws IOException if it cannot be created
   */
  public FileChannel newFile(String path, FileAttribute<?>... attributes) throws IOException {
    staging.createParents(path);
    return staging.newFile(path, attributes);
  }

  /**
   * Creates the symbolic link {@code path} in the staging directory, and its missing parents.
   *
   * @param path a relative {@code /}-separated path obeying {@link RelativePaths}' basic rules
   * @param linkTarget the link's text, kept as it is
   * @throws dev.coffer.CorruptBackupException if the path breaks a basic rule or a parent is a link
   *     or not a directory
   * @throws java.nio.file.InvalidPathException if this file system cannot represent the link text
   * @throws BackupException if the staging directory was moved or replaced meanwhile
   * @throws IOException if it cannot be created
   */
  public void createSymbolicLink(String path, String linkTarget) throws IOException {
    requireNonNull(linkTarget, "linkTarget");
    staging.createParents(path);
    staging.createSymbolicLink(path, linkTarget);
  }

  /**
   * Sets the last-modified time of the entry {@code path} in the staging directory (a link itself,
   * never what it points to).
   *
   * @param path a relative {@code /}-separated path of an entry already created
   * @param time the time
   * @throws BackupException if the staging directory was moved or replaced meanwhile
   * @throws IOException if it cannot be set
   */
  public void setLastModifiedTime(String path, FileTime time) throws IOException {
    requireNonNull(time, "time");
    staging.setLastModifiedTime(RelativePaths.requireValid(path), time);
  }

  /**
   * Whether the file system of the staging directory takes two different names for one entry: a
   * case-insensitive lookup ({@code a} / {@code A}) or a normalization-insensitive one ({@code é}
   * precomposed / decomposed, or {@code é} / {@code É}), as on macOS and Windows disks. Probed by
   * creating a file through this object and looking its variant up by name; the probe files are
   * removed. A restore asks this before writing anything, to refuse stored paths the target would
   * conflate ({@link RelativePaths#findCollision}).
   *
   * @return {@code true} if any of the probed variants found the probe file
   * @throws BackupException if the staging directory was moved or replaced meanwhile
   * @throws IOException if the probe files cannot be created or looked up
   */
  public boolean conflatesNames() throws IOException {
    return probe(".coffer-probe-a", ".COFFER-PROBE-A")
        || probe(".coffer-probe-\u00e9", ".coffer-probe-e\u0301")
        || probe(".coffer-probe-\u00e9", ".coffer-probe-\u00c9");
  }

  /** Creates {@code name} through the staging object, looks {@code variant} up by name. */
  private boolean probe(String name, String variant) throws IOException {
    Path dir = directory();
    newFile(name).close();
    try {
      return Files.exists(dir.resolve(variant), LinkOption.NOFOLLOW_LINKS);
    } finally {
      Files.deleteIfExists(dir.resolve(name)); // a probe left behind goes with the staging
    }
  }

  /**
   * The POSIX attributes of this restore, applied by {@link #commit()}.
   *
   * @return the attributes collector for this staging directory
   */
  public RestoreAttributes attributes() {
    return attributes;
  }

  /**
   * Applies the recorded {@linkplain #attributes() attributes}, then publishes the staged content
   * as the target.
   *
   * @throws DirectoryNotEmptyException in {@code CREATE} mode if something appeared in the target
   *     since {@link #begin}; nothing is changed
   * @throws BackupException if an owner cannot be set under a policy that requires it; nothing is
   *     changed
   * @throws IOException if the attributes cannot be applied or the content cannot be moved into
   *     place; the target is as it was
   */
  public void commit() throws IOException {
    if (committed) {
      throw new IllegalStateException("already committed");
    }
    attributes.apply();
    staging.verify();
    boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    if (mode == RestoreMode.CREATE || !exists) {
      if (exists) {
        Files.delete(
            target); // fails with DirectoryNotEmptyException if someone wrote into it meanwhile
        try {
          publish();
        } catch (IOException e) {
          try {
            Files.createDirectory(target);
          } catch (IOException again) {
            e.addSuppressed(again);
          }
          throw e;
        }
      } else {
        publish();
      }
    } else {
      Path aside = sibling(target, "old");
      move(target, aside);
      try {
        publish();
      } catch (IOException e) {
        try {
          move(aside, target);
        } catch (IOException again) {
          e.addSuppressed(again);
        }
        throw e;
      }
      // The new content is in place; failing to delete the old copy leaves a visible leftover but
      // loses
      // nothing, so it is not an error of the restore.
      try {
        FileTrees.deleteRecursively(aside);
      } catch (IOException ignored) {
        // left for the user to remove: its name says what it is
      }
    }
    committed = true;
  }

  /**
   * Removes the staging directory unless the restore committed (one moved away by another process
   * is emptied where it is), and closes its handle.
   */
  @Override
  public void close() throws IOException {
    try (StagingDirectory dir = staging) {
      if (!committed) {
        dir.deleteAll();
      }
    }
  }

  /**
   * Moves the staging directory to the target, but only the directory this staging created: when
   * another process swapped something in under its name between the last check and the move, that
   * is moved back and the commit fails.
   */
  private void publish() throws IOException {
    Path name = staging.path();
    move(name, target);
    if (!staging.isAt(target)) {
      BackupException e = StagingDirectory.replaced(name);
      try {
        move(target, name);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static Path sibling(Path target, String purpose) {
    byte[] random = new byte[16]; // 128 bits: a name no other process can guess beforehand
    RANDOM.nextBytes(random);
    return target.resolveSibling(
        "." + target.getFileName() + ".coffer-" + purpose + "-" + HexFormat.of().formatHex(random));
  }
}
