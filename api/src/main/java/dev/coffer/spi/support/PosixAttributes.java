package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The POSIX attributes of one file, directory or link as a backup records them: permission bits,
 * numeric owner and group ids, and their names.
 *
 * <p>{@code permissions} holds the mode bits {@code 0..07777}: read, write and execute for user,
 * group and others, plus set-user-id, set-group-id and sticky where the file system reports them
 * (through the {@code unix:mode} attribute; file systems with only the {@code posix} view report
 * the nine {@link PosixFilePermission} bits). The ids are {@code -1} where the file system has no
 * {@code unix} view, and the names {@code null} where they are unknown (for example an id with no
 * local user).
 *
 * @param permissions the mode bits, {@code 0} to {@code 07777}
 * @param uid the numeric owner id, or {@code -1} when unknown
 * @param gid the numeric group id, or {@code -1} when unknown
 * @param owner the owner's name, or {@code null} when unknown
 * @param group the group's name, or {@code null} when unknown
 */
public record PosixAttributes(int permissions, int uid, int gid, String owner, String group) {

  /**
   * Longest accepted owner or group name, in characters (Linux allows 32; other systems a little
   * more).
   */
  public static final int MAX_NAME_LENGTH = 256;

  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ,
  };

  /**
   * Validates the components.
   *
   * @param permissions as described on the record
   * @param uid as described on the record
   * @param gid as described on the record
   * @param owner as described on the record
   * @param group as described on the record
   * @throws IllegalArgumentException if the mode is outside {@code 0..07777}, an id is below {@code
   *     -1}, or a name is empty, longer than {@link #MAX_NAME_LENGTH} or holds a control character,
   *     {@code /} or {@code :}
   */
  public PosixAttributes {
    if (permissions < 0 || permissions > 07777) {
      throw new IllegalArgumentException(
          "mode out of range: " + Integer.toOctalString(permissions));
    }
    if (uid < -1 || gid < -1) {
      throw new IllegalArgumentException("negative owner or group id: " + uid + ", " + gid);
    }
    checkName(owner, "owner");
    checkName(group, "group");
  }

  /**
   * Attributes with permission bits only, no owner.
   *
   * @param permissions the mode bits, {@code 0} to {@code 07777}
   * @return the attributes
   * @throws IllegalArgumentException if the mode is out of range
   */
  public static PosixAttributes ofMode(int permissions) {
    return new PosixAttributes(permissions, -1, -1, null, null);
  }

  /**
   * Reads the POSIX attributes of {@code path} in one call to the file system.
   *
   * @param path the file, directory or link
   * @param options {@link LinkOption#NOFOLLOW_LINKS} to read a link itself
   * @return the attributes, or empty when the file system has no {@code posix} view
   * @throws IOException if the attributes cannot be read
   */
  public static Optional<PosixAttributes> read(Path path, LinkOption... options)
      throws IOException {
    requireNonNull(path, "path");
    EntryReader reader = EntryReader.forFileSystem(path.getFileSystem());
    return Optional.ofNullable(reader.read(path, options).posix());
  }

  /**
   * The nine read, write and execute bits as a set (set-user-id, set-group-id and sticky have no
   * member).
   *
   * @return a new mutable set
   */
  public Set<PosixFilePermission> permissionSet() {
    return toSet(permissions);
  }

  /**
   * The mode in octal, as {@code chmod} takes it.
   *
   * @return four octal digits, for example {@code "0750"}
   */
  public String modeString() {
    String octal = Integer.toOctalString(permissions);
    return "0000".substring(Math.min(4, octal.length())) + octal;
  }

  /**
   * A copy with other permission bits and the same owner.
   *
   * @param newPermissions the mode bits
   * @return the new attributes
   */
  public PosixAttributes withPermissions(int newPermissions) {
    return new PosixAttributes(newPermissions, uid, gid, owner, group);
  }

  /** The nine bits of {@code set}. */
  static int toBits(Set<PosixFilePermission> set) {
    int bits = 0;
    for (int i = 0; i < BITS.length; i++) {
      if (set.contains(BITS[i])) {
        bits |= 1 << i;
      }
    }
    return bits;
  }

  /** The set of the nine bits of {@code mode}. */
  static Set<PosixFilePermission> toSet(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < BITS.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(BITS[i]);
      }
    }
    return set;
  }

  private static void checkName(String name, String what) {
    if (name != null && !validName(name)) {
      throw new IllegalArgumentException(
          what
              + " name must be 1 to "
              + MAX_NAME_LENGTH
              + " characters without control characters, '/' or ':': '"
              + RelativePaths.printable(name)
              + "'");
    }
  }

  /** Whether {@code name} is acceptable as an owner or group name. */
  static boolean validName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '/' || c == ':') {
        return false;
      }
    }
    return true;
  }
}
