package dev.coffer.spi.support;

import dev.coffer.BackupId;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Generation of new backup ids; {@link dev.coffer.BackupId} holds the syntax every id must have.
 *
 * <p>New ids are version-7 UUIDs (RFC 9562): unique without coordination, so concurrent writers,
 * even in different processes, never collide; ordered by creation time; and of the same form as the
 * UUIDv4 ids the seed implementations wrote.
 */
public final class BackupIds {

  /**
   * On first use only: loading this class (every listing) must not initialise the JCA provider
   * tables.
   */
  private static final class Randomness {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  private BackupIds() {}

  /**
   * Generates a new id from the system clock.
   *
   * @return a new version-7 UUID in its canonical lowercase form
   */
  public static BackupId newId() {
    return newId(Clock.systemUTC());
  }

  /**
   * Generates a new id from {@code clock}.
   *
   * @param clock the time source for the id's timestamp bits
   * @return a new version-7 UUID in its canonical lowercase form
   */
  public static BackupId newId(Clock clock) {
    long millis = clock.millis();
    byte[] random = new byte[10];
    Randomness.RANDOM.nextBytes(random);
    long msb = (millis << 16) | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
    long lsb = 0x8000000000000000L | ((random[2] & 0x3FL) << 56);
    for (int i = 3; i < 10; i++) {
      lsb |= (random[i] & 0xFFL) << (8 * (9 - i));
    }
    return BackupId.of(new UUID(msb, lsb).toString());
  }
}
