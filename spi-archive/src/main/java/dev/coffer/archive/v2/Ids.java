package dev.coffer.archive.v2;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Repository and archive ids are 16 bytes on disk: a {@link UUID}'s most then least significant
 * half.
 */
final class Ids {

  private Ids() {}

  static byte[] bytes(UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  static UUID read(ByteBuffer in) {
    return new UUID(in.getLong(), in.getLong());
  }
}
