package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 end to end on archive format 2: a stopped cluster, a full backup, a few rows changed, an
 * incremental that stores only the changed blocks, and the incremental's restore starts and holds
 * the changed rows.
 */
class Format2IncrementalClusterTest {

  private static final String DIGEST = "SELECT count(*) || ':' || sum(hashtext(note)) FROM facts";

  @Test
  void anIncrementalOfAFewChangedRows_storesFarLessThanTheFull_andItsRestoreStarts()
      throws Exception {
    PgCluster.requireBinaries();
    Path ws = PgCluster.workspace("format2-incremental");
    try {
      String digest;
      Path data;
      try (PgCluster source = PgCluster.startNew(ws, ClusterLayout.PLAIN)) {
        source.execute(
            "CREATE TABLE facts (id int PRIMARY KEY, note text)",
            "INSERT INTO facts SELECT i, md5(i::text) FROM generate_series(1, 50000) i");
        source.stop();
        data = source.dataDirectory();
        try (BackupRepository repo =
            Workspaces.repository("archive-format-2", ws.resolve("repo"))) {
          BackupMetadata full = repo.backup(data);
          source.start();
          source.execute("UPDATE facts SET note = 'changed' WHERE id % 5000 = 0");
          digest = source.query(DIGEST);
          source.stop();
          BackupMetadata incr = repo.backup(BackupRequest.incremental(data, full.id()));
          long fullBytes = repo.storedBytes(full.id());
          long incrBytes = repo.storedBytes(incr.id());
          assertTrue(
              incrBytes * 3 < fullBytes,
              "the incremental stored " + incrBytes + " bytes, the full " + fullBytes);
          Path target = ws.resolve("restored");
          repo.restore(incr.id(), target);
          try (PgCluster restored = PgCluster.existing(ws, "restored", target)) {
            restored.start();
            assertEquals(digest, restored.query(DIGEST));
            assertEquals("10", restored.query("SELECT count(*) FROM facts WHERE note = 'changed'"));
          }
        }
      }
    } finally {
      Workspaces.remove(ws);
    }
  }
}
