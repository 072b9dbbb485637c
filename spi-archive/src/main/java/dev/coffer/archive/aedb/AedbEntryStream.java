package dev.coffer.archive.aedb;

import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdIOException;
import dev.coffer.CorruptBackupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * The decompressed bytes of one entry as handed to the sink: decoding errors become {@link
 * CorruptBackupException}s, output is capped, every byte is hashed, and the manifest files are
 * captured (bounded).
 */
final class AedbEntryStream extends InputStream {
  private final InputStream zstd;
  private final AedbEntry entry;
  private final long limit;
  private final ByteArrayOutputStream capture;
  private final int captureCap;
  final MessageDigest digest = AedbManifest.sha256();
  long count;
  private boolean eof;

  private final String backupId;
  private final long archiveLimit;

  AedbEntryStream(
      InputStream zstd,
      AedbEntry entry,
      long limit,
      ByteArrayOutputStream capture,
      int captureCap,
      String backupId,
      long archiveLimit) {
    this.backupId = backupId;
    this.archiveLimit = archiveLimit;
    this.zstd = zstd;
    this.entry = entry;
    this.limit = limit;
    this.capture = capture;
    this.captureCap = captureCap;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n;
    do {
      n = read(one, 0, 1);
    } while (n == 0);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (eof) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    // Ask for at most one byte beyond the limit, so nothing beyond it is ever handed out.
    long room = limit - count;
    int want = room >= len ? len : (int) room + 1;
    int n;
    try {
      n = zstd.read(b, off, want);
    } catch (ZstdIOException | ZstdException e) {
      throw AedbFormat.corrupt(
          backupId, "has corrupt zstd data: " + e.getMessage(), entry.path(), e);
    }
    if (n < 0) {
      eof = true;
      return -1;
    }
    count += n;
    if (count > limit) {
      throw AedbFormat.corrupt(
          backupId,
          "decompresses beyond the output limit of "
              + archiveLimit
              + " bytes for the whole archive (decompression bomb?)",
          entry.path(),
          null);
    }
    digest.update(b, off, n);
    if (capture != null) {
      if (capture.size() + n > captureCap) {
        throw AedbFormat.corrupt(
            backupId, "is larger than " + captureCap + " bytes", entry.path(), null);
      }
      capture.write(b, off, n);
    }
    return n;
  }

  void drain() throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (read(buf, 0, buf.length) >= 0) {
      // hashed and counted by read
    }
  }

  @Override
  public void close() {
    // the reader owns the decoder
  }
}
