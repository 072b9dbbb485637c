package dev.coffer.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.archive.WriterPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The bridge into the archive writer: it really compresses and seals, and threads change no byte
 * count.
 */
class WriterPathTest {

  @Test
  void writesACompressedArchive_ofTheSameLength_onOneOrTwoThreads() throws IOException {
    ByteBuffer db = ByteBuffer.wrap(DataKind.DATABASE.generate(4 << 20));
    ByteBuffer random = ByteBuffer.wrap(DataKind.RANDOM.generate(4 << 20));
    long[] dbLength = new long[3];
    long[] randomLength = new long[3];
    for (int threads = 1; threads <= 2; threads++) {
      try (WriterPath w = new WriterPath(threads, 3)) {
        dbLength[threads] = w.writeArchive(db);
        randomLength[threads] = w.writeArchive(random);
        assertEquals(dbLength[threads], w.writeArchive(db), "the same input, the same length");
      }
    }
    assertEquals(dbLength[1], dbLength[2]);
    assertEquals(randomLength[1], randomLength[2]);
    assertTrue(dbLength[1] < db.capacity() / 10, "database pages compress: " + dbLength[1]);
    assertTrue(
        randomLength[1] > random.capacity(),
        "random bytes are stored and sealed: " + randomLength[1]);
    assertEquals(4 << 20, db.remaining(), "the caller's buffer is not consumed");
  }
}
