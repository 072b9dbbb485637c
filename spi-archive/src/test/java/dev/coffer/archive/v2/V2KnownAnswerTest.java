package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Known-answer vectors of every version-2 object under {@code vectors/v2/}: written once by this
 * code with fixed keys, ids and randomness ({@code -Dcoffer.writeVectors=DIR} writes them to {@code
 * DIR/v2}), then checked both ways, so a change to any byte layout or derivation fails here.
 */
class V2KnownAnswerTest {

  static final int BLOCK = 4096;
  static final String BACKUP_ID = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
  static final byte[] RAW_0 = V2Fixtures.pages(BLOCK, 1);
  static final byte[] RAW_1 = V2Fixtures.noise(1000, 2);
  static final byte[] MANIFEST =
      "{\"format\":\"coffer-archive-manifest/2\",\"files\":[{\"path\":\"f\",\"size\":5096}]}"
          .getBytes(StandardCharsets.UTF_8);

  static X25519Identity identity() {
    return X25519Identity.parse(
        KeyText.format(KeyText.X25519_SECRET, V2Fixtures.counting(0x60, 32)));
  }

  static HostSigningKey host() {
    return HostSigningKey.parse(
        KeyText.format(KeyText.ED25519_SECRET, V2Fixtures.counting(0x20, 32)));
  }

  /** Every vector, by file name, as this code writes it. */
  static Map<String, byte[]> generate() {
    Map<String, byte[]> out = new TreeMap<>();
    V2Keys keys = V2Fixtures.keys();
    byte[] b0;
    byte[] b1;
    try (BlockSealer s = new BlockSealer(keys, BLOCK, 3)) {
      b0 = s.seal(0, RAW_0, 0, RAW_0.length);
      b1 = s.seal(1, RAW_1, 0, RAW_1.length);
    }
    byte[] data = DerKeys.concat(b0, b1);
    List<BlockRef> table =
        List.of(
            new BlockRef(0, 0, 0, b0.length, RAW_0.length, BlockTable.sha256().digest(RAW_0)),
            new BlockRef(
                0, 1, b0.length, b1.length, RAW_1.length, BlockTable.sha256().digest(RAW_1)));
    byte[] manifest = ManifestSealer.seal(keys, MANIFEST, 3);
    CommitStatement statement =
        new CommitStatement(
            V2Fixtures.REPOSITORY,
            V2Fixtures.ARCHIVE,
            BACKUP_ID,
            V2Fixtures.salt(),
            BLOCK,
            data.length,
            manifest.length,
            ManifestSealer.hash(manifest),
            keys.commitment(),
            "{\"total_files\":1,\"total_bytes\":5096}".getBytes(StandardCharsets.UTF_8));
    SecureRandom random = V2Fixtures.fixedRandom(2026);
    CommitObject commit =
        CommitObject.create(
            statement,
            V2Fixtures.dataKey(),
            Recipients.x25519(List.of(identity().recipient()))
                .withSymmetric(V2Fixtures.masterKey()),
            Optional.of(host()),
            random);
    out.put("data.bin", data);
    out.put(
        "block-table.txt", (BlockTable.encode(table) + "\n").getBytes(StandardCharsets.US_ASCII));
    out.put("manifest.bin", manifest);
    out.put("commit.bin", commit.encode());
    out.put(
        "keys.txt",
        ("# test keys of the v2 vectors (docs/design/archive-v2.md); never use them elsewhere\n"
                + identity().secretText()
                + "\n"
                + identity().recipient()
                + "\n"
                + host().secretText()
                + "\n"
                + host().publicKey()
                + "\n")
            .getBytes(StandardCharsets.US_ASCII));
    return out;
  }

  static byte[] vector(String name) throws IOException {
    try (InputStream in = V2KnownAnswerTest.class.getResourceAsStream("/vectors/v2/" + name)) {
      assertNotNull(in, "missing vector v2/" + name);
      return in.readAllBytes();
    }
  }

  @Test
  void writer_producesTheCommittedVectors() throws IOException {
    Map<String, byte[]> actual = generate();
    String out = System.getProperty("coffer.writeVectors");
    if (out != null) {
      Path dir = Path.of(out).resolve("v2"); // test-only: the developer's disk
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> e : actual.entrySet()) {
        Files.write(dir.resolve(e.getKey()), e.getValue());
      }
    }
    for (Map.Entry<String, byte[]> e : actual.entrySet()) {
      assertArrayEquals(
          vector(e.getKey()),
          e.getValue(),
          "v2/" + e.getKey() + " differs from the committed vector");
    }
  }

  @Test
  void committedVectors_openWithTheTestKeys_andYieldTheOriginalBytes() throws Exception {
    CommitObject commit =
        CommitObject.decode(vector("commit.bin"), V2Fixtures.REPOSITORY, BACKUP_ID);
    commit.verifySignature(host().publicKey());
    assertEquals(2, commit.slotCount());
    V2Keys keys = commit.openKeys(Identities.x25519(List.of(identity())));
    assertArrayEquals(
        V2Fixtures.keys().commitment(),
        commit.openKeys(Identities.symmetric(V2Fixtures.masterKey())).commitment());
    assertArrayEquals(
        MANIFEST, ManifestSealer.open(keys, commit.statement(), vector("manifest.bin")));

    byte[] data = vector("data.bin");
    assertEquals(commit.statement().dataLengthBytes(), data.length);
    List<BlockRef> table =
        BlockTable.decode(
            "f", new String(vector("block-table.txt"), StandardCharsets.US_ASCII).strip(), 1, 2);
    BlockResolver resolver =
        new BlockResolver(
            List.of(
                ArchiveBlocks.of(
                    commit.statement().archiveId(),
                    data.length,
                    commit.statement().blockSizeBytes(),
                    table)));
    List<BlockResolver.Location> where =
        resolver.checkFile("f", 5096, BlockTable.contentHash(table), table);
    byte[][] expected = {RAW_0, RAW_1};
    try (BlockSealer s = new BlockSealer(keys, commit.statement().blockSizeBytes(), 3)) {
      for (int i = 0; i < where.size(); i++) {
        BlockRef b = where.get(i).block();
        byte[] raw =
            s.open(b.blockNumber(), b.rawLength(), data, (int) b.offset(), b.storedLength());
        BlockResolver.checkContent("f", b, raw);
        assertArrayEquals(expected[i], raw);
      }
    }
  }
}
