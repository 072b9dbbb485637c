package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.OwnerPolicy;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The POSIX attributes of a restore, applied once for both providers (rules P27 to P29). A provider
 * gets it from {@link RestoreStaging#attributes()}, creates each file and directory with {@link
 * #fileAttributes(PosixAttributes)} or {@link #directoryAttributes(PosixAttributes)} (owner-only
 * while the restore runs), and {@linkplain #record records} each entry's recorded attributes; the
 * root's with {@link #recordRoot}. {@link RestoreStaging#commit()} then applies them before the
 * content is published: owners first (changing an owner may clear set-user-id bits), then modes
 * deepest-first (a directory after its contents, so it stays writable until the end), then the
 * target directory itself.
 *
 * <pre>{@code
 * RestoreAttributes attrs = staging.attributes();
 * Files.createDirectory(dir, attrs.directoryAttributes(entry.posix()));
 * attrs.record(entry.path(), entry.type(), entry.posix());
 * ...
 * staging.commit(); // modes and owners applied here
 * }</pre>
 *
 * <p>Where the target file system has no {@code posix} view, or an entry has no recorded
 * attributes, nothing is applied: the entry keeps the file system's defaults (the target directory
 * too). Owners follow the request's {@link OwnerPolicy}; under {@link OwnerPolicy#AUTO} a restore
 * that may not change owners warns once (through the {@code dev.coffer.restore} {@link
 * System.Logger} and {@link #warnings()}) and goes on. {@link #record} may be called from several
 * threads; the rest is single-threaded.
 */
public final class RestoreAttributes {

  private static final System.Logger LOG = System.getLogger("dev.coffer.restore");
  private static final int OWNER_ONLY_FILE = 0600;
  private static final int OWNER_ONLY_DIRECTORY = 0700;
  private static final FileAttribute<?>[] NONE = new FileAttribute<?>[0];
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Recorded(String path, SourceEntry.Type type, PosixAttributes posix) {}

  private final StagingDirectory directory;
  private final OwnerPolicy owners;
  private final boolean posix;
  private final boolean unix;
  private final List<Recorded> entries = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private PosixAttributes root;

  RestoreAttributes(StagingDirectory directory, OwnerPolicy owners) {
    this.directory = directory;
    this.owners = owners;
    FileSystem fs = directory.path().getFileSystem();
    this.posix = fs.supportedFileAttributeViews().contains("posix");
    this.unix = fs.supportedFileAttributeViews().contains("unix");
  }

  /**
   * Creation attributes for a new file whose recorded attributes are {@code recorded}: owner read
   * and write only ({@code 0600}) where the target file system has POSIX permissions and the entry
   * has recorded ones, so that no file is ever more open during the restore than after it; none
   * otherwise.
   *
   * @param recorded the entry's recorded attributes, or {@code null}
   * @return the attributes to pass to {@code Files.createFile}, {@code FileChannel.open} and the
   *     like
   */
  public FileAttribute<?>[] fileAttributes(PosixAttributes recorded) {
    return recorded != null && posix ? ownerOnly(OWNER_ONLY_FILE) : NONE;
  }

  /**
   * Creation attributes for a new directory: owner-only ({@code 0700}) as for {@link
   * #fileAttributes(PosixAttributes)}.
   *
   * @param recorded the entry's recorded attributes, or {@code null}
   * @return the attributes to pass to {@code Files.createDirectory}
   */
  public FileAttribute<?>[] directoryAttributes(PosixAttributes recorded) {
    return recorded != null && posix ? ownerOnly(OWNER_ONLY_DIRECTORY) : NONE;
  }

  /**
   * Records the attributes to give the entry at {@code path} (relative to the staging directory) at
   * commit. Nothing is recorded for {@code null}. Links get their owner only (a link has no mode of
   * its own).
   *
   * @param path the entry's relative {@code /}-separated path, already written
   * @param type what the entry is
   * @param recorded the attributes from the backup, or {@code null}
   */
  public void record(String path, SourceEntry.Type type, PosixAttributes recorded) {
    requireNonNull(path, "path");
    requireNonNull(type, "type");
    if (recorded != null && posix) {
      synchronized (entries) {
        entries.add(new Recorded(path, type, recorded));
      }
    }
  }

  /**
   * Records the attributes of the backup's source root, which the target directory gets at commit.
   * Without them the target gets the file system's default directory mode.
   *
   * @param recorded the root's attributes, or {@code null}
   */
  public void recordRoot(PosixAttributes recorded) {
    this.root = recorded;
  }

  /**
   * What the restore could not do as recorded and went on without (for example setting owners when
   * not permitted under {@link OwnerPolicy#AUTO}); filled by the commit.
   *
   * @return the warnings so far, in order
   */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** Applies everything recorded, before the staging directory is published. */
  void apply() throws IOException {
    if (!posix) {
      return;
    }
    List<Recorded> all;
    synchronized (entries) {
      all = new ArrayList<>(entries);
    }
    // deepest first: contents before their directory, so every directory stays writable until its
    // turn
    all.sort(Comparator.comparing(Recorded::path, RelativePaths.ORDER).reversed());
    if (owners != OwnerPolicy.CURRENT) {
      Owners setter = new Owners();
      for (Recorded r : all) {
        boolean link = r.type() == SourceEntry.Type.SYMLINK;
        if (!setter.apply(directory.posixView(r.path(), link), r.path(), r.posix())) {
          break;
        }
      }
      if (root != null) {
        setter.apply(directory.posixView(null, false), ".", root);
      }
    }
    for (Recorded r : all) {
      if (r.type() != SourceEntry.Type.SYMLINK) {
        setMode(r.path(), r.posix().permissions());
      }
    }
    setMode(null, root != null ? root.permissions() : defaultDirectoryMode());
  }

  /** Sets the mode of {@code path} (null: the staging directory itself). */
  private void setMode(String path, int mode) throws IOException {
    if ((mode & ~0777) != 0 && unix) {
      try {
        directory.setUnixMode(path, mode);
        return;
      } catch (UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
        // a unix view that cannot set the mode: the nine bits below are what it can keep
      }
    }
    directory.posixView(path, false).setPermissions(PosixAttributes.toSet(mode));
  }

  /**
   * The mode a new directory gets here by default (0777 less the umask, which Java cannot read): a
   * probe directory made and removed inside the staging directory, which is owner-only meanwhile.
   */
  private int defaultDirectoryMode() throws IOException {
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    String probe = ".coffer-probe-" + HexFormat.of().formatHex(random);
    directory.createDirectory(probe);
    try {
      return PosixAttributes.toBits(
          directory.posixView(probe, false).readAttributes().permissions());
    } finally {
      directory.delete(probe, true);
    }
  }

  private static FileAttribute<?>[] ownerOnly(int mode) {
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixAttributes.toSet(mode))
    };
  }

  /**
   * Sets owners by the policy, caching principal lookups; under AUTO gives up (once, with a
   * warning).
   */
  private final class Owners {
    private final UserPrincipalLookupService lookup =
        directory.path().getFileSystem().getUserPrincipalLookupService();
    private final Map<String, UserPrincipal> users = new HashMap<>();
    private final Map<String, GroupPrincipal> groups = new HashMap<>();
    private final UserPrincipal currentUser;
    private final GroupPrincipal currentGroup;
    private final Set<String> unknown = new HashSet<>();
    private boolean stopped;

    Owners() throws IOException {
      PosixFileAttributes current = directory.posixView(null, false).readAttributes();
      currentUser = current.owner();
      currentGroup = current.group();
    }

    /** Sets one entry's owner and group; false once owners are given up on. */
    boolean apply(PosixFileAttributeView view, String path, PosixAttributes a) throws IOException {
      if (stopped) {
        return false;
      }
      UserPrincipal user = user(a);
      GroupPrincipal group = group(a);
      if ((user == null && (a.owner() != null || a.uid() >= 0))
          || (group == null && (a.group() != null || a.gid() >= 0))) {
        return failed(path, a, "no such user or group here", null, false);
      }
      try {
        if (user != null && !user.equals(currentUser)) {
          view.setOwner(user);
        }
        if (group != null && !group.equals(currentGroup)) {
          view.setGroup(group);
        }
      } catch (IOException | SecurityException e) {
        return failed(path, a, String.valueOf(e.getMessage()), e, true);
      }
      return true;
    }

    /**
     * Fails the restore, or under AUTO warns: once for all when changing owners is not permitted
     * ({@code stop}), once per unknown owner otherwise.
     */
    private boolean failed(
        String path, PosixAttributes a, String reason, Exception cause, boolean stop)
        throws IOException {
      String message =
          "cannot set the owner of '"
              + RelativePaths.printable(path)
              + "' to "
              + describe(a)
              + ": "
              + reason;
      if (owners != OwnerPolicy.AUTO) {
        throw new BackupException(
            message + " (owner policy " + owners.name().toLowerCase(Locale.ROOT) + ")", cause);
      }
      if (stop) {
        stopped = true;
        warn(
            "owners not restored ("
                + message
                + "); restored files belong to "
                + currentUser.getName());
        return false;
      }
      if (unknown.add(describe(a))) {
        warn(
            "owner not restored for entries of "
                + describe(a)
                + " (first: '"
                + RelativePaths.printable(path)
                + "'): "
                + reason);
      }
      return true;
    }

    private void warn(String warning) {
      warnings.add(warning);
      LOG.log(System.Logger.Level.WARNING, warning);
    }

    private UserPrincipal user(PosixAttributes a) throws IOException {
      return principal(users, key(a.owner(), a.uid()), a.uid(), lookup::lookupPrincipalByName);
    }

    private GroupPrincipal group(PosixAttributes a) throws IOException {
      return principal(
          groups, key(a.group(), a.gid()), a.gid(), lookup::lookupPrincipalByGroupName);
    }

    /**
     * A user or group by name, else by its number (the JDK parses a number it finds no name for);
     * cached.
     */
    private <P> P principal(Map<String, P> cache, String key, int id, Lookup<P> find)
        throws IOException {
      if (key == null) {
        return null;
      }
      if (!cache.containsKey(key)) {
        P found = find(find, key);
        if (found == null && id >= 0 && !key.equals(Integer.toString(id))) {
          found = find(find, Integer.toString(id));
        }
        cache.put(key, found);
      }
      return cache.get(key);
    }

    /**
     * The name to look up: the id under NUMERIC (the JDK parses a number it finds no name for),
     * else the name.
     */
    private String key(String name, int id) {
      if (owners == OwnerPolicy.NUMERIC && id >= 0) {
        return Integer.toString(id);
      }
      return name != null ? name : id >= 0 ? Integer.toString(id) : null;
    }
  }

  /** A principal lookup of the file system. */
  @FunctionalInterface
  private interface Lookup<P> {
    P find(String name) throws IOException;
  }

  private static <P> P find(Lookup<P> lookup, String name) throws IOException {
    try {
      return lookup.find(name);
    } catch (UserPrincipalNotFoundException e) {
      return null;
    }
  }

  private static String describe(PosixAttributes a) {
    return (a.owner() != null ? a.owner() : "?")
        + ":"
        + (a.group() != null ? a.group() : "?")
        + " (uid "
        + a.uid()
        + ", gid "
        + a.gid()
        + ")";
  }
}
