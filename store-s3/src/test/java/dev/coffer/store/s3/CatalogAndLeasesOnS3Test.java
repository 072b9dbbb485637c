package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 2's catalog and leases on the {@code s3} store against S3Proxy on 127.0.0.1, through the
 * repository URL: backups write {@code catalog/<generation>}, a listing through it equals the
 * listing of every commit (also once it is damaged), and a prune run while an incremental holds its
 * lease (from the backup's progress listener: deterministic, no sleep) keeps the incremental's
 * base.
 */
class CatalogAndLeasesOnS3Test {

  private static final String BUCKET = "catalog-on-s3";
  private static final String KEY =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  private static S3ProxyServer server;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared(BUCKET);
  }

  private static BackupRepository open(String prefix) throws IOException {
    return CatalogListingBenchmark.open(server, BUCKET, prefix, KEY);
  }

  private static ObjectStore store(String prefix) throws IOException {
    return ObjectStores.open(
        URI.create("s3://" + BUCKET + "/" + prefix), server.options(server.endpoint()));
  }

  private Path source(int i) throws IOException {
    Path s = Files.createDirectories(dir.resolve("src" + i));
    Files.writeString(s.resolve("PG_VERSION"), "backup " + i + "\n");
    return s;
  }

  private static List<String> keys(ObjectStore s, String prefix) throws IOException {
    return s.list(prefix).stream().map(ObjectInfo::key).sorted().toList();
  }

  @Test
  void backupsWriteTheCatalog_andAListingThroughItOrPastADamagedOneIsTheCommitsListing()
      throws IOException {
    int n = 18; // the 16th backup writes the first generation
    try (BackupRepository repo = open("cat")) {
      for (int i = 0; i < n; i++) {
        repo.backup(BackupRequest.full(source(i)).withLabel("n", Integer.toString(i)));
      }
    }
    List<BackupMetadata> throughCatalog;
    try (BackupRepository repo = open("cat")) {
      throughCatalog = repo.list();
    }
    try (ObjectStore s = store("cat")) {
      List<String> catalogs = keys(s, "catalog/");
      assertEquals(List.of("catalog/0000000000000001"), catalogs);
      byte[] bytes;
      try (InputStream in = s.read(catalogs.get(0))) {
        bytes = in.readAllBytes();
      }
      bytes[bytes.length - 3] ^= 1;
      s.write(catalogs.get(0), new ByteArrayInputStream(bytes), WriteMode.REPLACE);
    }
    List<BackupMetadata> pastDamaged;
    try (BackupRepository repo = open("cat")) {
      pastDamaged = repo.list();
    }
    assertEquals(n, throughCatalog.size());
    assertEquals(pastDamaged, throughCatalog);
    assertEquals("0", throughCatalog.get(n - 1).labels().get("n"));
  }

  @Test
  void aPruneWhileAnIncrementalRuns_keepsItsBase_andTheLeaseEndsWithTheBackup() throws IOException {
    try (BackupRepository repo = open("lease");
        BackupRepository other = open("lease")) {
      BackupMetadata a = repo.backup(BackupRequest.full(source(1)));
      BackupMetadata b = repo.backup(BackupRequest.full(source(2)));
      AtomicBoolean pruned = new AtomicBoolean();
      BackupMetadata c =
          repo.backup(
              BackupRequest.incremental(source(3), BackupId.of(a.backupId()))
                  .withProgress(
                      p -> {
                        if (pruned.compareAndSet(false, true)) {
                          try (ObjectStore s = store("lease")) {
                            assertEquals(1, keys(s, "leases/").size(), "the backup's lease");
                            assertEquals(List.of(), other.prune(RetentionPolicy.keepLast(1)));
                          } catch (IOException e) {
                            throw new UncheckedIOException(e);
                          }
                        }
                      }));
      assertTrue(pruned.get());
      assertEquals(
          List.of(c.backupId(), b.backupId(), a.backupId()),
          other.list().stream().map(BackupMetadata::backupId).toList());
      assertTrue(other.verify(BackupId.of(c.backupId())).ok());
      try (ObjectStore s = store("lease")) {
        assertEquals(List.of(), keys(s, "leases/"));
      }
      assertEquals(
          List.of(b.backupId()),
          other.prune(RetentionPolicy.keepLast(1)).stream().map(BackupMetadata::backupId).toList());
    }
  }
}
