package dev.coffer.archive.v2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What decides "unchanged" for a file, read in one call: size, modification time and, where the
 * file system has them, change time ({@code unix:ctime}) and file key (device and inode).
 */
record FileStats(long size, long mtimeNs, Long ctimeNs, String fileKey) {

  static FileStats read(Path file) throws IOException {
    boolean unix = file.getFileSystem().supportedFileAttributeViews().contains("unix");
    Map<String, Object> a =
        Files.readAttributes(
            file,
            unix
                ? "unix:size,lastModifiedTime,ctime,fileKey"
                : "basic:size,lastModifiedTime,fileKey",
            LinkOption.NOFOLLOW_LINKS);
    Object key = a.get("fileKey");
    Object ctime = a.get("ctime");
    return new FileStats(
        (Long) a.get("size"),
        nanos((FileTime) a.get("lastModifiedTime")),
        ctime instanceof FileTime t ? nanos(t) : null,
        key == null ? null : key.toString());
  }

  static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }

  /** Whether the base's entry describes this very file as it was (git's stat comparison). */
  boolean sameAs(V2Manifest.FileEntry base) {
    return base.size() == size
        && base.mtimeNs() == mtimeNs
        && java.util.Objects.equals(base.ctimeNs(), ctimeNs)
        && java.util.Objects.equals(base.fileKey(), fileKey);
  }
}
