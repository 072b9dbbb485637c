package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code coffer backup}, {@code list}, {@code verify} and {@code restore} with an {@code s3://}
 * repository URL against a real S3 server: S3Proxy (jclouds' in-memory blob store) in this JVM on
 * 127.0.0.1, signatures checked, credentials found by the AWS SDK's default chain (system
 * properties, as a user's environment would give them). The tool passes the URL through.
 */
class S3RepositoryCliTest {

  private static final String BUCKET = "cli-backups";
  private static final String VALIDATED = "cli-validated";
  private static BlobStoreContext context;
  private static S3Proxy proxy;

  @TempDir Path tmp;

  @BeforeAll
  static void startS3Proxy() throws Exception {
    String identity = "coffer-cli-test-identity";
    String credential = "coffer-cli-test-credential";
    System.setProperty("aws.accessKeyId", identity);
    System.setProperty("aws.secretAccessKey", credential);
    context =
        ContextBuilder.newBuilder("transient")
            .credentials(identity, credential)
            .build(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, BUCKET);
    context.getBlobStore().createContainerInLocation(null, VALIDATED);
    proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, identity, credential)
            .build();
    proxy.start();
    for (int i = 0; i < 500 && !"STARTED".equals(proxy.getState()); i++) {
      Thread.sleep(10); // Jetty starts asynchronously
    }
    assertEquals("STARTED", proxy.getState());
  }

  @AfterAll
  static void stopS3Proxy() throws Exception {
    proxy.stop();
    context.close();
  }

  @Test
  void backupListVerifyAndRestore_throughAnS3RepositoryUrl() throws Exception {
    Files.createDirectories(tmp.resolve("src"));
    Files.writeString(tmp.resolve("src/PG_VERSION"), "15\n");
    Files.setPosixFilePermissions(
        tmp.resolve("src/PG_VERSION"), PosixFilePermissions.fromString("rw-------"));
    String url =
        "coffer:archive:s3://"
            + BUCKET
            + "/db1?format=2&endpoint=http://127.0.0.1:"
            + proxy.getPort()
            + "&region=us-east-1&path-style=true";
    RealProvidersTest.backupIncrementalListVerifyRestore(
        new CliRun().with("COFFER_REPO", url), tmp);
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(tmp.resolve("out/PG_VERSION"))));
    assertTrue(context.getBlobStore().blobExists(BUCKET, "db1/coffer-repository"));
  }

  @Test
  void validateStore_onS3_holdsEveryRuleAndFormat2Pattern_andRemovesItsPrefix() {
    CliRun.Result r =
        new CliRun()
            .run(
                "validate-store",
                "s3://" + VALIDATED + "/team/",
                "-o",
                "endpoint=http://127.0.0.1:" + proxy.getPort(),
                "-o",
                "region=us-east-1",
                "-o",
                "path-style=true",
                "-o",
                "part-size-mib=5")
            .expect(CofferCli.OK);

    for (String rule : new String[] {"S3", "S4", "S7", "S9", "F1", "F2", "F3", "F4"}) {
      assertTrue(r.out().contains(String.format("%-4sok", rule)), r.out());
    }
    assertTrue(r.out().contains("All 16 rules hold."), r.out());
    assertTrue(r.out().contains("Checking s3://" + VALIDATED + "/team/ under coffer-validate-"));
    assertEquals(0, context.getBlobStore().list(VALIDATED).size(), "the prefix is removed");
  }
}
