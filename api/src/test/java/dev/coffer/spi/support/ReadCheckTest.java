package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupWarning;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The detector on each file system Coffer runs on: the scan lists a file, then the file is changed
 * the way a live writer changes it, between the scan and the read or during the read (between
 * {@code before} and {@code after}), and the check must say so, with the reason.
 */
class ReadCheckTest {

  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

  /**
   * Jimfs in its three flavours (unix with the unix view, which has no real ctime) and the real
   * disk.
   */
  enum Where {
    JIMFS_UNIX,
    JIMFS_OSX,
    JIMFS_WINDOWS,
    DISK
  }

  @TempDir Path tmp;

  private Path root(Where where) throws IOException {
    Configuration config =
        switch (where) {
          case JIMFS_UNIX ->
              Configuration.unix().toBuilder()
                  .setAttributeViews("basic", "owner", "posix", "unix")
                  .build();
          case JIMFS_OSX -> Configuration.osX();
          case JIMFS_WINDOWS -> Configuration.windows();
          case DISK -> null;
        };
    Path root =
        config == null
            ? tmp
            : Jimfs.newFileSystem(config).getRootDirectories().iterator().next().resolve("w");
    Path src = root.resolve("src");
    Files.createDirectories(src);
    Path f = src.resolve("data.bin");
    Files.write(f, new byte[1000]);
    Files.setLastModifiedTime(f, FileTime.from(T0));
    return src;
  }

  private static SourceEntry scanned(Path src) throws IOException {
    return SourceTree.scan(src).files().get(0);
  }

  private static Optional<BackupWarning> readWhile(Path src, IoAction writer) throws IOException {
    SourceEntry entry = scanned(src);
    ReadCheck check = ReadCheck.before(src.resolve(entry.path()), entry);
    byte[] read = Files.readAllBytes(src.resolve(entry.path()));
    writer.run(src.resolve(entry.path()));
    return check.after(read.length);
  }

  private static String changed(Optional<BackupWarning> w) {
    assertTrue(w.isPresent(), "a change must be reported");
    assertEquals(BackupWarning.Kind.CHANGED_WHILE_READ, w.get().kind());
    assertEquals("data.bin", w.get().path());
    return w.get().detail();
  }

