package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HkdfTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  private static byte[] range(int from, int to) {
    byte[] b = new byte[to - from + 1];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (from + i);
    }
    return b;
  }

  /** RFC 5869 appendix A, test cases 1 to 3 (SHA-256). */
  @ParameterizedTest(name = "RFC 5869 test case {0}")
  @CsvSource({
    "1, 077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5, "
        + "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    "2, 06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244, "
        + "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da32756"
        + "00c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
    "3, 19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04, "
        + "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
  })
  void hkdf_matchesRfc5869VectorsAndBouncyCastle(int testCase, String prkHex, String okmHex) {
    byte[] ikm;
    byte[] salt;
    byte[] info;
    if (testCase == 1) {
      ikm = new byte[22];
      java.util.Arrays.fill(ikm, (byte) 0x0b);
      salt = range(0x00, 0x0c);
      info = range(0xf0, 0xf9);
    } else if (testCase == 2) {
      ikm = range(0x00, 0x4f);
      salt = range(0x60, 0xaf);
      info = range(0xb0, 0xff);
    } else {
      ikm = new byte[22];
      java.util.Arrays.fill(ikm, (byte) 0x0b);
      salt = new byte[0];
      info = new byte[0];
    }
    byte[] okm = hex(okmHex);
    byte[] prk = Hkdf.extract(salt, ikm);
    assertArrayEquals(hex(prkHex), prk);
    assertArrayEquals(okm, Hkdf.expand(prk, info, okm.length));

    HKDFBytesGenerator bc = new HKDFBytesGenerator(new SHA256Digest());
    bc.init(new HKDFParameters(ikm, salt, info));
    byte[] bcOut = new byte[okm.length];
    bc.generateBytes(bcOut, 0, bcOut.length);
    assertArrayEquals(okm, bcOut);
  }
}
