package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.OwnerPolicy;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
 *   writeAndVerifyEverything(staging.directory(), staging.attributes());
 *   staging.commit();
 * }
 * }</pre>
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
  private final Path staging;
  private final RestoreAttributes attributes;
  private boolean committed;

  private RestoreStaging(Path target, RestoreMode mode, Path staging, OwnerPolicy owners) {
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
    Path staging = sibling(absolute, "restore");
    if (staging.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectory(
          staging,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(staging);
    }
    return new RestoreStaging(absolute, mode, staging, owners);
  }

  /**
   * The directory to restore into.
   *
   * @return the staging directory
   */
  public Path directory() {
    return staging;
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
    boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    if (mode == RestoreMode.CREATE || !exists) {
      if (exists) {
        Files.delete(
            target); // fails with DirectoryNotEmptyException if someone wrote into it meanwhile
        try {
          move(staging, target);
        } catch (IOException e) {
          try {
            Files.createDirectory(target);
          } catch (IOException again) {
            e.addSuppressed(again);
          }
          throw e;
        }
      } else {
        move(staging, target);
      }
    } else {
      Path aside = sibling(target, "old");
      move(target, aside);
      try {
        move(staging, target);
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

  /** Removes the staging directory unless the restore committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      FileTrees.deleteRecursively(staging);
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
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    return target.resolveSibling(
        "." + target.getFileName() + ".coffer-" + purpose + "-" + HexFormat.of().formatHex(random));
  }
}
