package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RekeyReport;
import dev.coffer.RestoreRequest;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.Capability;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation of a format-2 {@code archive} repository on a real S3 server (S3Proxy in this JVM):
 * rekey replaces commit and metadata objects by PUT, changes no data or manifest object, and
 * afterwards the old key fails with {@link WrongKeyException} while the new one restores.
 */
class ArchiveRekeyOnS3Test {

  private static final String BUCKET = "archive-rekey-on-s3";
  private static final String KEY =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  private static final String NEW_KEY =
      "ee0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  private static S3ProxyServer server;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared(BUCKET);
  }

  private static BackupRepository open(String key) throws IOException {
    return BackupProviders.open(
        "coffer:archive:s3://"
            + BUCKET
            + "/rk?format=2&endpoint="
            + server.endpoint()
            + "&region=us-east-1&path-style=true&part-size-mib=5",
        Map.of("key", key));
  }

  private static Map<String, byte[]> data() throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (ObjectStore store =
        ObjectStores.open(
            URI.create("s3://" + BUCKET + "/rk"), server.options(server.endpoint()))) {
      for (ObjectInfo o : store.list("")) {
        if (o.key().startsWith("data/") || o.key().startsWith("manifests/")) {
          try (InputStream in = store.read(o.key())) {
            out.put(o.key(), in.readAllBytes());
          }
        }
        assertFalse(o.key().equals("coffer-rekey"), "no unfinished rekey is left");
      }
    }
    return out;
  }

  @Test
  void rekey_onS3_rewritesOnlyKeys_andOnlyTheNewKeyOpensAfterwards() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    byte[] table = new byte[3 << 20];
    new Random(19).nextBytes(table);
    Files.write(src.resolve("table.dat"), table);
    Files.writeString(src.resolve("small.txt"), "small");
    BackupMetadata full;
    try (BackupRepository repo = open(KEY)) {
      full = repo.backup(BackupRequest.full(src));
      repo.backup(BackupRequest.incremental(src, BackupId.of(full.backupId())));
    }
    Map<String, byte[]> before = data();
    RekeyReport done;
    try (BackupRepository repo = open(KEY)) {
      assertTrue(repo.info().supports(Capability.REKEY));
      done = repo.rekey(Map.of("key", NEW_KEY), r -> {});
    }
    assertEquals(2, done.rekeyed());
    assertTrue(done.bytesWritten() <= 3 * 4096, "wrote " + done.bytesWritten());
    Map<String, byte[]> after = data();
    assertEquals(before.keySet(), after.keySet());
    before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    assertThrows(WrongKeyException.class, () -> open(KEY));
    try (BackupRepository repo = open(NEW_KEY)) {
      assertEquals(2, repo.list().size());
      Path target = dir.resolve("out");
      repo.restore(RestoreRequest.of(BackupId.of(full.backupId()), target));
      assertArrayEquals(table, Files.readAllBytes(target.resolve("table.dat")));
    }
  }
}
