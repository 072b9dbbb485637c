package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's listing target, measured: {@code list()} of a format-2 repository of many backups
 * against S3Proxy on 127.0.0.1, cold (a new repository instance) and warm (the same instance
 * again), with and without the catalog, and with tiny against large backups. The repositories are
 * made quickly through the provider on Jimfs (no fsync, no HTTP), then loaded into the server's
 * blob store; every listing goes through the {@code s3} store over HTTP, as a user's does.
 *
 * <p>In the normal build it runs small ({@value #DEFAULT_BACKUPS} backups) and checks that the
 * listing through the catalog is the listing of the commits. The benchmark (docs/benchmarks.md,
 * issue 17):
 *
 * <pre>
 * mvn -B -o -pl store-s3 -am verify -Dtest=CatalogListingBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dcoffer.bench.backups=10000
 * </pre>
 *
 * prints a table and writes it to {@code store-s3/target/catalog-listing.md}.
 */
class CatalogListingBenchmark {

  static final int DEFAULT_BACKUPS = 40;
  private static final String BUCKET = "catalog-bench";
  private static final String KEY =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  private static final int ROUNDS = Integer.getInteger("coffer.bench.rounds", 3);

  private static S3ProxyServer server;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared(BUCKET);
  }

  /**
   * Makes {@code n} backups of {@code bytes} random bytes each and loads them under {@code prefix}.
   */
  private static void make(String prefix, int n, int bytes) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path repoDir = fs.getPath("/repo");
      Path src = Files.createDirectories(fs.getPath("/src"));
      Random random = new Random(n * 31L + bytes);
      // an instance that trusts only its own host key reads and writes no catalog: the backups
      // are made without a listing each; the last one, by a plain instance, writes the catalog
      Map<String, String> building = new HashMap<>(Map.of("format", "2", "key", KEY));
      building.putAll(hostKeys(fs.getPath("/host.key")));
      try (BackupRepository repo = BackupProviders.open("archive", repoDir, building)) {
        for (int i = 0; i < n - 1; i++) {
          backUp(repo, src, random, bytes, i);
        }
      }
      try (BackupRepository repo =
          BackupProviders.open("archive", repoDir, Map.of("format", "2", "key", KEY))) {
        backUp(repo, src, random, bytes, n - 1);
      }
      BlobStore blobs = server.blobStore();
      try (Stream<Path> files = Files.walk(repoDir)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String name = repoDir.relativize(f).toString();
          if (name.startsWith(".") || name.contains("/.")) {
            continue; // lock and temporary files of the directory store
          }
          blobs.putBlob(
              BUCKET,
              blobs.blobBuilder(prefix + "/" + name).payload(Files.readAllBytes(f)).build());
        }
      }
    }
  }

  private static void backUp(BackupRepository repo, Path src, Random random, int bytes, int i)
      throws IOException {
    byte[] content = new byte[bytes];
    random.nextBytes(content);
    Files.write(src.resolve("base.dat"), content);
    Files.writeString(src.resolve("PG_VERSION"), "backup " + i + "\n");
    repo.backup(BackupRequest.full(src).withLabel("n", Integer.toString(i)));
  }

  /**
   * Options {@code host-key-file} (written to {@code file}) and {@code trusted-host} of a new
   * Ed25519 host key, made with the JDK.
   */
  private static Map<String, String> hostKeys(Path file) throws IOException {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
      byte[] x509 = pair.getPublic().getEncoded();
      byte[] pub = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
      Base64.Encoder b64 = Base64.getEncoder();
      Files.writeString(file, "coffer-ed25519-secret:" + b64.encodeToString(seed) + "\n");
      return Map.of(
          "host-key-file",
          file.toString(),
          "trusted-host",
          "coffer-ed25519-public:" + b64.encodeToString(pub));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BackupRepository open(String prefix) throws IOException {
    return open(server, BUCKET, prefix, KEY);
  }

  /** The format-2 repository under {@code bucket/prefix} of {@code server}, through its URL. */
  static BackupRepository open(S3ProxyServer server, String bucket, String prefix, String key)
      throws IOException {
    return BackupProviders.open(
        "coffer:archive:s3://"
            + bucket
            + "/"
            + prefix
            + "?format=2&endpoint="
            + server.endpoint()
            + "&region=us-east-1&path-style=true",
        Map.of("key", key));
  }

  private static void dropCatalog(String prefix) {
    BlobStore blobs = server.blobStore();
    for (StorageMetadata m :
        blobs.list(BUCKET, ListContainerOptions.Builder.prefix(prefix + "/catalog/").recursive())) {
      blobs.removeBlob(BUCKET, m.getName());
    }
  }

  /** Median open, cold list and warm list seconds of {@code ROUNDS} new instances; the listing. */
  private static double[] time(String prefix, List<List<BackupMetadata>> listings)
      throws IOException {
    double[][] t = new double[3][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      long t0 = System.nanoTime();
      try (BackupRepository repo = open(prefix)) {
        long t1 = System.nanoTime();
        List<BackupMetadata> cold = repo.list();
        long t2 = System.nanoTime();
        repo.list();
        long t3 = System.nanoTime();
        t[0][r] = (t1 - t0) / 1e9;
        t[1][r] = (t2 - t1) / 1e9;
        t[2][r] = (t3 - t2) / 1e9;
        listings.add(cold);
      }
    }
    double[] median = new double[3];
    for (int i = 0; i < 3; i++) {
      Arrays.sort(t[i]);
      median[i] = t[i][ROUNDS / 2];
    }
    return median;
  }

  private static String row(String what, int n, double[] t) {
    return String.format("| %s | %,d | %.3f | %.3f | %.3f |", what, n, t[0], t[1], t[2]);
  }

  @Test
  void listingThroughTheCatalog_isTheListingOfTheCommits_atAnyBackupSize() throws IOException {
    int n = Integer.getInteger("coffer.bench.backups", DEFAULT_BACKUPS);
    int sized = Math.min(n, Integer.getInteger("coffer.bench.sized", 100));
    int large = Integer.getInteger("coffer.bench.large-bytes", 1024 * 1024);
    String run = Long.toHexString(System.nanoTime());
    long made = System.nanoTime();
    make("many-" + run, n, 16);
    make("tiny-" + run, sized, 16);
    make("large-" + run, sized, large);
    double makeSeconds = (System.nanoTime() - made) / 1e9;

    List<String> rows = new ArrayList<>();
    rows.add("| repository | backups | open s | list() cold s | list() warm s |");
    rows.add("|---|---:|---:|---:|---:|");
    List<List<BackupMetadata>> withCatalog = new ArrayList<>();
    rows.add(row("tiny backups, catalog", n, time("many-" + run, withCatalog)));
    List<List<BackupMetadata>> sizedListings = new ArrayList<>();
    rows.add(row("tiny backups (16 B), catalog", sized, time("tiny-" + run, sizedListings)));
    rows.add(
        row(
            "large backups (" + large / 1024 + " KiB each), catalog",
            sized,
            time("large-" + run, sizedListings)));
    dropCatalog("many-" + run);
    dropCatalog("large-" + run);
    List<List<BackupMetadata>> without = new ArrayList<>();
    rows.add(row("tiny backups, no catalog", n, time("many-" + run, without)));
    rows.add(
        row(
            "large backups (" + large / 1024 + " KiB each), no catalog",
            sized,
            time("large-" + run, sizedListings)));
    rows.add("");
    rows.add(
        String.format(
            "(%d rounds, median; repositories made and loaded in %.1f s; %s %s, %d processors)",
            ROUNDS,
            makeSeconds,
            System.getProperty("java.vm.name"),
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors()));
    String table = String.join("\n", rows);
    System.out.println(table);
    Files.writeString(Path.of("target", "catalog-listing.md"), table + "\n");

    assertEquals(n, withCatalog.get(0).size());
    for (List<BackupMetadata> l : withCatalog) {
      assertEquals(without.get(0), l, "the catalog changes no backup's metadata");
    }
    assertEquals(without.get(0), without.get(without.size() - 1));
  }
}