  interface IoAction {
    void run(Path file) throws IOException;
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileNobodyTouched_reportsNothing(Where where) throws IOException {
    Path src = root(where);
    assertEquals(Optional.empty(), readWhile(src, f -> {}));
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileThatGrewDuringTheRead_reportsTheNewSize(Where where) throws IOException {
    Path src = root(where);
    String detail =
        changed(readWhile(src, f -> Files.write(f, new byte[10], StandardOpenOption.APPEND)));
    assertEquals("size 1000 -> 1010 bytes while it was read", detail);
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileTruncatedDuringTheRead_reportsTheNewSize(Where where) throws IOException {
    Path src = root(where);
    String detail = changed(readWhile(src, f -> Files.write(f, new byte[100])));
    assertEquals("size 1000 -> 100 bytes while it was read", detail);
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileRewrittenWithTheSameSizeAndANewTime_reportsTheModification(Where where)
      throws IOException {
    Path src = root(where);
    String detail =
        changed(
            readWhile(
                src,
                f -> {
                  Files.write(f, new byte[1000]);
                  Files.setLastModifiedTime(f, FileTime.from(T0.plusNanos(1000)));
                }));
    assertTrue(detail.startsWith("modified while it was read ("), detail);
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileReplacedByAnotherWithTheSameSizeAndTime_reportsTheReplacement(Where where)
      throws IOException {
    Path src = root(where);
    String detail =
        changed(
            readWhile(
                src,
                f -> {
                  Path other = f.resolveSibling("other.tmp");
                  Files.write(other, new byte[1000]);
                  Files.setLastModifiedTime(other, FileTime.from(T0));
                  Files.move(other, f, StandardCopyOption.REPLACE_EXISTING);
                }));
    assertEquals("replaced by another file while it was read", detail);
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileReplacedByALink_reportsTheReplacementWithoutFollowingIt(Where where)
      throws IOException {
    Path src = root(where);
    String detail =
        changed(
            readWhile(
                src,
                f -> {
                  Path target = f.resolveSibling("target.bin");
                  Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                  Files.delete(f);
                  Files.createSymbolicLink(f, target.getFileName());
                }));
    assertEquals("replaced by another file while it was read", detail);
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileDeletedDuringTheRead_reportsTheDeletion(Where where) throws IOException {
    Path src = root(where);
    assertEquals("deleted while it was read", changed(readWhile(src, Files::delete)));
  }

  /**
   * The writer strikes between two reads of one open channel, as a log rotation truncating a file
   * does.
   */
  @ParameterizedTest
  @EnumSource(Where.class)
  void after_onAFileTruncatedInTheMiddleOfAChannelRead_reportsIt(Where where) throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Path f = src.resolve("data.bin");
    ReadCheck check = ReadCheck.before(f, entry);
    long read = 0;
    try (SeekableByteChannel in =
        Files.newByteChannel(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buf = ByteBuffer.allocate(300);
      for (int n; (n = in.read(buf.clear())) > 0; ) {
        read += n;
        if (read == 300) {
          try (SeekableByteChannel w = Files.newByteChannel(f, StandardOpenOption.WRITE)) {
            w.truncate(400);
          }
        }
      }
    }
    assertEquals(400, read, "the channel sees the truncation");
    assertEquals("size 1000 -> 400 bytes while it was read", changed(check.after(read)));
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void after_withAShortReadOrAReadPastTheSize_reportsTheCount(Where where) throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    ReadCheck check = ReadCheck.before(src.resolve("data.bin"), entry);
    assertEquals("short read: 999 of 1000 bytes", changed(check.after(999)));
    assertEquals("read 1001 bytes, past its size of 1000", changed(check.after(1001)));
    assertEquals(Optional.empty(), check.after(1000));
    assertThrows(IllegalArgumentException.class, () -> check.after(-1));
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void before_onAFileThatChangedAfterTheScan_reportsItEvenIfTheReadIsClean(Where where)
      throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Files.write(src.resolve("data.bin"), new byte[10], StandardOpenOption.APPEND);
    ReadCheck grown = ReadCheck.before(src.resolve("data.bin"), entry);
    assertEquals("size 1000 -> 1010 bytes after the scan", changed(grown.after(1010)));

    Files.write(src.resolve("data.bin"), new byte[1000]);
    Files.setLastModifiedTime(src.resolve("data.bin"), FileTime.from(T0.plusSeconds(1)));
    ReadCheck touched = ReadCheck.before(src.resolve("data.bin"), entry);
    assertTrue(changed(touched.after(1000)).startsWith("modified after the scan ("));
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void reread_ofAFileThatChangedOnceAndThenStayed_checksOnlyThatRead(Where where)
      throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Files.write(src.resolve("data.bin"), new byte[10], StandardOpenOption.APPEND);
    assertTrue(ReadCheck.before(src.resolve("data.bin"), entry).after(1010).isPresent());
    ReadCheck again = ReadCheck.reread(src.resolve("data.bin"), entry);
    assertEquals(
        Optional.empty(), again.after(1010), "stable since the first read: stored as read again");
    assertEquals("short read: 1000 of 1010 bytes", changed(again.after(1000)));
    Files.write(src.resolve("data.bin"), new byte[10], StandardOpenOption.APPEND);
    assertEquals("size 1010 -> 1020 bytes while it was read", changed(again.after(1010)));
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void before_onAFileDeletedAfterTheScan_throwsNoSuchFile_andVanishedNamesIt(Where where)
      throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Files.delete(src.resolve("data.bin"));
    assertThrows(NoSuchFileException.class, () -> ReadCheck.before(src.resolve("data.bin"), entry));
    BackupWarning w = ReadCheck.vanished(entry);
    assertEquals(BackupWarning.Kind.VANISHED_WHILE_READ, w.kind());
    assertEquals(
        "file vanished before it was read (left out): data.bin (deleted after the scan)",
        w.toString());
    assertTrue(w.changedWhileRead());
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void before_refusesAnEntryThatIsNotARegularFile(Where where) throws IOException {
    Path src = root(where);
    SourceEntry dir = new SourceEntry("d", SourceEntry.Type.DIRECTORY, 0, T0, null);
    assertThrows(IllegalArgumentException.class, () -> ReadCheck.before(src, dir));
  }

  /**
   * Only a change of status (here the mode) moves ctime: the real disk's unix view sees it, Jimfs
   * has none.
   */
  @org.junit.jupiter.api.Test
  void after_onTheRealDisk_reportsAChangeOfCtimeAlone() throws IOException {
    Path src = root(Where.DISK);
    assumeTrue(
        src.getFileSystem().supportedFileAttributeViews().contains("unix"),
        "no unix view on this system");
    String detail =
        changed(
            readWhile(
                src,
                f -> {
                  // ctime has the kernel's clock granularity: wait until it moves rather than sleep
                  // and hope
                  Object before = Files.getAttribute(f, "unix:ctime");
                  for (int i = 0; Files.getAttribute(f, "unix:ctime").equals(before); i++) {
                    Files.setPosixFilePermissions(
                        f, PosixFilePermissions.fromString(i % 2 == 0 ? "rw-------" : "rw-r-----"));
                  }
                }));
    assertTrue(detail.startsWith("changed while it was read (ctime "), detail);
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void scan_recordsTheFileKey_andTheChangeTimeWhereTheFileSystemHasAUnixView(Where where)
      throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Path f = src.resolve("data.bin");
    assertEquals(
        Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey(),
        entry.fileKey());
    assertTrue(entry.fileKey() != null, "every file system here has file keys");
    boolean unix = f.getFileSystem().supportedFileAttributeViews().contains("unix");
    assertEquals(
        unix ? ((FileTime) Files.getAttribute(f, "unix:ctime")).toInstant() : null,
        entry.changeTime());
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void before_onAFileReplacedAfterTheScanByOneOfTheSameSizeAndTime_reportsTheReplacement(
      Where where) throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Path f = src.resolve("data.bin");
    Path other = f.resolveSibling("other.tmp");
    Files.write(other, new byte[1000]);
    Files.setLastModifiedTime(other, FileTime.from(T0));
    Files.move(other, f, StandardCopyOption.REPLACE_EXISTING);
    ReadCheck check = ReadCheck.before(f, entry);
    assertEquals("replaced by another file after the scan", changed(check.after(1000)));
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void lastModified_ofAFileChangedAfterTheScanAndStableWhileRead_isTheTimeSeenAfterTheRead(
      Where where) throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Path f = src.resolve("data.bin");
    Files.write(f, new byte[10], StandardOpenOption.APPEND);
    Files.setLastModifiedTime(f, FileTime.from(T0.plusSeconds(5)));
    ReadCheck check = ReadCheck.before(f, entry);
    assertEquals(T0.plusSeconds(5), check.lastModified(), "before the read: the time seen then");
    assertTrue(check.after(1010).isPresent(), "changed after the scan");
    assertEquals(T0.plusSeconds(5), check.lastModified(), "the time of the version read");
    assertEquals(T0, entry.lastModified(), "the scan's time stays the scan's");
  }

  @ParameterizedTest
  @EnumSource(Where.class)
  void lastModified_ofAFileChangedWhileRead_isTheScans_soNoLaterVersionClaimsTheTornBytes(
      Where where) throws IOException {
    Path src = root(where);
    SourceEntry entry = scanned(src);
    Path f = src.resolve("data.bin");
    ReadCheck check = ReadCheck.before(f, entry);
    Files.write(f, new byte[10], StandardOpenOption.APPEND);
    Files.setLastModifiedTime(f, FileTime.from(T0.plusSeconds(5)));
    assertTrue(check.after(1000).isPresent());
    assertEquals(T0, check.lastModified());
  }

  /** A change of status alone after the scan (here the mode) is seen by its ctime on the disk. */
  @org.junit.jupiter.api.Test
  void before_onTheRealDisk_reportsAChangeOfCtimeAloneAfterTheScan() throws IOException {
    Path src = root(Where.DISK);
    assumeTrue(
        src.getFileSystem().supportedFileAttributeViews().contains("unix"),
        "no unix view on this system");
    SourceEntry entry = scanned(src);
    Path f = src.resolve("data.bin");
    for (int i = 0; Files.getAttribute(f, "unix:ctime").equals(scannedCtime(entry)); i++) {
      Files.setPosixFilePermissions(
          f, PosixFilePermissions.fromString(i % 2 == 0 ? "rw-------" : "rw-r-----"));
    }
    String detail = changed(ReadCheck.before(f, entry).after(1000));
    assertTrue(detail.startsWith("changed after the scan (ctime "), detail);
  }

  private static FileTime scannedCtime(SourceEntry entry) {
    return FileTime.from(entry.changeTime());
  }
}
