package dev.coffer.store.s3;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ProviderOptions;
import dev.coffer.store.ObjectKeys;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.StoreProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The {@code s3} store: {@code s3://bucket/prefix} on AWS S3 or any S3-compatible server (MinIO,
 * Ceph RGW, S3Proxy), through the AWS SDK for Java v2 and its {@code url-connection-client}.
 *
 * <p>Credentials come only from the SDK's default chain (system properties, environment, profile
 * files, container and instance roles), never from the URI or options. Options: {@code endpoint} (a
 * server other than AWS), {@code region}, {@code path-style}, {@code part-size-mib}, {@code
 * parallel-parts}, {@code page-size}, {@code max-attempts}, {@code timeout-seconds}. See {@code
 * docs/object-storage.md}.
 */
public final class S3StoreProvider implements StoreProvider {

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final List<OptionInfo> OPTIONS =
      List.of(
          OptionInfo.optional(
              "endpoint", "URL of an S3-compatible server (default: AWS S3 for the region)", null),
          OptionInfo.optional(
              "region", "signing region (default: the SDK's region chain, else us-east-1)", null),
          OptionInfo.flag(
              "path-style",
              "address the bucket in the path, not the host name (most non-AWS servers)",
              false),
          OptionInfo.integer(
              "part-size-mib", "multipart upload part size in MiB, 5 to 512", 8, 5, 512),
          OptionInfo.integer(
              "parallel-parts", "parts of one object uploaded at once, 1 to 16", 4, 1, 16),
          OptionInfo.integer("page-size", "keys per listing request, 1 to 1000", 1000, 1, 1000),
          OptionInfo.integer(
              "max-attempts",
              "tries per request before a transient error fails it, 1 to 20",
              6,
              1,
              20),
          OptionInfo.integer(
              "timeout-seconds", "connect and read timeout per request, 1 to 3600", 60, 1, 3600));

  /** Does no I/O, as the SPI requires. */
  public S3StoreProvider() {}

  /** {@inheritDoc} */
  @Override
  public String scheme() {
    return "s3";
  }

  /** {@inheritDoc} */
  @Override
  public String description() {
    return "S3 and S3-compatible object storage (AWS SDK for Java v2)";
  }

  /** {@inheritDoc} */
  @Override
  public List<OptionInfo> options() {
    return OPTIONS;
  }

  /**
   * Opens {@code s3://bucket/prefix} and checks with one HEAD request that the bucket exists and is
   * readable.
   *
   * @param uri {@code s3://bucket} or {@code s3://bucket/prefix/}
   * @param options as {@link #options()} describes
   * @return the store
   * @throws IllegalArgumentException if the URI or an option is malformed
   * @throws NoSuchFileException if the bucket does not exist
   * @throws java.nio.file.AccessDeniedException if the credentials may not use the bucket
   * @throws IOException if the server cannot be reached
   */
  @Override
  public ObjectStore open(URI uri, Map<String, String> options) throws IOException {
    requireNonNull(uri, "uri");
    ProviderOptions parsed = ProviderOptions.parse("s3", OPTIONS, options);
    Location location = location(uri);
    int partSize = (int) parsed.getLong("part-size-mib") * 1024 * 1024;
    int parallelParts = (int) parsed.getLong("parallel-parts");
    int pageSize = (int) parsed.getLong("page-size");
    Retry retry = Retry.standard((int) parsed.getLong("max-attempts"));
    Duration timeout = Duration.ofSeconds(parsed.getLong("timeout-seconds"));
    S3Client client = client(parsed, timeout);
    S3Store store =
        new S3Store(
            client,
            location.bucket(),
            location.prefix(),
            partSize,
            parallelParts,
            pageSize,
            retry,
            uploadPool(parallelParts));
    try {
      checkBucket(client, location.bucket(), retry);
      return store;
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * A bucket and a key prefix (empty or ending in {@code /}).
   *
   * @param bucket the bucket
   * @param prefix the prefix
   */
  record Location(String bucket, String prefix) {}

  static Location location(URI uri) {
    if (!"s3".equalsIgnoreCase(uri.getScheme()) || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("expected s3://bucket[/prefix], got " + uri);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "credentials do not belong in an s3 URI: they come from the SDK's "
              + "default chain (environment, profile, instance role)");
    }
    String bucket = uri.getRawAuthority();
    if (!BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException(
          "invalid bucket name '" + bucket + "' in s3 URI (3 to 63 characters: a-z 0-9 . -)");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String prefix = path.startsWith("/") ? path.substring(1) : path;
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix += "/";
    }
    if (!prefix.isEmpty()) {
      ObjectKeys.checkPrefix(prefix);
    }
    return new Location(bucket, prefix);
  }

  private static S3Client client(ProviderOptions options, Duration timeout) {
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .region(region(options))
            .forcePathStyle(options.getBoolean("path-style"))
            // Flexible checksums and aws-chunked uploads break many S3-compatible servers (S3Proxy
            // answers 400):
            // send checksums only where S3 requires them. Archives authenticate their own bytes.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            // Retry belongs to one policy, ours (Retry): the SDK's own would multiply attempts.
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    options.get("endpoint").ifPresent(e -> builder.endpointOverride(endpoint(options, e)));
    return builder.build();
  }

  private static URI endpoint(ProviderOptions options, String value) {
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null
          || uri.getRawUserInfo() != null) {
        throw options.invalid("endpoint", "expected http(s)://host[:port] without credentials");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw options.invalid("endpoint", "expected http(s)://host[:port]");
    }
  }

  private static Region region(ProviderOptions options) {
    return options
        .get("region")
        .map(Region::of)
        .orElseGet(
            () -> {
              try {
                return new DefaultAwsRegionProviderChain().getRegion();
              } catch (SdkException e) {
                return Region.US_EAST_1;
              }
            });
  }

  private static ExecutorService uploadPool(int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "coffer-s3-upload-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private static void checkBucket(S3Client client, String bucket, Retry retry) throws IOException {
    try {
      retry.call(attempt -> client.headBucket(b -> b.bucket(bucket)));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new NoSuchFileException("s3://" + bucket, null, "no such bucket");
      }
      if (e.statusCode() == 403) {
        throw new AccessDeniedException(
            "s3://" + bucket,
            null,
            "HEAD bucket refused (HTTP 403): check the credentials of the SDK's default chain and the policy");
      }
      throw new IOException("HEAD s3://" + bucket + " failed: HTTP " + e.statusCode(), e);
    } catch (SdkException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("Unable to load credentials")) {
        throw new IOException(
            "no AWS credentials for s3://"
                + bucket
                + ": the SDK's default chain (aws.accessKeyId "
                + "and aws.secretAccessKey properties, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ~/.aws profiles, "
                + "web identity, container and instance roles) found none",
            e);
      }
      throw new IOException("cannot reach s3://" + bucket + ": " + e.getMessage(), e);
    }
  }
}
