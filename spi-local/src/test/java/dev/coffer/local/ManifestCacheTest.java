package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-instance manifest cache: a cached manifest equals what parsing its bytes gives, and any
 * change to the bytes on disk is seen by the same repository instance that cached them.
 */
class ManifestCacheTest {

  @TempDir Path tmp;

  @Test
  void writtenManifestsEqualWhatParsingTheirBytesGives_soCachingThemAtWriteTimeIsExact()
      throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Files.createSymbolicLink(source.resolve("link"), source.getFileSystem().getPath("file1.dat"));
    Files.createDirectories(source.resolve("empty"));
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata full = repo.backup(BackupRequest.full(source).withLabels(Map.of("k", "v")));
      Trees.write(source, "file2.dat", "changed content!!");
      BackupMetadata inc = repo.backup(BackupRequest.incremental(source, full.id()));
      for (BackupMetadata m : new BackupMetadata[] {full, inc}) {
        byte[] json = Files.readAllBytes(repoDir.resolve(m.backupId()).resolve(Layout.METADATA));
        Manifest parsed = Manifest.parse(json, m.backupId());
        assertEquals(parsed, Manifest.parse(parsed.toJson(), m.backupId()));
        assertTrue(
            Arrays.equals(json, parsed.toJson()),
            "toJson is deterministic: the bytes key the cache");
        assertEquals(m, parsed.metadata());
      }
      Manifest incParsed =
          Manifest.parse(
              Files.readAllBytes(repoDir.resolve(inc.backupId()).resolve(Layout.METADATA)),
              inc.backupId());
      assertTrue(
          incParsed.files().stream().anyMatch(Manifest.FileEntry::linked),
          "linked entries round-trip");
      assertFalse(incParsed.symlinks().isEmpty());
    }
  }

  @Test
  void getOnlyAnswersForIdenticalBytes() throws Exception {
    ManifestCache cache = new ManifestCache();
    Manifest m = manifest("id-1");
    byte[] json = m.toJson();
    cache.put("id-1", json, m);
    assertSame(m, cache.get("id-1", json.clone()));
    byte[] flipped = json.clone();
    flipped[flipped.length / 2] ^= 1;
    assertNull(cache.get("id-1", flipped));
    assertNull(cache.get("id-1", Arrays.copyOf(json, json.length - 1)));
    assertNull(cache.get("id-2", json));
  }

  @Test
  void holdsAtMostItsByteBound_evictingTheLeastRecentlyUsed_andNeverAnOversizeManifest()
      throws Exception {
    ManifestCache cache = new ManifestCache();
    Manifest m = manifest("x");
    int third = ManifestCache.MAX_JSON_BYTES / 3;
    byte[] a = new byte[third];
    byte[] b = new byte[third];
    byte[] c = new byte[third];
    byte[] d = new byte[third];
    cache.put("a", a, m);
    cache.put("b", b, m);
    cache.put("c", c, m);
    assertNotNull(cache.get("a", a)); // a is now the most recently used
    cache.put("d", d, m);
    assertNull(cache.get("b", b), "least recently used goes first");
    assertNotNull(cache.get("a", a));
    assertNotNull(cache.get("c", c));
    assertNotNull(cache.get("d", d));
    byte[] huge = new byte[ManifestCache.MAX_JSON_BYTES + 1];
    cache.put("huge", huge, m);
    assertNull(cache.get("huge", huge));
    cache.put("a", new byte[1], m); // replacing an entry releases its bytes
    assertNull(cache.get("a", a));
  }

  @Test
  void theInstanceThatWroteABackupSeesEveryLaterChangeToItsMetadata() throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Path repoDir = tmp.resolve("repo");
    try (BackupRepository repo = Trees.open(repoDir)) {
      BackupMetadata full = repo.backup(source);
      Path meta = repoDir.resolve(full.backupId()).resolve(Layout.METADATA);
      byte[] original = Files.readAllBytes(meta);
      // a different, well-formed manifest with a matching sidecar: the cache must not answer with
      // the old one
      String edited =
          new String(original, StandardCharsets.UTF_8)
              .replace("\"labels\" : { }", "\"labels\" : {\n    \"edited\" : \"yes\"\n  }");
      assertFalse(edited.equals(new String(original, StandardCharsets.UTF_8)), "the edit applies");
      Files.writeString(meta, edited);
      Files.write(
          repoDir.resolve(full.backupId()).resolve(Layout.SIDECAR),
          (Checksums.hex(crc32c(edited.getBytes(StandardCharsets.UTF_8))) + "\n")
              .getBytes(StandardCharsets.US_ASCII));
      assertEquals("yes", repo.find(full.id()).orElseThrow().labels().get("edited"));
      // a flipped byte: verify reports it and restore refuses, from the same instance
      byte[] flipped = edited.getBytes(StandardCharsets.UTF_8);
      flipped[flipped.length / 3] ^= 0x01;
      Files.write(meta, flipped);
      VerifyReport report = repo.verify(full.id());
      assertFalse(report.ok());
      assertThrows(
          CorruptBackupException.class,
          () -> repo.restore(RestoreRequest.of(full.id(), tmp.resolve("out"))));
      assertFalse(Files.exists(tmp.resolve("out")));
      assertThrows(
          CorruptBackupException.class,
          () -> repo.backup(BackupRequest.incremental(source, full.id())));
    }
  }

  private static long crc32c(byte[] bytes) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(bytes);
    return c.getValue();
  }

  private static Manifest manifest(String id) {
    BackupMetadata m =
        new BackupMetadata(
            id,
            java.time.Instant.parse("2026-12-05T00:00:00Z"),
            "/src",
            1,
            3,
            dev.coffer.BackupType.FULL,
            null,
            Layout.NAME,
            Layout.VERSION,
            Map.of());
    return new Manifest(
        m,
        0,
        true,
        java.util.List.of(new Manifest.FileEntry("a", 3, 1, 2, java.time.Instant.EPOCH, false)),
        java.util.List.of(),
        java.util.List.of());
  }
}
