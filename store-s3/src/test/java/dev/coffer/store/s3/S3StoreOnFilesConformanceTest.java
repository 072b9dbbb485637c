package dev.coffer.store.s3;

import dev.coffer.spi.support.FileTrees;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.testkit.ObjectStoreConformance;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The s3 store keeps the store contract against S3Proxy on jclouds' {@code filesystem} blob store,
 * the server {@link ArchiveOnS3ConformanceTest} keeps its repositories in (each object a file), so
 * that the provider TCK's results on it rest on a server that itself keeps the store contract.
 */
class S3StoreOnFilesConformanceTest extends ObjectStoreConformance {

  private static final String BUCKET = "coffer-store-conformance-on-files";

  private static S3ProxyServer server;
  private static Path bucket;

  @BeforeAll
  static void startServer() throws Exception {
    Path base = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
    server = S3ProxyServer.sharedOnFiles(base);
    bucket = Files.createDirectories(base.resolve(BUCKET));
  }

  @AfterAll
  static void removeBucket() throws IOException {
    FileTrees.deleteRecursively(bucket);
  }

  @Override
  protected ObjectStore openStore() throws IOException {
    return ObjectStores.open(
        URI.create("s3://" + BUCKET + "/tests/"), S3StoreConformanceTest.options(server));
  }
}
