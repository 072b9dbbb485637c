package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every object that holds a key is a class with a redacted toString, never a record that prints it.
 */
class KeyHoldersTest {

  private static final byte[] KEY = HexFormat.of().parseHex("a1".repeat(32));

  @Test
  void keyHolders_areNotRecords_andTheirToStringShowsNoKeyByte() {
    SecretBytes manifestKey = new SecretBytes(KEY);
    Keyring keyring = Keyring.rawKey(new SecretBytes(KEY));
    ArchiveSettings settings =
        new ArchiveSettings(
            keyring,
            Mode.ENCRYPTED,
            3,
            1,
            Format.DEFAULT_CHUNK_SIZE,
            b -> Arrays.fill(b, (byte) 1),
            Clock.systemUTC(),
            () -> "id",
            manifestKey,
            GcmWarmupSwitch.OFF,
            dev.coffer.spi.support.ChangedFilesPolicy.DEFAULT);
    Keyring.WriteKey writeKey = keyring.forWriting(b -> Arrays.fill(b, (byte) 1));
    List<Object> holders = List.of(manifestKey, keyring, settings, writeKey);
    String hex = HexFormat.of().formatHex(KEY);
    for (Object holder : holders) {
      assertFalse(holder.getClass().isRecord(), holder.getClass() + " is a record holding a key");
      String text = holder.toString();
      assertFalse(
          text.contains(hex) || text.contains("a1a1") || text.contains(Arrays.toString(KEY)), text);
    }
    assertTrue(settings.toString().contains("redacted"), settings.toString());
  }
}
