package dev.coffer.store.s3;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.testkit.ObjectStoreConformance;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * The s3 store keeps the store contract against a real S3 API server (S3Proxy on loopback), found
 * through ObjectStores by its scheme, with small parts and pages so that multipart uploads and
 * multi-page listings are exercised.
 */
class S3StoreConformanceTest extends ObjectStoreConformance {

  private static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared("conformance-bucket");
  }

  @Override
  protected ObjectStore openStore() throws IOException {
    return ObjectStores.open(URI.create("s3://conformance-bucket/tests/"), options(server));
  }

  /** The options for {@code server}: small parts and pages, so that both are exercised. */
  static Map<String, String> options(S3ProxyServer server) {
    Map<String, String> options = new HashMap<>(server.options(server.endpoint()));
    options.put("part-size-mib", "5");
    options.put("parallel-parts", "2");
    options.put("page-size", "7");
    return options;
  }
}
