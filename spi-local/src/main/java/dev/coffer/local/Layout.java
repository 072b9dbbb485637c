package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.BackupId;
import dev.coffer.NoSuchBackupException;
import dev.coffer.spi.support.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The on-disk names of a repository directory of the {@code local} provider, and the provider's
 * name and version as its metadata records them:
 *
 * <pre>
 * &lt;repo&gt;/&lt;backupId&gt;/data/...                 the source's files and directories
 * &lt;repo&gt;/&lt;backupId&gt;/metadata.json            AmateRS's fields plus Coffer's ({@link Manifest})
 * &lt;repo&gt;/&lt;backupId&gt;/metadata.json.crc32c     CRC32C of metadata.json, 8 hex digits
 * &lt;repo&gt;/.staging-&lt;id&gt;/, .lock-&lt;id&gt;          a backup being written, and its owner's lock
 * &lt;repo&gt;/.deleting-&lt;id&gt;-&lt;random&gt;/            a backup being deleted
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
final class Layout {

  /** The provider's name, as {@code provider} fields and {@code coffer:local:...} URLs spell it. */
  static final String NAME = "local";

  /** The {@code version} a backup written by this code records. */
  static final String VERSION = "0.1.0";

  static final String DATA = "data";
  static final String METADATA = "metadata.json";
  static final String SIDECAR = "metadata.json.crc32c";
  static final String STAGING = ".staging-";
  static final String LOCK = ".lock-";
  static final String DELETING = ".deleting-";

  private final Path root;

  Layout(Path root) {
    this.root = root;
  }

  /** The repository directory (absolute, normalized). */
  Path root() {
    return root;
  }

  /** Where backup {@code id} is published; nothing is checked. */
  Path published(String id) {
    return root.resolve(id);
  }

  Path staging(String id) {
    return root.resolve(STAGING + id);
  }

  Path lockFile(String id) {
    return root.resolve(LOCK + id);
  }

  /**
   * The name a backup being deleted goes by ({@code random} keeps two deletions of one id apart).
   */
  Path deleting(String id, String random) {
    return root.resolve(DELETING + id + "-" + random);
  }

  /** The directory of an existing backup. */
  Path backupDir(BackupId id) throws IOException {
    Path dir = existing(id);
    if (dir == null) {
      throw new NoSuchBackupException(id);
    }
    return dir;
  }

  /** The directory of backup {@code id} if it exists under exactly that name, else null. */
  Path existing(BackupId id) throws IOException {
    Path dir = root.resolve(id.value());
    if (!Files.isDirectory(dir, NOFOLLOW_LINKS) || !FileTrees.existsWithExactName(dir)) {
      return null;
    }
    return dir;
  }

  /**
   * Resolves a {@code /}-separated relative path one component at a time (any file system's
   * separator).
   */
  static Path under(Path dir, String relative) {
    Path p = dir;
    for (String part : relative.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
