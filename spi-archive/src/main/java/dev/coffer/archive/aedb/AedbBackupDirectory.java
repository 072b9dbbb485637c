package dev.coffer.archive.aedb;

import dev.coffer.CorruptBackupException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * A backup directory of aedb 0.1.10: its {@code backup_manifest.json}, optionally signed by {@code
 * backup_manifest.hmac}, and the files the manifest lists. Nothing here follows a symbolic link.
 */
final class AedbBackupDirectory {

  private AedbBackupDirectory() {}

  /**
   * Reads, verifies and parses the manifest of a backup directory, refusing symbolic links.
   *
   * @param dir the backup directory
   * @param key the manifest HMAC key, or {@code null}
   * @param portablePaths whether paths must also obey the portable rules
   * @return the manifest
   * @throws NoSuchFileException if there is no manifest
   * @throws CorruptBackupException if a check fails (see {@link AedbManifest#parse})
   * @throws IOException if the files cannot be read
   */
  static AedbManifest load(Path dir, SecretBytes key, boolean portablePaths) throws IOException {
    String where = "in " + dir;
    byte[] json =
        readCapped(dir.resolve(AedbManifest.FILE_NAME), AedbManifest.MAX_MANIFEST_BYTES, where);
    byte[] hmacFile;
    try {
      hmacFile =
          readCapped(
              dir.resolve(AedbManifest.HMAC_FILE_NAME), AedbManifest.MAX_HMAC_FILE_BYTES, where);
    } catch (NoSuchFileException e) {
      hmacFile = null;
    }
    return AedbManifest.parse(json, hmacFile, key, portablePaths, where);
  }

  /**
   * Checks every listed file under {@code dir} against its SHA-256. No symbolic link is followed: a
   * listed file, or a directory on its way, that is a link is refused (aedb accepted links that
   * stayed inside the directory; none of its backups contains one).
   *
   * @param manifest the directory's manifest
   * @param dir the backup directory
   * @throws CorruptBackupException if a file is missing, not a regular file, reached through a
   *     link, or its checksum differs
   * @throws IOException if a file cannot be read
   */
  static void verifyFiles(AedbManifest manifest, Path dir) throws IOException {
    for (Map.Entry<String, String> e : manifest.fileSha256().entrySet()) {
      String rel = e.getKey();
      Path file = resolveNoLinks(dir, rel);
      String actual;
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        actual = AedbManifest.sha256Hex(in);
      }
      if (!actual.equals(e.getValue())) {
        throw new CorruptBackupException(
            "sha256 mismatch for "
                + RelativePaths.printable(rel)
                + " in backup "
                + manifest.backupId()
                + ": manifest "
                + e.getValue()
                + ", computed "
                + actual,
            rel);
      }
    }
  }

  private static Path resolveNoLinks(Path dir, String rel) throws IOException {
    String[] parts = rel.split("/");
    Path current = dir;
    for (int i = 0; i < parts.length; i++) {
      current = current.resolve(parts[i]);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        throw new CorruptBackupException(
            "file "
                + RelativePaths.printable(rel)
                + " listed in the manifest is missing from "
                + dir,
            rel,
            e);
      }
      boolean last = i == parts.length - 1;
      if (attrs.isSymbolicLink()) {
        throw new CorruptBackupException(
            "refusing to follow the symbolic link '"
                + RelativePaths.printable(parts[i])
                + "' while verifying "
                + RelativePaths.printable(rel)
                + " in "
                + dir,
            rel);
      }
      if (last ? !attrs.isRegularFile() : !attrs.isDirectory()) {
        throw new CorruptBackupException(
            "'"
                + RelativePaths.printable(parts[i])
                + "' is not a "
                + (last ? "regular file" : "directory")
                + " while verifying "
                + RelativePaths.printable(rel)
                + " in "
                + dir,
            rel);
      }
    }
    return current;
  }

  private static byte[] readCapped(Path file, int max, String where) throws IOException {
    BasicFileAttributes attrs =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attrs.isRegularFile()) {
      throw new CorruptBackupException(
          file.getFileName() + " " + where + " is not a regular file", null);
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) {
        throw new CorruptBackupException(
            file.getFileName() + " " + where + " is larger than " + max + " bytes", null);
      }
      return bytes;
    }
  }
}
