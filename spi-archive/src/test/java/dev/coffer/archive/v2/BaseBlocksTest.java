package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.archive.ArchiveBackupProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A base opened for its blocks only ({@link BaseBlocks}, {@link V2ArchiveReader#openBlocks}) holds
 * exactly the own blocks the whole manifest gives, and a manifest that is not one or disagrees with
 * its commit is refused.
 */
class BaseBlocksTest {

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private static V2Repository open(Path repo) throws IOException {
    return (V2Repository)
        new ArchiveBackupProvider()
            .open(repo, Map.of("format", "2", "key", "11".repeat(32), "threads", "2"));
  }

  @Test
  void theOwnBlocksOfAFullAndOfAnIncremental_equalThoseOfTheWholeManifest() throws IOException {
    Path src = Files.createDirectories(fs.getPath("/src/sub")).getParent();
    byte[] table = new byte[5 * 65536 + 17];
    new Random(4).nextBytes(table);
    Files.write(src.resolve("table"), table);
    Files.writeString(src.resolve("sub/small"), "small");
    Files.setLastModifiedTime(
        src.resolve("sub/small"), FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    try (V2Repository r = open(fs.getPath("/repo"))) {
      BackupMetadata full = r.backup(src);
      table[3 * 65536] ^= 1;
      Files.write(src.resolve("table"), table);
      BackupMetadata inc = r.backup(BackupRequest.incremental(src, full.id()));
      for (BackupMetadata b : List.of(full, inc)) {
        try (V2Backup whole = r.reader().open(b.backupId());
            V2Backup blocks = r.reader().openBlocks(b.backupId())) {
          assertNull(blocks.manifest());
          List<BlockRef> own = whole.ownRefs();
          assertTrue(own.size() > 0, b.backupType().toString());
          assertEquals(whole.blocks().size(), blocks.blocks().size());
          for (BlockRef ref : own) {
            assertTrue(ref.sameBlockAs(blocks.blocks().get(ref.blockNumber())), ref.toString());
          }
        }
      }
    }
  }

  @Test
  void aManifestThatIsNotOne_orDisagreesWithItsCommit_isRefused() throws IOException {
    Path src = Files.createDirectories(fs.getPath("/src"));
    Files.writeString(src.resolve("f"), "content");
    try (V2Repository r = open(fs.getPath("/repo"))) {
      BackupMetadata b = r.backup(src);
      try (V2Backup whole = r.reader().open(b.backupId())) {
        CommitStatement s = whole.statement();
        String json = new String(V2Json.encode(whole.manifest()), StandardCharsets.UTF_8);
        for (String bad :
            List.of(
                "",
                "[]",
                "{\"files\": [{\"path\": \"f\"}]}",
                json.replace(s.archiveId().toString(), java.util.UUID.randomUUID().toString()),
                json.replace("\"block_size\":" + s.blockSizeBytes(), "\"block_size\":4096"),
                json.substring(0, json.length() / 2))) {
          assertThrows(
              CorruptBackupException.class,
              () -> BaseBlocks.of(bad.getBytes(StandardCharsets.UTF_8), s),
              bad.length() > 60 ? bad.substring(0, 60) : bad);
        }
        BaseBlocks.of(json.getBytes(StandardCharsets.UTF_8), s); // the intact one reads
      }
    }
  }
}
