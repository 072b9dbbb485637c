package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code abortUnfinishedWrites} lists the multipart uploads a dead writer left under the store's
 * prefix (ListMultipartUploads against S3Proxy on loopback), offers each to the caller by key
 * relative to the prefix and start time, and aborts those it names, nothing outside the prefix.
 */
class S3StoreUnfinishedUploadsTest {

  private static S3ProxyServer server;
  private S3Store store;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared("unfinished-uploads");
  }

  @BeforeEach
  void open() throws IOException {
    ObjectStore s =
        ObjectStores.open(
            URI.create("s3://unfinished-uploads/repo/"), server.options(server.endpoint()));
    store = (S3Store) s;
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  /** Starts a multipart upload of {@code name} (a full key in the bucket) with one part. */
  private void startUpload(String name) {
    String id =
        store
            .client
            .createMultipartUpload(b -> b.bucket("unfinished-uploads").key(name))
            .uploadId();
    store.client.uploadPart(
        b -> b.bucket("unfinished-uploads").key(name).uploadId(id).partNumber(1),
        RequestBody.fromBytes(new byte[1024]));
  }

  private List<String> pending() {
    List<String> keys = new ArrayList<>();
    store
        .client
        .listMultipartUploads(b -> b.bucket("unfinished-uploads"))
        .uploads()
        .forEach(u -> keys.add(u.key()));
    keys.sort(null);
    return keys;
  }

  @Test
  void abortsOnlyTheUploadsTheCallerNames_underTheStoresPrefix() throws IOException {
    startUpload("repo/data/a");
    startUpload("repo/data/b");
    startUpload("elsewhere/data/c");
    Instant before = Instant.now().plusSeconds(60);
    List<String> offered = new ArrayList<>();
    int aborted =
        store.abortUnfinishedWrites(
            "data/",
            (key, started) -> {
              offered.add(key);
              assertTrue(started.isBefore(before), "started " + started);
              return key.equals("data/a");
            });
    offered.sort(null);
    assertEquals(List.of("data/a", "data/b"), offered);
    assertEquals(1, aborted);
    assertEquals(List.of("elsewhere/data/c", "repo/data/b"), pending());
    assertEquals(1, store.abortUnfinishedWrites("", (key, started) -> true));
    assertEquals(List.of("elsewhere/data/c"), pending());
    assertEquals(0, store.abortUnfinishedWrites("", (key, started) -> true));
  }
}
