package dev.coffer.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChecksumKindTest {

  private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

  private static long expectedCheckValue(ChecksumKind kind) throws Exception {
    switch (kind) {
      case CRC32:
        return 0xCBF43926L;
      case CRC32C:
        return 0xE3069283L;
      case ADLER32:
        return 0x091E01DEL;
      case SHA256_JDK:
      case SHA256_BC:
        return 0x15e2b0d3c33891ebL;
      case HMAC_SHA256:
        {
          Mac mac = Mac.getInstance("HmacSHA256");
          mac.init(new SecretKeySpec(ChecksumKind.HMAC_KEY, "HmacSHA256"));
          return ChecksumKind.firstEightBytes(mac.doFinal(CHECK));
        }
      case BLAKE3_BC:
        // BLAKE3-256("123456789"), first 8 bytes: the known check value of the reference
        // implementation
        return ByteBuffer.wrap(HexFormat.of().parseHex("b7d65b48420d1033")).getLong();
      case PROVIDER_PATH:
        return 0xE3069283L << 32 | 0xCBF43926L;
      case PROVIDER_PATH_CRC32C_ONLY:
        return 0xE3069283L;
      default:
        throw new AssertionError(kind);
    }
  }

  @ParameterizedTest
  @EnumSource(ChecksumKind.class)
  void everyKind_computesTheKnownCheckValueOf123456789_fromHeapAndDirectInput(ChecksumKind kind)
      throws Exception {
    Checksummer checksummer = kind.create();
    ByteBuffer direct = ByteBuffer.allocateDirect(CHECK.length).put(CHECK).flip();

    assertEquals(expectedCheckValue(kind), checksummer.checksum(CHECK), "heap");
    assertEquals(expectedCheckValue(kind), checksummer.checksum(direct), "direct");
    assertEquals(0, direct.position(), "the input buffer's position is left alone");
  }

  @ParameterizedTest
  @EnumSource(ChecksumKind.class)
  void everyKind_agreesBetweenHeapAndDirect_onInputLongerThanItsCopyBuffer(ChecksumKind kind) {
    byte[] data = new byte[2_500_000]; // > 2 chunks of the 1 MiB copy buffer, last one partial
    new SplittableRandom(1).nextBytes(data);
    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
    Checksummer checksummer = kind.create();

    long heap = checksummer.checksum(data);

    assertEquals(heap, checksummer.checksum(direct));
    assertEquals(heap, checksummer.checksum(data), "state is reset between calls");
  }

  @Test
  void sha256Adapters_matchTheJdkDigestOnLargeInput() throws Exception {
    byte[] data = new byte[300_000];
    new SplittableRandom(2).nextBytes(data);
    long expected = ChecksumKind.firstEightBytes(MessageDigest.getInstance("SHA-256").digest(data));

    assertEquals(expected, ChecksumKind.SHA256_JDK.create().checksum(data));
    assertEquals(expected, ChecksumKind.SHA256_BC.create().checksum(data));
  }
}
