package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.CorruptBackupException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The version-2 manifest JSON: strict, bounded, and never trusting a path or a chain table read
 * from storage.
 */
class V2ManifestTest {

  private static final String ID = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
  private static final String BASE = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c";

  private static V2Manifest manifest(String path, List<V2Manifest.ChainEntry> archives) {
    byte[] raw = V2Fixtures.pages(5000, 1);
    BlockRef ref = new BlockRef(0, 0, 0, 100, raw.length, BlockTable.sha256().digest(raw));
    List<BlockRef> refs = List.of(ref);
    V2Manifest.FileEntry f =
        new V2Manifest.FileEntry(
            path,
            raw.length,
            1_700_000_000_123_456_789L,
            42L,
            "(dev=1,ino=2)",
            new V2Manifest.Posix("0640", 1000, 1000, "pg", "pg"),
            HexFormat.of().formatHex(BlockTable.contentHash(refs)),
            BlockTable.encode(refs));
    boolean full = archives.isEmpty();
    return new V2Manifest(
        V2Manifest.FORMAT,
        ID,
        V2Fixtures.ARCHIVE.toString(),
        "2026-12-06T06:00:00Z",
        full ? "FULL" : "INCREMENTAL",
        full ? null : archives.get(0).backupId(),
        1L,
        2_000_000_000L,
        65536,
        archives,
        new V2Manifest.Posix("0700", -1, -1, null, null),
        List.of(new V2Manifest.Dir("d", null)),
        List.of(f),
        List.of(new V2Manifest.Link("l", "d/f")));
  }

  private static byte[] json(V2Manifest m) {
    return V2Json.encode(m);
  }

