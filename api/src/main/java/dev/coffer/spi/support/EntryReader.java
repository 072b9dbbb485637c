package dev.coffer.spi.support;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads what a scan needs about one entry (type, size, time and POSIX attributes) in one call to
 * the file system, using the richest view it has: {@code unix} (mode with special bits, numeric
 * ids), else {@code posix}, else {@code basic}. Owner and group names are looked up once per id and
 * cached, because the lookup is a user-database query, not a stat. Not thread-safe: one per scan.
 */
final class EntryReader {

  /** The file-type bits of {@code unix:mode} ({@code S_IFMT}) and the types a scan tells apart. */
  private static final int S_IFMT = 0170000;

  private static final int S_IFSOCK = 0140000;
  private static final int S_IFIFO = 0010000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;

  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;

  /**
   * The JDK's own unix view reports the file type in {@code mode} ({@code S_IFMT}), so it is asked
   * for five attributes: each one more in the map costs ~0.1 us per entry (docs/benchmarks.md,
   * scan). Other file systems (Jimfs) may report the permission bits only and are asked for the
   * type too. The change time and file key let a backup tell a file replaced between the scan and
   * its read (rule P34, {@link ReadCheck}).
   */
  private static final String UNIX_ATTRIBUTES_TYPED =
      "unix:mode,uid,gid,size,lastModifiedTime,ctime,fileKey";

  private static final String UNIX_ATTRIBUTES =
      "unix:mode,uid,gid,size,lastModifiedTime,ctime,fileKey,isRegularFile,isDirectory,"
          + "isSymbolicLink";

  private enum View {
    UNIX,
    POSIX,
    BASIC
  }

  /**
   * One entry as read. {@code special} names the kind of a special file, else null; {@code fileKey}
   * and {@code changeTime} may be null.
   */
  record Entry(
      boolean file,
      boolean directory,
      boolean link,
      long size,
      FileTime lastModified,
      PosixAttributes posix,
      String special,
      Object fileKey,
      Instant changeTime) {}

  private final View view;
  private final boolean typedMode;
  private final Map<Integer, String> users = new HashMap<>();
  private final Map<Integer, String> groups = new HashMap<>();

  private EntryReader(View view, boolean typedMode) {
    this.view = view;
    this.typedMode = typedMode;
  }

  static EntryReader forFileSystem(FileSystem fs) {
    Set<String> views = fs.supportedFileAttributeViews();
    View view =
        views.contains("unix") ? View.UNIX : views.contains("posix") ? View.POSIX : View.BASIC;
    return new EntryReader(view, fs == FileSystems.getDefault());
  }

  /** Whether entries read here carry POSIX attributes. */
  boolean posix() {
    return view != View.BASIC;
  }

  Entry read(Path p, LinkOption... options) throws IOException {
    switch (view) {
      case UNIX:
        {
          Map<String, Object> a =
              Files.readAttributes(p, typedMode ? UNIX_ATTRIBUTES_TYPED : UNIX_ATTRIBUTES, options);
          int mode = (Integer) a.get("mode");
          // ids above 2^31-1 come back negative from the JDK: recorded as unknown, the names still
          // say who
          int uid = Math.max(-1, (Integer) a.get("uid"));
          int gid = Math.max(-1, (Integer) a.get("gid"));
          int type = mode & S_IFMT;
          boolean file = typedMode ? type == S_IFREG : (Boolean) a.get("isRegularFile");
          boolean dir = typedMode ? type == S_IFDIR : (Boolean) a.get("isDirectory");
          boolean link = typedMode ? type == S_IFLNK : (Boolean) a.get("isSymbolicLink");
          String owner = users.get(uid);
          String group = groups.get(gid);
          if ((owner == null && !users.containsKey(uid))
              || (group == null && !groups.containsKey(gid))
              || uid < 0
              || gid < 0) {
            PosixFileAttributes names = Files.readAttributes(p, PosixFileAttributes.class, options);
            owner = known(names.owner().getName(), uid);
            group = known(names.group().getName(), gid);
            users.put(uid, owner);
            groups.put(gid, group);
          }
          String special = file || dir || link ? null : special(mode);
          return new Entry(
              file,
              dir,
              link,
              (Long) a.get("size"),
              (FileTime) a.get("lastModifiedTime"),
              new PosixAttributes(mode & 07777, uid, gid, owner, group),
              special,
              a.get("fileKey"),
              a.get("ctime") instanceof FileTime t ? t.toInstant() : null);
        }
      case POSIX:
        {
          PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, options);
          PosixAttributes posix =
              new PosixAttributes(
                  PosixAttributes.toBits(a.permissions()),
                  -1,
                  -1,
                  name(a.owner() == null ? null : a.owner().getName()),
                  name(a.group() == null ? null : a.group().getName()));
          return basic(a, posix);
        }
      default:
        return basic(Files.readAttributes(p, BasicFileAttributes.class, options), null);
    }
  }

  private static Entry basic(BasicFileAttributes a, PosixAttributes posix) {
    boolean other = !a.isRegularFile() && !a.isDirectory() && !a.isSymbolicLink();
    return new Entry(
        a.isRegularFile(),
        a.isDirectory(),
        a.isSymbolicLink(),
        a.size(),
        a.lastModifiedTime(),
        posix,
        other ? "special file" : null,
        a.fileKey(),
        null);
  }

  /** A name, or null where the JDK reports the bare number (an id with no local user or group). */
  private static String known(String name, int id) {
    return name == null || name.equals(Integer.toString(id)) ? null : name(name);
  }

  /** A name as recorded: null when it would not be a valid {@link PosixAttributes} name. */
  private static String name(String name) {
    return name != null && PosixAttributes.validName(name) ? name : null;
  }

  private static String special(int mode) {
    switch (mode & S_IFMT) {
      case S_IFSOCK:
        return "socket";
      case S_IFIFO:
        return "FIFO";
      case S_IFCHR:
        return "character device";
      case S_IFBLK:
        return "block device";
      default:
        return "special file";
    }
  }
}
