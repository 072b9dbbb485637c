package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coffer.BackupException;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Attacks on a whole version-2 archive (the committed vectors), read the way a restore composes the
 * objects: commit, keys, manifest, block references, blocks. Every attack must fail before a byte
 * of the file is returned.
 */
class V2AttackTest {

  private static final UUID REPO = V2Fixtures.REPOSITORY;
  private static final String ID = V2KnownAnswerTest.BACKUP_ID;

  /**
   * The file {@code f} of the vector archive, as a restore reads it; throws before returning
   * anything.
   */
  static byte[] restore(
      byte[] commitBytes,
      byte[] manifest,
      byte[] data,
      String tableText,
      UUID repository,
      Identities with)
      throws BackupException {
    CommitObject commit = CommitObject.decode(commitBytes, repository, ID);
    commit.verifySignature(V2KnownAnswerTest.host().publicKey());
    V2Keys keys = commit.openKeys(with);
    ManifestSealer.open(keys, commit.statement(), manifest);
    return readFile(commit, keys, data, tableText);
  }

  /** The blocks of {@code f}, once the commit and manifest are checked. */
  static byte[] readFile(CommitObject commit, V2Keys keys, byte[] data, String tableText)
      throws BackupException {
    if (data.length != commit.statement().dataLengthBytes()) {
      throw new CorruptBackupException("data object of " + data.length + " bytes", null);
    }
    List<BlockRef> table = BlockTable.decode("f", tableText, 1, 2);
    BlockResolver resolver =
        new BlockResolver(
            List.of(
                ArchiveBlocks.of(
                    commit.statement().archiveId(),
                    data.length,
                    commit.statement().blockSizeBytes(),
                    table)));
    byte[] expectedHash = BlockTable.contentHash(vectorTable());
    List<BlockResolver.Location> where = resolver.checkFile("f", 5096, expectedHash, table);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BlockSealer s = new BlockSealer(keys, commit.statement().blockSizeBytes(), 3)) {
      for (BlockResolver.Location l : where) {
        BlockRef b = l.block();
        byte[] raw =
            s.open(b.blockNumber(), b.rawLength(), data, (int) b.offset(), b.storedLength());
        BlockResolver.checkContent("f", b, raw);
        out.writeBytes(raw);
      }
    }
    return out.toByteArray();
  }

  private static List<BlockRef> vectorTable() {
    try {
      return BlockTable.decode("f", table(), 1, 2);
    } catch (CorruptBackupException e) {
      throw new AssertionError(e);
    }
  }

  private static String table() {
    try {
      return new String(V2KnownAnswerTest.vector("block-table.txt"), StandardCharsets.US_ASCII)
          .strip();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] v(String name) throws java.io.IOException {
    return V2KnownAnswerTest.vector(name);
  }

  private static Identities identity() {
    return Identities.x25519(List.of(V2KnownAnswerTest.identity()));
  }

  @Test
  void untouchedArchive_restoresTheOriginalBytes() throws Exception {
    byte[] expected = DerKeys.concat(V2KnownAnswerTest.RAW_0, V2KnownAnswerTest.RAW_1);
    assertArrayEquals(
        expected,
        restore(v("commit.bin"), v("manifest.bin"), v("data.bin"), table(), REPO, identity()));
    assertArrayEquals(
        expected,
        restore(
            v("commit.bin"),
            v("manifest.bin"),
            v("data.bin"),
            table(),
            REPO,
            Identities.symmetric(V2Fixtures.masterKey())));
  }

  @Test
  void everyFlippedOrTruncatedByteOfTheDataObject_failsAsCorrupt() throws Exception {
    CommitObject commit = CommitObject.decode(v("commit.bin"), REPO, ID);
    V2Keys keys = commit.openKeys(identity());
    byte[] data = v("data.bin");
    for (int i = 0; i < data.length; i++) {
      byte[] bad = data.clone();
      bad[i] ^= 0x10;
      assertThrows(
          CorruptBackupException.class, () -> readFile(commit, keys, bad, table()), "byte " + i);
      byte[] cut = Arrays.copyOf(data, i);
      assertThrows(
          CorruptBackupException.class, () -> readFile(commit, keys, cut, table()), "length " + i);
    }
  }

  @Test
  void swappedDroppedOrDuplicatedBlocks_failAsCorrupt() throws Exception {
    byte[] commit = v("commit.bin");
    byte[] manifest = v("manifest.bin");
    byte[] data = v("data.bin");
    List<BlockRef> t = vectorTable();
    BlockRef b0 = t.get(0);
    BlockRef b1 = t.get(1);
    // the blocks' bytes swapped in the data object, the table unchanged
    byte[] swappedData =
        DerKeys.concat(
            Arrays.copyOfRange(data, (int) b1.offset(), data.length),
            Arrays.copyOf(data, (int) b1.offset()));
    assertThrows(
        CorruptBackupException.class,
        () -> restore(commit, manifest, swappedData, table(), REPO, identity()));
    for (List<BlockRef> bad :
        List.of(List.of(b1, b0), List.of(b0), List.of(b0, b0, b1), List.of(b1, b1))) {
      String text = BlockTable.encode(bad);
      assertThrows(
          CorruptBackupException.class,
          () -> restore(commit, manifest, data, text, REPO, identity()),
          bad.toString());
    }
  }

  @Test
  void objectsOfAnotherArchiveOrRepository_areRefused() throws Exception {
    byte[] commit = v("commit.bin");
    byte[] manifest = v("manifest.bin");
    byte[] data = v("data.bin");
    // another archive with the same data key, salt and layout: its blocks and manifest fail
    // authentication
    V2Keys other = V2Keys.derive(V2Fixtures.dataKey(), V2Fixtures.salt(), V2Fixtures.OTHER_ARCHIVE);
    byte[] theirData;
    try (BlockSealer s = new BlockSealer(other, V2KnownAnswerTest.BLOCK, 3)) {
      theirData =
          DerKeys.concat(
              s.seal(0, V2KnownAnswerTest.RAW_0, 0, V2KnownAnswerTest.RAW_0.length),
              s.seal(1, V2KnownAnswerTest.RAW_1, 0, V2KnownAnswerTest.RAW_1.length));
    }
    byte[] spliced = theirData;
    assertThrows(
        CorruptBackupException.class,
        () -> restore(commit, manifest, spliced, table(), REPO, identity()));
    byte[] theirManifest = ManifestSealer.seal(other, V2KnownAnswerTest.MANIFEST, 3);
    assertThrows(
        CorruptBackupException.class,
        () -> restore(commit, theirManifest, data, table(), REPO, identity()));
    // the commit read as part of another repository
    assertThrows(
        CorruptBackupException.class,
        () -> restore(commit, manifest, data, table(), UUID.randomUUID(), identity()));
  }

  @Test
  void aKeyForNoSlot_failsWithWrongKey_beforeAnyObjectButTheCommitIsRead() throws Exception {
    Identities stranger =
        Identities.x25519(List.of(X25519Identity.generate(V2Fixtures.fixedRandom(5))));
    assertThrows(
        WrongKeyException.class,
        () -> restore(v("commit.bin"), new byte[0], new byte[0], "", REPO, stranger));
  }
}
