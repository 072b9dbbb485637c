package dev.coffer.archive.v2;

import dev.coffer.BackupId;
import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The JSON manifest of one version-2 archive (sealed by {@link ManifestSealer}): the full state of
 * the source (also for an incremental), each file as a {@link BlockTable} into the archives of the
 * chain.
 *
 * <p>{@code archives} is the chain table without the manifest's own archive: entry {@code i} is
 * block-table archive index {@code i + 1}. Each entry binds its archive by the SHA-256 of its
 * sealed manifest, which its commit also states; so the tip's authenticated manifest fixes the
 * whole chain. Every field is written, the optional ones as {@code null}; a reader refuses unknown
 * and missing fields.
 *
 * @param format {@link #FORMAT}
 * @param backupId the backup this manifest belongs to
 * @param archiveId the archive id (as in the commit)
 * @param createdAt RFC 3339 instant
 * @param type {@code FULL} or {@code INCREMENTAL}
 * @param baseBackupId the base of an incremental, null for a full backup
 * @param scanStartedNs when the scan started, nanoseconds since the epoch (the racily-clean rule's
 *     reference)
 * @param granularityNs the timestamp granularity the writer assumed, in nanoseconds
 * @param blockSize the block size of this archive
 * @param archives the chain table after index 0 (empty for a full backup)
 * @param rootPosix the source root's attributes, null when unknown
 * @param directories the directories
 * @param files the regular files
 * @param links the symbolic links
 */
record V2Manifest(
    String format,
    String backupId,
    String archiveId,
    String createdAt,
    String type,
    String baseBackupId,
    long scanStartedNs,
    long granularityNs,
    int blockSize,
    List<ChainEntry> archives,
    Posix rootPosix,
    List<Dir> directories,
    List<FileEntry> files,
    List<Link> links) {

  static final String FORMAT = "coffer-archive-manifest/2";
  static final String FULL = "FULL";
  static final String INCREMENTAL = "INCREMENTAL";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern MODE = Pattern.compile("[0-7]{4}");
  private static final int MAX_FILE_KEY = 256;

  /**
   * One base archive of the chain.
   *
   * @param backupId its backup id (names its objects)
   * @param archiveId its archive id
   * @param manifestSha256 lowercase hex SHA-256 of its sealed manifest
   */
  record ChainEntry(String backupId, String archiveId, String manifestSha256) {}

  /**
   * POSIX attributes (issue 14's fields, as in version 1).
   *
   * @param mode four octal digits
   * @param uid numeric owner, -1 when unknown
   * @param gid numeric group, -1 when unknown
   * @param user owner name or null
   * @param group group name or null
   */
  record Posix(String mode, int uid, int gid, String user, String group) {
    static Posix of(PosixAttributes a) {
      return a == null ? null : new Posix(a.modeString(), a.uid(), a.gid(), a.owner(), a.group());
    }

    PosixAttributes toAttributes() {
      return new PosixAttributes(Integer.parseInt(mode, 8), uid, gid, user, group);
    }

    boolean valid() {
      if (mode == null || !MODE.matcher(mode).matches()) {
        return false;
      }
      try {
        toAttributes();
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }

  /**
   * A directory.
   *
   * @param path relative path
   * @param posix attributes or null
   */
  record Dir(String path, Posix posix) {}

  /**
   * A symbolic link, never followed.
   *
   * @param path relative path
   * @param target the target text as read
   */
  record Link(String path, String target) {}

  /**
   * A regular file.
   *
   * @param path relative path
   * @param size bytes
   * @param mtimeNs last-modified time, nanoseconds since the epoch
   * @param ctimeNs change time in nanoseconds where the file system has it, else null
   * @param fileKey the file system's file key (device and inode) as text, else null
   * @param posix attributes or null
   * @param sha256 hex hash list of its blocks ({@link BlockTable#contentHash})
   * @param blocks its {@link BlockTable}
   */
  record FileEntry(
      String path,
      long size,
      long mtimeNs,
      Long ctimeNs,
      String fileKey,
      Posix posix,
      String sha256,
      String blocks) {

    byte[] contentHash() {
      return HexFormat.of().parseHex(sha256);
    }

    /** The most blocks a file of this size can have at this block size. */
    int maxBlocks(int blockSize) {
      long n = size / blockSize + (size % blockSize == 0 ? 0 : 1);
      return (int) Math.min(Integer.MAX_VALUE, n);
    }

    List<BlockRef> refs(int chainSize, int blockSize) throws CorruptBackupException {
      return BlockTable.decode(path, blocks, chainSize, maxBlocks(blockSize));
    }
  }

  UUID archiveUuid() {
    return UUID.fromString(archiveId);
  }

  Instant created() {
    return Instant.parse(createdAt);
  }

  /** The size of the chain table, index 0 included. */
  int chainSize() {
    return archives.size() + 1;
  }

  /**
   * Checks every field a reader relies on, paths included (a path read from storage is never
   * trusted).
   */
  void validate(String expectedId) throws CorruptBackupException {
    String where = "manifest of backup " + expectedId + ": ";
    if (!FORMAT.equals(format)) {
      throw corrupt(where + "unknown format");
    }
    if (!expectedId.equals(backupId)) {
      throw corrupt(where + "names another backup");
    }
    if (archiveId == null
        || createdAt == null
        || archives == null
        || directories == null
        || files == null
        || links == null
        || !V2Format.validBlockSize(blockSize)
        || granularityNs < 0) {
      throw corrupt(where + "a required field is missing or out of range");
    }
    try {
      UUID.fromString(archiveId);
      Instant.parse(createdAt);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw corrupt(where + "malformed archive_id or created_at");
    }
    boolean full = FULL.equals(type) && baseBackupId == null && archives.isEmpty();
    boolean incremental =
        INCREMENTAL.equals(type)
            && BackupId.isValid(String.valueOf(baseBackupId))
            && !archives.isEmpty()
            && archives.get(0).backupId().equals(baseBackupId);
    if (!full && !incremental) {
      throw corrupt(where + "inconsistent type, base and chain table");
    }
    if (archives.size() >= V2Format.MAX_CHAIN) {
      throw corrupt(where + "chain table of " + archives.size() + " bases");
    }
    Set<String> chainIds = new HashSet<>();
    for (ChainEntry c : archives) {
      if (c == null
          || c.backupId() == null
          || !CommitStatement.validBackupId(c.backupId())
          || c.archiveId() == null
          || c.manifestSha256() == null
          || !SHA256.matcher(c.manifestSha256()).matches()
          || !chainIds.add(c.backupId())) {
        throw corrupt(where + "malformed chain table entry");
      }
      try {
        UUID.fromString(c.archiveId());
      } catch (IllegalArgumentException e) {
        throw corrupt(where + "malformed chain table archive id");
      }
    }
    if (rootPosix != null && !rootPosix.valid()) {
      throw corrupt(where + "malformed root attributes");
    }
    Set<String> seen = new HashSet<>();
    for (Dir d : directories) {
      if (d == null) {
        throw corrupt(where + "null directory");
      }
      checkPath(d.path(), seen, expectedId);
      if (d.posix() != null && !d.posix().valid()) {
        throw new CorruptBackupException(where + "malformed attributes of a directory", d.path());
      }
    }
    for (FileEntry f : files) {
      if (f == null) {
        throw corrupt(where + "null file entry");
      }
      checkPath(f.path(), seen, expectedId);
      if (f.size() < 0
          || f.sha256() == null
          || !SHA256.matcher(f.sha256()).matches()
          || f.blocks() == null
          || (f.fileKey() != null && f.fileKey().length() > MAX_FILE_KEY)
          || (f.posix() != null && !f.posix().valid())) {
        throw new CorruptBackupException(
            where + "malformed entry for '" + RelativePaths.printable(f.path()) + "'", f.path());
      }
    }
    Set<String> leaves = new HashSet<>();
    for (Link l : links) {
      if (l == null || l.target() == null || l.target().isEmpty()) {
        throw corrupt(where + "malformed link");
      }
      checkPath(l.path(), seen, expectedId);
      leaves.add(l.path());
    }
    for (FileEntry f : files) {
      leaves.add(f.path());
    }
    for (String path : seen) {
      for (String ancestor : RelativePaths.ancestors(path)) {
        if (leaves.contains(ancestor)) {
          throw new CorruptBackupException(
              where + "'" + RelativePaths.printable(path) + "' lies below a file or link", path);
        }
      }
    }
  }

  private static void checkPath(String path, Set<String> seen, String backupId)
      throws CorruptBackupException {
    if (path == null) {
      throw corrupt("manifest of backup " + backupId + ": an entry without a path");
    }
    RelativePaths.checkStored(path, backupId);
    if (!seen.add(path)) {
      throw new CorruptBackupException(
          "manifest of backup " + backupId + " names '" + RelativePaths.printable(path) + "' twice",
          path);
    }
  }

  private static CorruptBackupException corrupt(String message) {
    return new CorruptBackupException(message, null);
  }
}
