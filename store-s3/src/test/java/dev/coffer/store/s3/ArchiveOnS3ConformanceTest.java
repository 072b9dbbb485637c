package dev.coffer.store.s3;

import dev.coffer.archive.ArchiveBackupProvider;
import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;
import dev.coffer.testkit.KeyForm;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;

/**
 * The provider contract checked by the TCK for the {@code archive} provider, format 2, with every
 * repository in an S3 bucket: S3Proxy on 127.0.0.1 on jclouds' {@code filesystem} blob store whose
 * base directory is the temporary directory, so the suite's repository directory {@code
 * <tmp>/coffer-tck-N/repo} is bucket {@code coffer-tck-N}, prefix {@code repo}, and each object is
 * a file the rules can see and damage. Requests go through the s3 store and the AWS SDK as a user's
 * do; the tests that cannot apply on a store skip naming why.
 */
class ArchiveOnS3ConformanceTest extends BackupProviderConformance {

  private static final String KEY =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  private static S3ProxyServer server;
  private static Path base;

  @BeforeAll
  static void start() throws Exception {
    base = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
    server = S3ProxyServer.sharedOnFiles(base);
  }

  @Override
  protected BackupProvider provider() {
    return new ArchiveBackupProvider();
  }

  @Override
  protected Map<String, String> options() {
    return Map.of("key", KEY, "threads", "2", "format", "2");
  }

  @Override
  protected Map<String, KeyForm> keyForms() {
    return Map.of("key", KeyForm.hex(32));
  }

  /**
   * {@code <tmp>/bucket/prefix} as {@code s3://bucket/prefix} on the server, store options in the
   * query.
   */
  @Override
  protected Optional<URI> repositoryStore(Path location) throws IOException {
    Path relative = base.relativize(location.toAbsolutePath());
    if (relative.getNameCount() < 2 || relative.startsWith("..")) {
      throw new IllegalStateException(
          location + " is not a bucket's prefix under the server's base directory " + base);
    }
    String bucket = relative.getName(0).toString();
    String prefix = relative.subpath(1, relative.getNameCount()).toString().replace('\\', '/');
    return Optional.of(
        URI.create(
            "s3://"
                + bucket
                + "/"
                + prefix
                + "?endpoint="
                + server.endpoint()
                + "&region=us-east-1&path-style=true&part-size-mib=5"));
  }
}
