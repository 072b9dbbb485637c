package dev.coffer.store.s3;

import java.net.URI;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API server for tests: S3Proxy on jclouds' in-memory {@code transient} blob store (or
 * its {@code filesystem} one, objects as files: {@link #startOnFiles}), in this JVM, on 127.0.0.1
 * and a free port, with V2/V4 signatures checked. It shares the JVM with the AWS SDK without
 * clashes (its Jetty, jclouds and Guava are not the SDK's dependencies).
 *
 * <p>The SDK finds the server's identity through its default credential chain, as it would find a
 * user's: through the {@code aws.accessKeyId} and {@code aws.secretAccessKey} system properties set
 * here.
 */
final class S3ProxyServer implements AutoCloseable {

  static final String IDENTITY = "coffer-test-identity";
  static final String CREDENTIAL = "coffer-test-credential-not-secret-elsewhere";

  private static S3ProxyServer shared;
  private static S3ProxyServer sharedOnFiles;

  private final S3Proxy proxy;
  private final BlobStoreContext context;

  private S3ProxyServer(S3Proxy proxy, BlobStoreContext context) {
    this.proxy = proxy;
    this.context = context;
  }

  /**
   * The one server of this test JVM, started on first use (S3Proxy takes seconds to start on a busy
   * machine; the test classes share it, each in its own bucket) and stopped when the JVM exits.
   */
  static synchronized S3ProxyServer shared(String bucket) throws Exception {
    if (shared == null) {
      shared = stoppedAtExit(start());
    }
    shared.context.getBlobStore().createContainerInLocation(null, bucket);
    return shared;
  }

  /**
   * The one server of this test JVM on jclouds' {@code filesystem} blob store in {@code basedir}
   * ({@link #startOnFiles}), started on first use and stopped when the JVM exits; every directory
   * in {@code basedir} is a bucket.
   */
  static synchronized S3ProxyServer sharedOnFiles(java.nio.file.Path basedir) throws Exception {
    if (sharedOnFiles == null) {
      sharedOnFiles = stoppedAtExit(startOnFiles(basedir));
    }
    return sharedOnFiles;
  }

  private static S3ProxyServer stoppedAtExit(S3ProxyServer server) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (java.io.IOException e) {
                    // the JVM is exiting
                  }
                }));
    return server;
  }

  static S3ProxyServer start(String... buckets) throws Exception {
    return start(new Properties(), "transient", buckets);
  }

  /**
   * A server on jclouds' {@code filesystem} blob store: bucket {@code b} is the directory {@code
   * basedir/b} and object {@code k/l} the file {@code basedir/b/k/l}, so a test sees, and can
   * damage, each stored object as a file.
   */
  static S3ProxyServer startOnFiles(java.nio.file.Path basedir) throws Exception {
    Properties overrides = new Properties();
    overrides.setProperty("jclouds.filesystem.basedir", basedir.toString());
    return start(overrides, "filesystem");
  }

  private static S3ProxyServer start(Properties overrides, String blobStoreKind, String... buckets)
      throws Exception {
    System.setProperty("aws.accessKeyId", IDENTITY);
    System.setProperty("aws.secretAccessKey", CREDENTIAL);
    BlobStoreContext context =
        ContextBuilder.newBuilder(blobStoreKind)
            .credentials(IDENTITY, CREDENTIAL)
            .overrides(overrides)
            .build(BlobStoreContext.class);
    BlobStore blobStore = context.getBlobStore();
    for (String bucket : buckets) {
      blobStore.createContainerInLocation(null, bucket);
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
            .build();
    proxy.start();
    for (int i = 0; i < 500 && !"STARTED".equals(proxy.getState()); i++) {
      Thread.sleep(10); // Jetty starts asynchronously; its state is the only signal it offers
    }
    if (!"STARTED".equals(proxy.getState())) {
      throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
    }
    return new S3ProxyServer(proxy, context);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  int port() {
    return proxy.getPort();
  }

  /** The server's in-memory blob store, for tests that load many objects without HTTP. */
  BlobStore blobStore() {
    return context.getBlobStore();
  }

  /** The options that point the s3 store at this server. */
  Map<String, String> options(URI endpoint) {
    return Map.of("endpoint", endpoint.toString(), "region", "us-east-1", "path-style", "true");
  }

  @Override
  public void close() throws java.io.IOException {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new java.io.IOException("S3Proxy did not stop", e);
    } finally {
      context.close();
    }
  }
}
