package dev.coffer.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The manifest of one archive: what the backup holds (the full state of the source, also for
 * incremental backups) and where each file's bytes are. Doubles as the archive's index: {@link
 * FileEntry#offset()} is the container offset of the file's record in the archive named by {@link
 * FileEntry#archive()}.
 *
 * <p>{@code links} and {@code posix} are additions to format 1 (docs/archive-format.md section 7):
 * they are optional when reading (archives written before them have neither, and restore with
 * default modes) and omitted when writing when there is nothing to record, so an archive of a
 * source without links or POSIX attributes stays readable by every Coffer. A Coffer older than them
 * refuses a manifest holding them (it refuses unknown fields), so it never restores such an archive
 * with wrong modes or without its links.
 */
record Manifest(
    String format,
    String backupId,
    String createdAt,
    String type,
    String baseBackupId,
    String baseArchiveSha256,
    String sourceDir,
    String provider,
    String version,
    Map<String, String> labels,
    long totalFiles,
    long totalBytes,
    List<String> directories,
    List<FileEntry> files,
    List<String> deleted,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<Link> links,
    @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Posix> posix,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<Warning> warnings) {

  static final String FORMAT = "coffer-archive-manifest/1";

  /** The key of the source root's attributes in {@link #posix()}. */
  static final String ROOT = "";

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern MODE = Pattern.compile("[0-7]{4}");

  /** A manifest without links or POSIX attributes (as written before they existed). */
  Manifest(
      String format,
      String backupId,
      String createdAt,
      String type,
      String baseBackupId,
      String baseArchiveSha256,
      String sourceDir,
      String provider,
      String version,
      Map<String, String> labels,
      long totalFiles,
      long totalBytes,
      List<String> directories,
      List<FileEntry> files,
      List<String> deleted) {
    this(
        format,
        backupId,
        createdAt,
        type,
        baseBackupId,
        baseArchiveSha256,
        sourceDir,
        provider,
        version,
        labels,
        totalFiles,
        totalBytes,
        directories,
        files,
        deleted,
        null,
        null,
        null);
  }

  /**
   * Something the backup left out or did not store as found (a skipped socket, for example).
   *
   * @param path relative path in the source
   * @param kind the name of a {@link BackupWarning.Kind}
   * @param detail a short explanation
   */
  record Warning(String path, String kind, String detail) {

    static Warning of(BackupWarning w) {
      return new Warning(w.path(), w.kind().name(), w.detail());
    }

    BackupWarning toWarning() {
      return new BackupWarning(path, BackupWarning.Kind.valueOf(kind), detail);
    }
  }

  /**
   * One symbolic link, stored as its target text and never followed.
   *
   * @param path relative path of the link
   * @param target the link's target exactly as read from the link (relative or absolute)
   */
  record Link(String path, String target) {}

  /**
   * The POSIX attributes of one entry (or of the root, under the key {@link #ROOT}).
   *
   * @param mode permission bits as four octal digits, {@code "0750"} (setuid, setgid and sticky
   *     included)
   * @param uid numeric owner, -1 when unknown
   * @param gid numeric group, -1 when unknown
   * @param owner owner name, null when unknown
   * @param group group name, null when unknown
   */
  record Posix(String mode, int uid, int gid, String owner, String group) {

    static Posix of(PosixAttributes a) {
      return new Posix(a.modeString(), a.uid(), a.gid(), a.owner(), a.group());
    }

    PosixAttributes toAttributes() {
      return new PosixAttributes(permissions(), uid, gid, owner, group);
    }

    /** The mode bits, 0 .. 07777. */
    int permissions() {
      return Integer.parseInt(mode, 8);
    }

    boolean valid() {
      if (mode == null || !MODE.matcher(mode).matches()) {
        return false;
      }
      try {
        toAttributes(); // the API's own rules for ids and names
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }

  /**
   * One regular file.
   *
   * @param path relative path
   * @param size bytes
   * @param mtimeMillis last-modified time, milliseconds since the epoch
   * @param sha256 lowercase hex SHA-256 of the content
   * @param archive the backup whose archive holds the bytes (this one or an ancestor)
   * @param offset container offset of the file's record in that archive
   */
  record FileEntry(
      String path, long size, long mtimeMillis, String sha256, String archive, long offset) {}

  /** The links, empty when the manifest records none. */
  List<Link> linkList() {
    return links == null ? List.of() : links;
  }

  /** The attributes recorded for {@code path} ({@link #ROOT} for the root), null when none are. */
  PosixAttributes posixOf(String path) {
    Posix p = posix == null ? null : posix.get(path);
    return p == null ? null : p.toAttributes();
  }

  BackupMetadata metadata() {
    return new BackupMetadata(
        backupId,
        Instant.parse(createdAt),
        sourceDir,
        totalFiles,
        totalBytes,
        BackupType.valueOf(type),
        baseBackupId,
        provider,
        version,
        labels,
        warnings == null ? List.of() : warnings.stream().map(Warning::toWarning).toList());
  }

  /** Checks every field a reader relies on; paths get their full check in the repository. */
  void validate(String expectedId) throws CorruptBackupException {
    String where = "manifest of backup " + expectedId + ": ";
    if (!FORMAT.equals(format)) {
      throw new CorruptBackupException(where + "unknown format " + format, null);
    }
    if (!expectedId.equals(backupId)) {
      throw new CorruptBackupException(where + "names backup " + backupId, null);
    }
    if (createdAt == null
        || sourceDir == null
        || provider == null
        || version == null
        || labels == null
        || directories == null
        || files == null
        || deleted == null) {
      throw new CorruptBackupException(where + "a required field is missing", null);
    }
    try {
      Instant.parse(createdAt);
    } catch (DateTimeParseException e) {
      throw new CorruptBackupException(where + "malformed created_at", null);
    }
    if ("FULL".equals(type)) {
      if (baseBackupId != null || baseArchiveSha256 != null) {
        throw new CorruptBackupException(where + "a full backup with a base", null);
      }
    } else if ("INCREMENTAL".equals(type)) {
      if (!BackupId.isValid(baseBackupId)
          || baseArchiveSha256 == null
          || !SHA256.matcher(baseArchiveSha256).matches()) {
        throw new CorruptBackupException(
            where + "an incremental backup without a valid base reference", null);
      }
    } else {
      throw new CorruptBackupException(where + "unknown type " + type, null);
    }
    long bytes = 0;
    Set<String> seen = new HashSet<>();
    for (FileEntry f : files) {
      if (f == null || f.path() == null || f.sha256() == null || f.archive() == null) {
        throw new CorruptBackupException(where + "incomplete file entry", null);
      }
      if (f.size() < 0
          || f.offset() < 0
          || !SHA256.matcher(f.sha256()).matches()
          || !BackupId.isValid(f.archive())) {
        throw new CorruptBackupException(
            where + "malformed entry for '" + f.path() + "'", f.path());
      }
      if (!seen.add(f.path())) {
        throw new CorruptBackupException(where + "duplicate path '" + f.path() + "'", f.path());
      }
      bytes += f.size();
    }
    for (String d : directories) {
      if (d == null || !seen.add(d)) {
        throw new CorruptBackupException(where + "duplicate or null directory", d);
      }
    }
    for (Link l : linkList()) {
      if (l == null || l.path() == null || !seen.add(l.path())) {
        throw new CorruptBackupException(
            where + "duplicate or incomplete link entry", l == null ? null : l.path());
      }
      String t = l.target();
      if (t == null
          || t.isEmpty()
          || t.indexOf('\0') >= 0
          || t.getBytes(StandardCharsets.UTF_8).length > Format.MAX_PATH_BYTES) {
        throw new CorruptBackupException(
            where + "link '" + l.path() + "' has a malformed target", l.path());
      }
    }
    if (posix != null) {
      for (Map.Entry<String, Posix> e : posix.entrySet()) {
        if (!ROOT.equals(e.getKey()) && !seen.contains(e.getKey())) {
          throw new CorruptBackupException(
              where + "attributes for '" + e.getKey() + "', which is not in the backup",
              e.getKey());
        }
        if (e.getValue() == null || !e.getValue().valid()) {
          throw new CorruptBackupException(
              where + "malformed attributes for '" + e.getKey() + "'", e.getKey());
        }
      }
    }
    if (files.size() != totalFiles || bytes != totalBytes) {
      throw new CorruptBackupException(where + "totals do not match the file list", null);
    }
    if (warnings != null) {
      for (Warning w : warnings) {
        if (w == null || w.path() == null || w.kind() == null) {
          throw new CorruptBackupException(where + "incomplete warning", null);
        }
      }
    }
    try {
      metadata();
    } catch (RuntimeException e) {
      throw new CorruptBackupException(where + "invalid metadata: " + e.getMessage(), null);
    }
  }

  /**
   * Checks every path of this manifest before anything is written (portable, no collisions, parents
   * are dirs).
   */
  void checkPaths() throws CorruptBackupException {
    Manifest m = this;
    List<String> all = new ArrayList<>();
    Set<String> dirs = new HashSet<>(m.directories());
    for (String d : m.directories()) {
      all.add(d);
    }
    for (Manifest.FileEntry f : m.files()) {
      all.add(f.path());
    }
    for (Manifest.Link l : m.linkList()) {
      all.add(l.path());
    }
    // every parent must be a recorded directory: nothing is ever written below a file or through a
    // link
    for (String p : all) {
      Optional<String> problem = RelativePaths.portableProblem(p);
      if (problem.isPresent()) {
        throw new CorruptBackupException(
            "hostile or malformed path '"
                + RelativePaths.printable(p)
                + "' in backup "
                + m.backupId()
                + ": "
                + problem.get(),
            p);
      }
      for (String a : RelativePaths.ancestors(p)) {
        if (!dirs.contains(a)) {
          throw new CorruptBackupException(
              "path '"
                  + RelativePaths.printable(p)
                  + "' in backup "
                  + m.backupId()
                  + " has a parent that is not a recorded directory: '"
                  + RelativePaths.printable(a)
                  + "'",
              p);
        }
      }
    }
  }
}
