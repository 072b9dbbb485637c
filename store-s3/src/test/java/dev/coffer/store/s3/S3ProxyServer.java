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
 * A real S3 API server for tests: S3Proxy on jclouds' in-memory {@code transient} blob store, in
 * this JVM, on 127.0.0.1 and a free port, with V2/V4 signatures checked. It shares the JVM with the
 * AWS SDK without clashes (its Jetty, jclouds and Guava are not the SDK's dependencies).
 *
 * <p>The SDK finds the server's identity through its default credential chain, as it would find a
 * user's: through the {@code aws.accessKeyId} and {@code aws.secretAccessKey} system properties set
 * here.
 */
final class S3ProxyServer implements AutoCloseable {

  static final String IDENTITY = "coffer-test-identity";
  static final String CREDENTIAL = "coffer-test-credential-not-secret-elsewhere";

  private static S3ProxyServer shared;

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
      shared = start();
      S3ProxyServer server = shared;
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
    }
    shared.context.getBlobStore().createContainerInLocation(null, bucket);
    return shared;
  }

  static S3ProxyServer start(String... buckets) throws Exception {
    System.setProperty("aws.accessKeyId", IDENTITY);
    System.setProperty("aws.secretAccessKey", CREDENTIAL);
    Properties overrides = new Properties();
    BlobStoreContext context =
        ContextBuilder.newBuilder("transient")
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
