package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupWarning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells whether a source file stayed the same while a provider read it, so that a backup never
 * records a torn file silently (rule P34). Take one with {@link #before} just before the file is
 * opened, read it, then call {@link #after} with the number of bytes actually read:
 *
 * <pre>{@code
 * Optional<BackupWarning> change;
 * try {
 *   ReadCheck check = ReadCheck.before(file, entry);  // entry: the file's SourceEntry from the scan
 *   long read = copy(file);                           // opened with NOFOLLOW_LINKS
 *   change = check.after(read);
 * } catch (NoSuchFileException e) {                   // thrown by before() or by opening the source
 *   change = Optional.of(ReadCheck.vanished(entry));  // not stored
 * }
 * }</pre>
 *
 * <p>What counts as a change: the size, modification time, file key (a file replaced by another
 * under the same name after the scan) or change time differ from the scan's ({@link SourceEntry};
 * the last two where the scan recorded them) when the read starts; the size, modification time (to
 * the nanosecond the file system keeps), change time ({@code unix:ctime}, where the file system has
 * it; Jimfs and Windows do not, and the other attributes are compared there) or file key (the
 * file's identity: a file replaced by another under the same name) differ between the start and the
 * end of the read; the file is deleted, or replaced by something that is not a regular file, while
 * read; fewer bytes were read than it held (a short read) or more (a read past its size).
 * Attributes are read without following links: a file replaced by a link is a change, never
 * followed.
 *
 * <p>Not thread-safe; one per read. The checks cost two attribute reads per file.
 */
public final class ReadCheck {

  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  /** The attributes of one file at one moment; {@code ctime} and {@code fileKey} may be null. */
  private record Stat(
      boolean regular, long size, FileTime modified, Object ctime, Object fileKey) {}

  private final Path file;
  private final SourceEntry scanned;
  private final Stat start;
  private final String beforeRead;
  private FileTime lastSeen;
  private FileTime endModified;

  private ReadCheck(Path file, SourceEntry scanned, Stat start, String beforeRead) {
    this.file = file;
    this.scanned = scanned;
    this.start = start;
    this.beforeRead = beforeRead;
    this.lastSeen = start.modified();
  }

  /**
   * Records {@code file}'s attributes just before it is read and compares them with the scan's.
   *
   * @param file the source file about to be read
   * @param scanned its entry from the scan ({@link SourceTree#files()})
   * @return the check, to be completed with {@link #after}
   * @throws NoSuchFileException if the file is gone: report {@link #vanished(SourceEntry)}
   * @throws IllegalArgumentException if the entry is not a regular file's
   * @throws IOException if its attributes cannot be read
   */
  public static ReadCheck before(Path file, SourceEntry scanned) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(scanned, "scanned");
    if (scanned.type() != SourceEntry.Type.FILE) {
      throw new IllegalArgumentException(
          "not a regular file's entry: " + RelativePaths.printable(scanned.path()));
    }
    Stat now = stat(file);
    String reason = null;
    if (!now.regular()) {
      reason = "replaced by something that is not a regular file after the scan";
    } else if (now.size() != scanned.sizeBytes()) {
      reason = "size " + scanned.sizeBytes() + " -> " + now.size() + " bytes after the scan";
    } else if (!now.modified().toInstant().equals(scanned.lastModified())) {
      reason =
          "modified after the scan ("
              + scanned.lastModified()
              + " -> "
              + now.modified().toInstant()
              + ")";
    } else if (scanned.fileKey() != null
        && now.fileKey() != null
        && !scanned.fileKey().equals(now.fileKey())) {
      reason = "replaced by another file after the scan";
    } else if (scanned.changeTime() != null
        && now.ctime() != null
        && !scanned.changeTime().equals(now.ctime())) {
      reason = "changed after the scan (ctime " + scanned.changeTime() + " -> " + now.ctime() + ")";
    }
    return new ReadCheck(file, scanned, now, reason);
  }

  /**
   * Records {@code file}'s attributes before it is read again, after a check found it changed (rule
   * P34's {@code retry}): the scan's attributes are stale by then, so only this read is checked,
   * from its start to its end, with the bytes it returned. The provider stores what this read
   * returned, with its size.
   *
   * @param file the source file about to be read again
   * @param scanned its entry from the scan, for its path
   * @return the check, to be completed with {@link #after}
   * @throws NoSuchFileException if the file is gone: report {@link #vanished(SourceEntry)}
   * @throws IllegalArgumentException if the entry is not a regular file's
   * @throws IOException if its attributes cannot be read
   */
  public static ReadCheck reread(Path file, SourceEntry scanned) throws IOException {
    ReadCheck first = before(file, scanned);
    return new ReadCheck(
        file, scanned, first.start, first.start.regular() ? null : first.beforeRead);
  }

  /**
   * Completes the check once the file is read and closed.
   *
   * @param bytesRead how many bytes the read returned in all
   * @return empty when the file stayed the same from the scan to the end of the read; otherwise a
   *     {@link BackupWarning.Kind#CHANGED_WHILE_READ} warning whose detail says what changed
   * @throws IllegalArgumentException if {@code bytesRead} is negative
   * @throws IOException if the attributes cannot be read (other than because the file is gone,
   *     which is a change)
   */
  public Optional<BackupWarning> after(long bytesRead) throws IOException {
    if (bytesRead < 0) {
      throw new IllegalArgumentException("negative bytes read: " + bytesRead);
    }
    String during = compare(bytesRead); // also when it changed before: lastModified() is then fresh
    lastSeen = during == null ? endModified : FileTime.from(scanned.lastModified());
    String reason = beforeRead != null ? beforeRead : during;
    return reason == null
        ? Optional.empty()
        : Optional.of(
            new BackupWarning(scanned.path(), BackupWarning.Kind.CHANGED_WHILE_READ, reason));
  }

  /**
   * The modification time of the version read, which a backup records and a restore sets. Once
   * {@link #after} ran: the time seen at the end of the read when the file stayed the same during
   * it (also when it had changed between the scan and the read: the scan's time is then stale);
   * when it changed during the read, no time describes the bytes read and this is the scan's, so
   * that an incremental backup that trusts times never takes those bytes for a later version.
   * Before {@link #after}: the time seen just before the read.
   *
   * @return the modification time of the version read
   */
  public Instant lastModified() {
    return lastSeen.toInstant();
  }

  private String compare(long bytesRead) throws IOException {
    Stat end;
    try {
      end = stat(file);
    } catch (NoSuchFileException e) {
      return "deleted while it was read";
    }
    endModified = end.modified();
    if (!Objects.equals(start.fileKey(), end.fileKey()) || !end.regular()) {
      return "replaced by another file while it was read";
    }
    if (end.size() != start.size()) {
      return "size " + start.size() + " -> " + end.size() + " bytes while it was read";
    }
    if (bytesRead < start.size()) {
      return "short read: " + bytesRead + " of " + start.size() + " bytes";
    }
    if (bytesRead > start.size()) {
      return "read " + bytesRead + " bytes, past its size of " + start.size();
    }
    if (!end.modified().equals(start.modified())) {
      return "modified while it was read ("
          + start.modified().toInstant()
          + " -> "
          + end.modified().toInstant()
          + ")";
    }
    if (!Objects.equals(start.ctime(), end.ctime())) {
      return "changed while it was read (ctime " + start.ctime() + " -> " + end.ctime() + ")";
    }
    return null;
  }

  /**
   * The warning for a scanned file that was gone when it was to be read: the provider leaves it out
   * of the backup (under {@link ChangedFilesPolicy.Action#FAIL} the backup fails instead).
   *
   * @param scanned the file's entry from the scan
   * @return a {@link BackupWarning.Kind#VANISHED_WHILE_READ} warning
   */
  public static BackupWarning vanished(SourceEntry scanned) {
    return new BackupWarning(
        requireNonNull(scanned, "scanned").path(),
        BackupWarning.Kind.VANISHED_WHILE_READ,
        "deleted after the scan");
  }

  private static Stat stat(Path file) throws IOException {
    boolean unix = file.getFileSystem().supportedFileAttributeViews().contains("unix");
    // one call per stat: the unix view (JDK's default file system on Linux and macOS) adds the
    // change time
    Map<String, Object> a =
        Files.readAttributes(
            file,
            unix
                ? "unix:size,lastModifiedTime,ctime,fileKey,isRegularFile"
                : "size,lastModifiedTime,fileKey,isRegularFile",
            NOFOLLOW);
    Object ctime = a.get("ctime");
    return new Stat(
        Boolean.TRUE.equals(a.get("isRegularFile")),
        (Long) a.get("size"),
        (FileTime) a.get("lastModifiedTime"),
        ctime instanceof FileTime t ? t.toInstant() : ctime,
        a.get("fileKey"));
  }

  /** For messages: where the check stands. */
  @Override
  public String toString() {
    return "ReadCheck["
        + RelativePaths.printable(scanned.path())
        + ", size "
        + start.size()
        + ", modified "
        + start.modified().toInstant()
        + (beforeRead == null ? "" : ", " + beforeRead)
        + "]";
  }
}
