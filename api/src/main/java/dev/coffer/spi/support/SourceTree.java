package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupException;
import dev.coffer.BackupWarning;
import dev.coffer.SpecialFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A deterministic listing of a source directory, the one walk every provider uses: entries sorted
 * by {@link RelativePaths#ORDER} (a directory before its contents), symbolic links reported as
 * links and never followed (unless {@linkplain ScanOptions#followedLinks() named}), nothing outside
 * the root ever visited except through a named link.
 *
 * <p>The root itself may be a symbolic link to a directory (a data directory is often one); it is
 * resolved once, and nothing below it is followed unless named. A name that breaks the {@linkplain
 * RelativePaths basic rules} (for example one containing a backslash) or is not valid UTF-8 fails
 * the scan with a {@link BackupException} naming it (an undecodable name is shown as its bytes in
 * hex). Special files (sockets, FIFOs, devices) are {@linkplain ScanOptions#specialFiles() skipped
 * and reported} in {@link #skipped()}, or refused: a backup never skips anything silently.
 *
 * <p>Each entry carries its {@linkplain SourceEntry#posix() POSIX attributes} where the file system
 * has them, read with the same call that reads its type and size (one call per entry).
 *
 * @param root the scanned root directory
 * @param entries every entry below the root, sorted
 * @param rootPosix the root directory's POSIX attributes, or {@code null} where the file system has
 *     none
 * @param skipped the special files left out, sorted by path, each as a {@link
 *     BackupWarning.Kind#SKIPPED_SPECIAL_FILE} warning
 */
public record SourceTree(
    Path root, List<SourceEntry> entries, PosixAttributes rootPosix, List<BackupWarning> skipped) {

  private static final ScanOptions STRICT = new ScanOptions(Set.of(), SpecialFiles.FAIL);

  /**
   * Validates and copies the components.
   *
   * @param root as described on the record
   * @param entries as described on the record
   * @param rootPosix as described on the record
   * @param skipped as described on the record; {@code null} means none
   * @throws NullPointerException if the root or entries are null
   */
  public SourceTree {
    requireNonNull(root, "root");
    entries = List.copyOf(entries);
    skipped = skipped == null ? List.of() : List.copyOf(skipped);
  }

  /**
   * A listing without POSIX attributes for the root and with nothing skipped.
   *
   * @param root as described on the record
   * @param entries as described on the record
   * @throws NullPointerException if a component is null
   */
  public SourceTree(Path root, List<SourceEntry> entries) {
    this(root, entries, null, List.of());
  }

  /**
   * Scans {@code root} following no link and refusing special files, as scans did before {@link
   * ScanOptions} existed: a provider that does not put {@link #skipped()} into its backups'
   * {@linkplain dev.coffer.BackupMetadata#warnings() warnings} keeps refusing them instead of
   * skipping silently. Providers that report them call {@code scan(root, ScanOptions.of(request))}.
   *
   * @param root the source directory
   * @return the sorted listing
   * @throws NoSuchFileException if the root does not exist
   * @throws NotDirectoryException if the root is not a directory
   * @throws BackupException if an entry has an unstorable name or is a special file
   * @throws IOException if a directory cannot be read
   */
  public static SourceTree scan(Path root) throws IOException {
    return scan(root, STRICT);
  }

  /**
   * Scans {@code root}. A symbolic link whose relative path matches one of the options'
   * followed-link patterns is followed once: its target directory is listed in its place, with its
   * content; a followed link whose target does not exist or is not a directory fails the scan. An
   * entry whose relative path matches one of the options' {@linkplain ScanOptions#excluded()
   * exclusion patterns} is left out without being read (not even its type), and so is everything
   * below it; an excluded name is not checked either.
   *
   * @param root the source directory
   * @param options the followed links and the special-file policy
   * @return the sorted listing
   * @throws NoSuchFileException if the root does not exist
   * @throws NotDirectoryException if the root is not a directory
   * @throws BackupException if an entry has an unstorable name, a special file is found under
   *     {@link SpecialFiles#FAIL}, or a followed link is broken or not a link to a directory
   * @throws IOException if a directory cannot be read
   */
  public static SourceTree scan(Path root, ScanOptions options) throws IOException {
    requireNonNull(root, "root");
    requireNonNull(options, "options");
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "backup source does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new NotDirectoryException(root.toString());
    }
    Path real = Files.isSymbolicLink(root) ? root.toRealPath() : root;
    EntryReader reader = EntryReader.forFileSystem(real.getFileSystem());
    PosixAttributes rootPosix = reader.read(real).posix();
    List<SourceEntry> entries = new ArrayList<>();
    List<BackupWarning> skipped = new ArrayList<>();
    // directories still to list, with their relative names: a name is its parent's plus one
    // component,
    // which is much cheaper than relativizing every path against the root
    Deque<Path> dirs = new ArrayDeque<>();
    Deque<String> names = new ArrayDeque<>();
    dirs.push(real);
    names.push("");
    while (!dirs.isEmpty()) {
      Path dir = dirs.pop();
      String parent = names.pop();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
        for (Path child : children) {
          String rel = relative(parent, child);
          if (options.excludes(rel)) {
            continue; // never read: a host's volatile file (a log segment recycled mid-scan) must
            // not fail it
          }
          checkName(real, parent, child, rel);
          EntryReader.Entry e = reader.read(child, LinkOption.NOFOLLOW_LINKS);
          if (e.link() && options.follows(rel)) {
            e = followed(reader, real, child, rel);
          }
          Instant time = e.lastModified().toInstant();
          if (e.directory()) {
            entries.add(new SourceEntry(rel, SourceEntry.Type.DIRECTORY, 0, time, null, e.posix()));
            dirs.push(child);
            names.push(rel);
          } else if (e.file()) {
            entries.add(
                new SourceEntry(
                    rel,
                    SourceEntry.Type.FILE,
                    e.size(),
                    time,
                    null,
                    e.posix(),
                    e.fileKey(),
                    e.changeTime()));
          } else if (e.link()) {
            String target = Files.readSymbolicLink(child).toString();
            entries.add(new SourceEntry(rel, SourceEntry.Type.SYMLINK, 0, time, target, e.posix()));
          } else if (options.specialFiles() == SpecialFiles.FAIL) {
            throw new BackupException(
                "cannot back up '"
                    + RelativePaths.printable(rel)
                    + "' in "
                    + real
                    + ": a "
                    + e.special()
                    + " (special files are refused by the special-files=fail setting)");
          } else {
            skipped.add(
                new BackupWarning(rel, BackupWarning.Kind.SKIPPED_SPECIAL_FILE, e.special()));
          }
        }
      } catch (DirectoryIteratorException e) {
        throw e.getCause();
      }
    }
    entries.sort((a, b) -> RelativePaths.ORDER.compare(a.path(), b.path()));
    skipped.sort((a, b) -> RelativePaths.ORDER.compare(a.path(), b.path()));
    return new SourceTree(real, entries, rootPosix, skipped);
  }

  private static EntryReader.Entry followed(EntryReader reader, Path root, Path link, String rel)
      throws IOException {
    EntryReader.Entry target;
    try {
      target = reader.read(link);
    } catch (NoSuchFileException e) {
      throw new BackupException(
          "cannot follow symbolic link '"
              + RelativePaths.printable(rel)
              + "' in "
              + root
              + ": its target "
              + Files.readSymbolicLink(link)
              + " does not exist",
          e);
    }
    if (!target.directory()) {
      // providers open files without following links; a database links only directories (pg_wal,
      // tablespaces)
      throw new BackupException(
          "cannot follow symbolic link '"
              + RelativePaths.printable(rel)
              + "' in "
              + root
              + ": its target "
              + Files.readSymbolicLink(link)
              + " is not a directory (only links to directories are"
              + " followed)");
    }
    return target;
  }

  private static String relative(String parent, Path p) {
    String fileName = p.getFileName().toString();
    return parent.isEmpty() ? fileName : parent + "/" + fileName;
  }

  private static void checkName(Path root, String parent, Path p, String rel)
      throws BackupException {
    if (rel.indexOf('\uFFFD', parent.length()) >= 0) {
      requireUtf8(root, parent, p);
    }
    Optional<String> problem = RelativePaths.basicProblem(rel);
    if (problem.isPresent()) {
      throw new BackupException(
          "cannot back up '"
              + RelativePaths.printable(rel)
              + "' in "
              + root
              + ": "
              + problem.get());
    }
  }

  /**
   * Fails for a name that the JDK decoded with replacement characters because its bytes are not
   * UTF-8 (Linux allows any bytes but {@code /} and NUL). The raw bytes survive percent-encoded in
   * the path's URI, so the message can show them in hex; a name that really holds U+FFFD passes.
   */
  private static void requireUtf8(Path root, String parent, Path p) throws BackupException {
    String raw = p.toUri().getRawPath();
    if (raw.endsWith("/")) {
      raw = raw.substring(0, raw.length() - 1);
    }
    raw = raw.substring(raw.lastIndexOf('/') + 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        bytes.write(HexFormat.fromHexDigits(raw, i + 1, i + 3));
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else { // a URI of another file system may keep non-ASCII characters unencoded
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] name = bytes.toByteArray();
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(name));
    } catch (CharacterCodingException e) {
      String where =
          parent.isEmpty() ? "the source root" : "'" + RelativePaths.printable(parent) + "'";
      throw new BackupException(
          "cannot back up a name in "
              + where
              + " of "
              + root
              + " that is not valid UTF-8: bytes "
              + HexFormat.ofDelimiter(" ").formatHex(name)
              + " (rename it to back it up)");
    }
  }

  /**
   * The regular files, in order.
   *
   * @return the file entries
   */
  public List<SourceEntry> files() {
    return entries.stream().filter(e -> e.type() == SourceEntry.Type.FILE).toList();
  }

  /**
   * The symbolic links, in order.
   *
   * @return the link entries
   */
  public List<SourceEntry> symlinks() {
    return entries.stream().filter(e -> e.type() == SourceEntry.Type.SYMLINK).toList();
  }

  /**
   * The sum of the scanned sizes of the regular files.
   *
   * @return the total in bytes
   */
  public long totalBytes() {
    return entries.stream().mapToLong(SourceEntry::sizeBytes).sum();
  }

  /**
   * Fails if the tree holds a symbolic link, for providers without the {@link
   * dev.coffer.spi.Capability#SYMLINKS} capability (rule P9: a link is refused by name, never
   * skipped silently).
   *
   * @throws BackupException naming the first link
   */
  public void refuseSymlinks() throws BackupException {
    for (SourceEntry e : entries) {
      if (e.type() == SourceEntry.Type.SYMLINK) {
        throw new BackupException(
            "cannot back up symbolic link '"
                + RelativePaths.printable(e.path())
                + "' in "
                + root
                + ": this provider does not store symbolic links");
      }
    }
  }

  /**
   * Fails if a path of the tree cannot be restored on every supported file system ({@link
   * RelativePaths#portableProblem}: not NFC, a name Windows reserves, a control character, ...),
   * for providers whose backups must restore anywhere: the name is refused at backup time rather
   * than found unrestorable later.
   *
   * @throws BackupException naming the first such path and its problem
   */
  public void refuseUnportableNames() throws BackupException {
    for (SourceEntry e : entries) {
      Optional<String> problem = RelativePaths.portableProblem(e.path());
      if (problem.isPresent()) {
        throw new BackupException(
            "cannot back up '"
                + RelativePaths.printable(e.path())
                + "' in "
                + root
                + ": "
                + problem.get());
      }
    }
  }
}
