package dev.coffer.examples.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server on 127.0.0.1: S3Proxy, in this JVM, over jclouds' in-memory {@code
 * transient} blob store or its {@code filesystem} one (objects as files under a directory), with
 * V2/V4 signatures checked against one fixed identity. For examples and benchmarks on one machine,
 * never a server for real data: the identity is printed and anyone on the host can reach the port.
 *
 * <p>Run standalone (the benchmarks do), it prints {@code endpoint http://127.0.0.1:PORT} and
 * serves until its standard input closes or the process is stopped:
 *
 * <pre>
 * java -cp ... dev.coffer.examples.s3.LoopbackS3 --port 0 [--dir /var/tmp/s3data]
 *     [--metrics-port 9091] [--bucket NAME]...
 * </pre>
 *
 * <p>With {@code --metrics-port}, S3Proxy's Prometheus endpoint ({@code
 * http://127.0.0.1:PORT/metrics}) counts the requests it served by S3 operation.
 */
public final class LoopbackS3 implements AutoCloseable {

  /** The access key id the server accepts (not a secret: loopback only). */
  public static final String IDENTITY = "coffer-example-identity";

  /** The secret access key the server accepts (not a secret: loopback only). */
  public static final String CREDENTIAL = "coffer-example-credential-loopback-only";

  private final S3Proxy proxy;
  private final BlobStoreContext context;

  private LoopbackS3(S3Proxy proxy, BlobStoreContext context) {
    this.proxy = proxy;
    this.context = context;
  }

  /**
   * Starts a server.
   *
   * @param port the port on 127.0.0.1, 0 for a free one
   * @param directory where objects are kept as files, or null to keep them in memory
   * @param metricsPort the port of the Prometheus metrics endpoint on 127.0.0.1, or -1 for none
   * @param buckets buckets to create
   * @return the started server
   * @throws Exception if S3Proxy does not start
   */
  public static LoopbackS3 start(int port, Path directory, int metricsPort, String... buckets)
      throws Exception {
    Properties overrides = new Properties();
    ContextBuilder builder;
    if (directory == null) {
      builder = ContextBuilder.newBuilder("transient");
    } else {
      Files.createDirectories(directory);
      overrides.setProperty("jclouds.filesystem.basedir", directory.toString());
      builder = ContextBuilder.newBuilder("filesystem");
    }
    BlobStoreContext context =
        builder
            .credentials(IDENTITY, CREDENTIAL)
            .overrides(overrides)
            .build(BlobStoreContext.class);
    BlobStore blobStore = context.getBlobStore();
    for (String bucket : buckets) {
      blobStore.createContainerInLocation(null, bucket);
    }
    S3Proxy.Builder proxyBuilder =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL);
    if (metricsPort >= 0) {
      proxyBuilder.metricsEnabled(true).metricsHost("127.0.0.1").metricsPort(metricsPort);
    }
    S3Proxy proxy = proxyBuilder.build();
    try {
      proxy.start();
      for (int i = 0; i < 1000 && !"STARTED".equals(proxy.getState()); i++) {
        Thread.sleep(10); // Jetty starts asynchronously; its state is the only signal it offers
      }
      if (!"STARTED".equals(proxy.getState())) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
    } catch (Exception | Error e) {
      context.close();
      throw e;
    }
    return new LoopbackS3(proxy, context);
  }

  /**
   * The server's URL, for the s3 store's {@code endpoint} option.
   *
   * @return {@code http://127.0.0.1:PORT}
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /**
   * Creates a bucket (nothing happens if it exists).
   *
   * @param bucket the bucket's name
   */
  public void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  /**
   * Makes the AWS SDK's default credential chain of this JVM find the server's identity, through
   * the {@code aws.accessKeyId} and {@code aws.secretAccessKey} system properties, as it finds a
   * user's through the environment or a profile.
   */
  public static void useAsSdkCredentials() {
    System.setProperty("aws.accessKeyId", IDENTITY);
    System.setProperty("aws.secretAccessKey", CREDENTIAL);
  }

  /** Stops the server. */
  @Override
  public void close() throws IOException {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IOException("S3Proxy did not stop", e);
    } finally {
      context.close();
    }
  }

  /**
   * Runs a server until standard input closes.
   *
   * @param args {@code [--port N] [--dir PATH] [--metrics-port N] [--bucket NAME]...}
   * @throws Exception if the arguments are wrong or the server does not start
   */
  public static void main(String[] args) throws Exception {
    int port = 0;
    int metricsPort = -1;
    Path directory = null;
    List<String> buckets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(required(args[i], value));
        case "--metrics-port" -> metricsPort = Integer.parseInt(required(args[i], value));
        case "--dir" -> directory = Path.of(required(args[i], value));
        case "--bucket" -> buckets.add(required(args[i], value));
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
      i++;
    }
    try (LoopbackS3 server = start(port, directory, metricsPort, buckets.toArray(String[]::new))) {
      System.out.println("endpoint " + server.endpoint());
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // serve until the parent closes our standard input
      }
    }
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
