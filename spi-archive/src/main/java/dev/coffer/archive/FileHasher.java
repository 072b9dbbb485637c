package dev.coffer.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash stage: SHA-256 over a file's bytes in order (the JDK's, SHA-NI: docs/benchmarks.md). Not
 * thread-safe.
 */
final class FileHasher {

  private final MessageDigest digest;
  private long bytes;

  FileHasher() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  void update(byte[] data, int off, int len) {
    digest.update(data, off, len);
    bytes += len;
  }

  long bytes() {
    return bytes;
  }

  byte[] finish() {
    return digest.digest();
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /**
   * Lowercase hex SHA-256 of a whole file, not following a link (an incremental's base, a changed
   * file).
   */
  static String sha256Hex(Path file) throws IOException {
    FileHasher h = new FileHasher();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        h.update(buf, 0, n);
      }
    }
    return hex(h.finish());
  }
}
