package dev.coffer.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The one-pass copy loop and AmateRS's whole-backup CRC32.
 *
 * <p>Every byte read goes through one direct buffer: the per-file CRC32C (what verify and restore
 * check) and the per-file CRC32 (from which AmateRS's whole-backup checksum is assembled with
 * {@link #combine}) are updated on the same buffer that is then written, so a file is read exactly
 * once.
 */
final class Checksums {

  private Checksums() {}

  /** Receives the running byte count of a long copy, so progress can be reported within a file. */
  @FunctionalInterface
  interface ByteCounter {
    void bytesCopied(long bytesSoFar);

    ByteCounter NONE = n -> {};
  }

  /** The checksums and length of one stream of bytes. */
  record Sums(long size, long crc32c, long crc32) {}

  /**
   * Copies {@code in} from its current position to its end into {@code out} (or only reads it when
   * {@code out} is null), checksumming the same buffer it writes; computes the CRC32 only when
   * {@code withCrc32} (it is needed for AmateRS's whole-backup checksum, not for checking a file),
   * the returned CRC32 is otherwise -1.
   */
  static Sums copy(
      FileChannel in, FileChannel out, ByteBuffer buffer, ByteCounter counter, boolean withCrc32)
      throws IOException {
    CRC32C c32c = new CRC32C();
    CRC32 c32 = withCrc32 ? new CRC32() : null;
    long total = 0;
    long nextReport = 64L << 20;
    while (true) {
      buffer.clear();
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      buffer.flip();
      update(c32c, c32, buffer);
      if (out != null) {
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
      total += n;
      if (total >= nextReport) {
        counter.bytesCopied(total);
        nextReport = total + (64L << 20);
      }
    }
    return new Sums(total, c32c.getValue(), c32 == null ? -1 : c32.getValue());
  }

  /**
   * The providers' checksum path: updates {@code c32c} and, unless it is null, {@code c32} with the
   * bytes from the buffer's position to its limit, leaving the position where it was (the same
   * bytes are written next). Every byte a backup, restore or verify reads goes through here; the
   * benchmarks measure this method against a bare {@code CRC32C.update}.
   */
  static void update(CRC32C c32c, CRC32 c32, ByteBuffer buffer) {
    int start = buffer.position();
    c32c.update(buffer);
    buffer.position(start);
    if (c32 != null) {
      c32.update(buffer);
      buffer.position(start);
    }
  }

  /** CRC32 of the UTF-8 bytes of a relative path, as AmateRS feeds it into its checksum. */
  static Sums pathSums(String path) {
    byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
    CRC32 c = new CRC32();
    c.update(bytes);
    return new Sums(bytes.length, 0, c.getValue());
  }

  /** Appends a file (its path, then its content) to AmateRS's running whole-backup CRC32. */
  static long appendFile(long wholeCrc32, String path, long contentCrc32, long contentSize) {
    Sums p = pathSums(path);
    long crc = combine(wholeCrc32, p.crc32(), p.size());
    return combine(crc, contentCrc32, contentSize);
  }

  /**
   * The CRC32 of the concatenation of two byte strings from their CRC32s and the second one's
   * length (zlib's {@code crc32_combine}, in its x^(8n) mod P form), so a hard-linked file adds its
   * recorded CRC32 without being read.
   */
  static long combine(long crc1, long crc2, long len2) {
    return CRC32_POLY.combine(crc1, crc2, len2);
  }

  /**
   * As {@link #combine}, for CRC32C (the Castagnoli polynomial), so ranges read apart make one
   * file's sum.
   */
  static long combineC(long crc1, long crc2, long len2) {
    return CRC32C_POLY.combine(crc1, crc2, len2);
  }

  private static final Gf2 CRC32_POLY = new Gf2(0xEDB88320);
  private static final Gf2 CRC32C_POLY = new Gf2(0x82F63B78);

  /** Arithmetic modulo one reflected CRC polynomial, as zlib's crc32_combine does it. */
  private static final class Gf2 {
    private final int poly;

    /** x2n[k] = x^(2^k) mod P, in the reflected bit order. */
    private final int[] x2n = new int[32];

    Gf2(int poly) {
      this.poly = poly;
      int p = 1 << 30; // x^1
      x2n[0] = p;
      for (int n = 1; n < 32; n++) {
        p = multModP(p, p);
        x2n[n] = p;
      }
    }

    long combine(long crc1, long crc2, long len2) {
      if (len2 <= 0) {
        return crc1 & 0xFFFFFFFFL;
      }
      return (multModP(xPow8n(len2), (int) crc1) ^ crc2) & 0xFFFFFFFFL;
    }

    private int multModP(int a, int b) {
      int m = 1 << 31;
      int p = 0;
      int bb = b;
      while (true) {
        if ((a & m) != 0) {
          p ^= bb;
          if ((a & (m - 1)) == 0) {
            break;
          }
        }
        m >>>= 1;
        bb = (bb & 1) != 0 ? (bb >>> 1) ^ poly : bb >>> 1;
      }
      return p;
    }

    /** x^(8n) mod P: the operator that shifts a CRC over n zero bytes. */
    private int xPow8n(long n) {
      int p = 1 << 31; // x^0
      int k = 3;
      long len = n;
      while (len != 0) {
        if ((len & 1) != 0) {
          p = multModP(x2n[k & 31], p);
        }
        len >>>= 1;
        k++;
      }
      return p;
    }
  }

  static String hex(long crc) {
    return String.format("%08x", crc);
  }
}