  private static byte[] edit(V2Manifest m, UnaryOperator<String> change) {
    return change
        .apply(new String(json(m), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void manifest_roundTripsWithEveryFieldInSnakeCase() throws Exception {
    V2Manifest m =
        manifest(
            "d/f",
            List.of(
                new V2Manifest.ChainEntry(
                    BASE, V2Fixtures.OTHER_ARCHIVE.toString(), "ab".repeat(32))));
    String text = new String(json(m), StandardCharsets.UTF_8);
    assertTrue(
        text.contains("\"mtime_ns\":1700000000123456789") && text.contains("\"manifest_sha256\""),
        text);
    V2Manifest back = V2Json.manifest(json(m), ID);
    assertEquals(m, back);
    assertEquals(1, back.files().get(0).refs(back.chainSize(), back.blockSize()).size());
  }

  @Test
  void unknownMissingOrDuplicateFields_areRefused() {
    V2Manifest m = manifest("d/f", List.of());
    assertThrows(
        CorruptBackupException.class,
        () ->
            V2Json.manifest(edit(m, s -> s.replace("{\"format\"", "{\"extra\":1,\"format\"")), ID));
    assertThrows(
        CorruptBackupException.class,
        () ->
            V2Json.manifest(
                edit(
                    m,
                    s ->
                        s.replace("\"links\":[{\"path\":\"l\"," + "\"target\":\"d/f\"}],", "")
                            .replace(",\"links\":[{\"path\":\"l\",\"target\":\"d/f\"}]", "")),
                ID));
    assertThrows(
        CorruptBackupException.class,
        () ->
            V2Json.manifest(
                edit(m, s -> s.replace("{\"format\"", "{\"type\":\"FULL\",\"format\"")), ID));
    assertThrows(CorruptBackupException.class, () -> V2Json.manifest(edit(m, s -> s + " {}"), ID));
    assertThrows(
        CorruptBackupException.class,
        () ->
            V2Json.manifest(
                edit(m, s -> s.replace("\"block_size\":65536", "\"block_size\":\"65536\"")), ID),
        "a number as a string");
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(edit(m, s -> s.replace("\"size\":5000", "\"size\":5000.5")), ID),
        "a fraction");
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(edit(m, s -> s.replace("\"uid\":1000", "\"uid\":99999999999")), ID),
        "an int out of range");
    assertThrows(
        CorruptBackupException.class, () -> V2Json.manifest(json(m), BASE), "names another backup");
  }

  @Test
  void hostileOrDuplicatePaths_areRefused() {
    for (String bad : new String[] {"../x", "/abs", "a/../b", "a//b", "", "a\u0000b"}) {
      assertThrows(
          CorruptBackupException.class,
          () -> V2Json.manifest(json(manifest(bad, List.of())), ID),
          bad);
    }
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(json(manifest("d", List.of())), ID),
        "a file and a directory with one path");
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(json(manifest("l/passwd", List.of())), ID),
        "a file below a link");
    V2Manifest m = manifest("d/f", List.of());
    V2Manifest below =
        new V2Manifest(
            m.format(),
            m.backupId(),
            m.archiveId(),
            m.createdAt(),
            m.type(),
            m.baseBackupId(),
            m.scanStartedNs(),
            m.granularityNs(),
            m.blockSize(),
            m.archives(),
            m.rootPosix(),
            List.of(new V2Manifest.Dir("d", null), new V2Manifest.Dir("d/f/g", null)),
            m.files(),
            m.links());
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(json(below), ID),
        "a directory below a file");
  }

  @Test
  void inconsistentTypeBaseOrChainTable_isRefused() {
    V2Manifest.ChainEntry base =
        new V2Manifest.ChainEntry(BASE, V2Fixtures.OTHER_ARCHIVE.toString(), "ab".repeat(32));
    V2Manifest inc = manifest("d/f", List.of(base));
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(edit(inc, s -> s.replace("INCREMENTAL", "FULL")), ID));
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(json(manifest("d/f", List.of(base, base))), ID));
    assertThrows(
        CorruptBackupException.class,
        () -> V2Json.manifest(edit(inc, s -> s.replace("ab".repeat(32), "AB".repeat(32))), ID));
    assertThrows(
        CorruptBackupException.class,
        () ->
            V2Json.manifest(
                json(
                    manifest(
                        "d/f",
                        List.of(
                            new V2Manifest.ChainEntry(
                                "../x", V2Fixtures.OTHER_ARCHIVE.toString(), "ab".repeat(32))))),
                ID));
  }

  @Test
  void aBlockTableLongerThanTheFileSizeAllows_isRefusedBeforeDecoding() throws Exception {
    V2Manifest m = manifest("d/f", List.of());
    V2Manifest.FileEntry f = m.files().get(0);
    String twice = BlockTable.encode(List.of(f.refs(1, 65536).get(0), f.refs(1, 65536).get(0)));
    V2Manifest.FileEntry bad =
        new V2Manifest.FileEntry(
            f.path(),
            f.size(),
            f.mtimeNs(),
            f.ctimeNs(),
            f.fileKey(),
            f.posix(),
            f.sha256(),
            twice);
    assertThrows(CorruptBackupException.class, () -> bad.refs(1, 65536));
    V2Manifest.FileEntry huge =
        new V2Manifest.FileEntry(
            f.path(),
            Long.MAX_VALUE,
            f.mtimeNs(),
            f.ctimeNs(),
            f.fileKey(),
            f.posix(),
            f.sha256(),
            f.blocks());
    assertEquals(1, huge.refs(1, 65536).size(), "a huge size bounds the table without overflowing");
  }

  @Test
  void commitSummary_roundTripsAndRefusesAnotherBackupsSummary() throws Exception {
    V2Summary s =
        new V2Summary(
            ID,
            java.time.Instant.parse("2026-12-06T06:00:00.123456789Z"),
            "INCREMENTAL",
            BASE,
            3,
            100,
            10);
    assertEquals(s, V2Summary.decode(s.encode(), ID));
    assertTrue(s.encode().length < CommitStatement.MAX_SUMMARY_BYTES);
    assertThrows(CorruptBackupException.class, () -> V2Summary.decode(s.encode(), BASE));
  }
}
