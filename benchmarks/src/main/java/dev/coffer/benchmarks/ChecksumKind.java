package dev.coffer.benchmarks;

import dev.coffer.local.ChecksumPath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The checksums and digests a user can choose between, each a small adapter over its library.
 *
 * <p>{@link #PROVIDER_PATH} calls the local provider's own checksum step ({@code
 * dev.coffer.local.Checksums.update}, through {@link dev.coffer.local.ChecksumPath}) on each 1 MiB
 * of the buffer, updating a CRC32C and the CRC32 the seed's format needs. Its cost over {@link
 * #CRC32C} is the overhead the provider adds to the raw JDK call.
 */
public enum ChecksumKind {
  /** {@link java.util.zip.CRC32} (intrinsic on x86_64). */
  CRC32 {
    @Override
    Checksummer create() {
      return new ZipChecksummer(new CRC32());
    }
  },
  /** {@link java.util.zip.CRC32C} (intrinsic on x86_64), the local provider's per-file check. */
  CRC32C {
    @Override
    Checksummer create() {
      return new ZipChecksummer(new CRC32C());
    }
  },
  /** {@link java.util.zip.Adler32}. */
  ADLER32 {
    @Override
    Checksummer create() {
      return new ZipChecksummer(new Adler32());
    }
  },
  /** SHA-256 from the JDK's SUN provider. */
  SHA256_JDK {
    @Override
    Checksummer create() {
      return new JdkDigestChecksummer(jdkSha256());
    }
  },
  /** SHA-256 from Bouncy Castle's lightweight API (pure Java). */
  SHA256_BC {
    @Override
    Checksummer create() {
      return new BcDigestChecksummer(new SHA256Digest());
    }
  },
  /** HMAC-SHA256 from the JDK (SunJCE) with a fixed 32-byte key. */
  HMAC_SHA256 {
    @Override
    Checksummer create() {
      return new MacChecksummer(hmacSha256());
    }
  },
  /** BLAKE3 (256-bit output) from Bouncy Castle (pure Java). */
  BLAKE3_BC {
    @Override
    Checksummer create() {
      return new BcDigestChecksummer(new Blake3Digest(256));
    }
  },
  /**
   * The local provider's backup path: CRC32C and the seed's CRC32 on each 1 MiB, through the
   * provider's own code. Returns {@code crc32c << 32 | crc32}.
   */
  PROVIDER_PATH {
    @Override
    Checksummer create() {
      return new ProviderPathChecksummer(true);
    }
  },
  /**
   * The same path without the CRC32, as the local provider's verify and its restore of Coffer
   * backups run it. Returns the CRC32C.
   */
  PROVIDER_PATH_CRC32C_ONLY {
    @Override
    Checksummer create() {
      return new ProviderPathChecksummer(false);
    }
  };

  /** The key HMAC_SHA256 uses: fixed, so results are reproducible. */
  static final byte[] HMAC_KEY =
      "coffer-benchmark-hmac-key-32byte".getBytes(StandardCharsets.US_ASCII);

  /** Returns a new checksummer of this kind, for one thread. */
  abstract Checksummer create();

  private static MessageDigest jdkSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private static Mac hmacSha256() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(HMAC_KEY, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
    }
  }

  static long firstEightBytes(byte[] digest) {
    return ByteBuffer.wrap(digest).getLong();
  }

  private static final class ZipChecksummer implements Checksummer {
    private final Checksum checksum;

    ZipChecksummer(Checksum checksum) {
      this.checksum = checksum;
    }

    @Override
    public long checksum(byte[] data) {
      checksum.reset();
      checksum.update(data, 0, data.length);
      return checksum.getValue();
    }

    @Override
    public long checksum(ByteBuffer data) {
      checksum.reset();
      checksum.update(data.duplicate());
      return checksum.getValue();
    }
  }

  private static final class JdkDigestChecksummer implements Checksummer {
    private final MessageDigest digest;

    JdkDigestChecksummer(MessageDigest digest) {
      this.digest = digest;
    }

    @Override
    public long checksum(byte[] data) {
      digest.update(data, 0, data.length);
      return firstEightBytes(digest.digest());
    }

    @Override
    public long checksum(ByteBuffer data) {
      digest.update(data.duplicate());
      return firstEightBytes(digest.digest());
    }
  }

  private static final class MacChecksummer implements Checksummer {
    private final Mac mac;

    MacChecksummer(Mac mac) {
      this.mac = mac;
    }

    @Override
    public long checksum(byte[] data) {
      mac.update(data, 0, data.length);
      return firstEightBytes(mac.doFinal());
    }

    @Override
    public long checksum(ByteBuffer data) {
      mac.update(data.duplicate());
      return firstEightBytes(mac.doFinal());
    }
  }

  /** Bouncy Castle digests take only arrays: a direct buffer goes through a 64 KiB array. */
  private static final class BcDigestChecksummer implements Checksummer {
    private final Digest digest;
    private final byte[] chunk = new byte[64 * 1024];
    private final byte[] out;

    BcDigestChecksummer(Digest digest) {
      this.digest = digest;
      this.out = new byte[digest.getDigestSize()];
    }

    @Override
    public long checksum(byte[] data) {
      digest.update(data, 0, data.length);
      digest.doFinal(out, 0);
      return firstEightBytes(out);
    }

    @Override
    public long checksum(ByteBuffer data) {
      ByteBuffer src = data.duplicate();
      while (src.hasRemaining()) {
        int n = Math.min(chunk.length, src.remaining());
        src.get(chunk, 0, n);
        digest.update(chunk, 0, n);
      }
      digest.doFinal(out, 0);
      return firstEightBytes(out);
    }
  }

  /**
   * The local provider's checksum path, called for real ({@link dev.coffer.local.ChecksumPath}
   * opens the package-private {@code Checksums.update}): one call per buffer of at most 1 MiB, as
   * the provider's copy loops make it after each read; the read itself is I/O, not checksum, and is
   * left out. Heap buffers are wrapped (the provider reads into direct ones).
   */
  private static final class ProviderPathChecksummer implements Checksummer {
    static final int BUFFER_BYTES = 1 << 20;
    private final boolean withCrc32;

    ProviderPathChecksummer(boolean withCrc32) {
      this.withCrc32 = withCrc32;
    }

    @Override
    public long checksum(byte[] data) {
      return checksum(ByteBuffer.wrap(data));
    }

    @Override
    public long checksum(ByteBuffer data) {
      CRC32C c32c = new CRC32C();
      CRC32 c32 = withCrc32 ? new CRC32() : null;
      ByteBuffer src = data.duplicate();
      int end = src.limit();
      for (int off = src.position(); off < end; off += BUFFER_BYTES) {
        src.limit(Math.min(end, off + BUFFER_BYTES)).position(off);
        ChecksumPath.update(c32c, c32, src);
      }
      return c32 == null ? c32c.getValue() : c32c.getValue() << 32 | c32.getValue();
    }
  }
}
