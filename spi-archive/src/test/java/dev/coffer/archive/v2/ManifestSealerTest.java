package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ManifestSealerTest {

  private static final byte[] JSON =
      ("{\"format\":\"coffer-archive-manifest/2\",\"files\":["
              + "{\"path\":\"base/1/1259\",\"size\":8192}, ".repeat(20)
              + "]}")
          .getBytes(StandardCharsets.UTF_8);

  /**
   * A statement recording {@code sealed}, as a writer (or an attacker rewriting the commit) would.
   */
  private static CommitStatement recording(byte[] sealed) {
    return new CommitStatement(
        V2Fixtures.REPOSITORY,
        V2Fixtures.ARCHIVE,
        "b1",
        V2Fixtures.salt(),
        65536,
        0,
        Math.max(1, sealed.length),
        ManifestSealer.hash(sealed),
        V2Fixtures.keys().commitment(),
        new byte[0]);
  }

  @Test
  void manifest_isCompressedSealedAndOpensToTheSameBytes() throws Exception {
    V2Keys keys = V2Fixtures.keys();
    byte[] sealed = ManifestSealer.seal(keys, JSON, 3);
    assertEquals(1, sealed[0]);
    assertTrue(sealed.length < JSON.length);
    assertArrayEquals(JSON, ManifestSealer.open(keys, recording(sealed), sealed));
    byte[] tiny = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] raw = ManifestSealer.seal(keys, tiny, 3);
    assertEquals(0, raw[0]);
    assertArrayEquals(tiny, ManifestSealer.open(keys, recording(raw), raw));
  }

  @Test
  void manifestThatIsNotTheOneTheCommitRecords_isRefusedBeforeDecrypting() {
    V2Keys keys = V2Fixtures.keys();
    byte[] sealed = ManifestSealer.seal(keys, JSON, 3);
    CommitStatement commit = recording(sealed);
    byte[] other = ManifestSealer.seal(keys, "{\"x\":1}".getBytes(StandardCharsets.UTF_8), 3);
    CorruptBackupException e =
        assertThrows(CorruptBackupException.class, () -> ManifestSealer.open(keys, commit, other));
    assertTrue(e.getMessage().contains("does not match its commit"), e.getMessage());
  }

  @Test
  void everyFlippedByte_failsAsCorrupt_evenWhenTheCommitIsRewrittenToMatch() {
    V2Keys keys = V2Fixtures.keys();
    byte[] sealed = ManifestSealer.seal(keys, JSON, 3);
    CommitStatement commit = recording(sealed);
    for (int i = 0; i < sealed.length; i++) {
      byte[] bad = sealed.clone();
      bad[i] ^= 0x04;
      assertThrows(
          CorruptBackupException.class, () -> ManifestSealer.open(keys, commit, bad), "byte " + i);
      assertThrows(
          CorruptBackupException.class,
          () -> ManifestSealer.open(keys, recording(bad), bad),
          "byte " + i);
    }
  }

  @Test
  void truncatedAtEveryOffset_failsAsCorrupt_evenWhenTheCommitIsRewrittenToMatch() {
    V2Keys keys = V2Fixtures.keys();
    byte[] sealed = ManifestSealer.seal(keys, JSON, 3);
    for (int n = 0; n < sealed.length; n++) {
      byte[] cut = Arrays.copyOf(sealed, n);
      assertThrows(
          CorruptBackupException.class,
          () -> ManifestSealer.open(keys, recording(cut), cut),
          "length " + n);
    }
  }

  @Test
  void manifestOfAnotherArchive_failsAuthentication() {
    V2Keys other = V2Keys.derive(V2Fixtures.dataKey(), V2Fixtures.salt(), V2Fixtures.OTHER_ARCHIVE);
    byte[] theirs = ManifestSealer.seal(other, JSON, 3);
    CorruptBackupException e =
        assertThrows(
            CorruptBackupException.class,
            () -> ManifestSealer.open(V2Fixtures.keys(), recording(theirs), theirs));
    assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
  }
}
