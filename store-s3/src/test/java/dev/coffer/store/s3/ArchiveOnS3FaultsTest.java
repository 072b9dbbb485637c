package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.testkit.FaultyHttpProxy;
import dev.coffer.testkit.FaultyHttpProxy.Fault;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault at any request of a small format-2 backup and its incremental, on S3 (S3Proxy behind
 * {@link FaultyHttpProxy}): the requests of the whole sequence (open, full backup, incremental) are
 * counted once (29 today), then each is in turn dropped, answered 500 (odd numbers) or 503 (even),
 * or cut short. Without retries the call either succeeds or fails with an {@link IOException} that
 * names the bucket (and the status of an HTTP error) and no credential or key; with retries it
 * succeeds. Either way a fresh instance lists only backups that verify, and the next backup,
 * without faults, succeeds and restores byte for byte. Each sequence has its own prefix and its own
 * proxy, so they run side by side.
 */
class ArchiveOnS3FaultsTest {

  private static final String BUCKET = "archive-faults";
  private static final String KEY =
      "0f0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  /**
   * At each request: dropped, an HTTP error (500 at odd request numbers, 503 at even), cut short.
   */
  private static List<Fault> kinds(int n) {
    return List.of(Fault.DROP, n % 2 == 1 ? Fault.ERROR_500 : Fault.ERROR_503, Fault.TRUNCATE);
  }

  /** Sequences run at once, each through its own proxy: the requests wait on loopback, not CPU. */
  private static final int THREADS = 4;

  private static S3ProxyServer server;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared(BUCKET);
  }

  /** Seconds before a request times out: short only where a test delays requests on purpose. */
  private volatile int timeoutSeconds = 60;

  private BackupRepository open(FaultyHttpProxy proxy, String prefix, int maxAttempts)
      throws IOException {
    String url =
        "coffer:archive:s3://"
            + BUCKET
            + "/"
            + prefix
            + "?format=2&endpoint="
            + proxy.endpoint()
            + "&region=us-east-1&path-style=true&timeout-seconds="
            + timeoutSeconds
            + "&max-attempts="
            + maxAttempts;
    return BackupProviders.open(url, Map.of("key", KEY));
  }

  /** A small tree: a few files and a directory, one file big enough for several blocks. */
  private Path source(String name) throws IOException {
    Path src = Files.createDirectories(dir.resolve(name).resolve("a"));
    byte[] big = new byte[200_000];
    new SplittableRandom(17).nextBytes(big);
    Files.write(src.resolve("big.bin"), big);
    Files.writeString(src.resolve("small.txt"), "small");
    Files.writeString(src.getParent().resolve("top.txt"), "top");
    return src.getParent();
  }

  /** What the incremental backs up: one block of the big file changed, a file added. */
  private static void change(Path source) throws IOException {
    Path big = source.resolve("a").resolve("big.bin");
    byte[] bytes = Files.readAllBytes(big);
    bytes[100_000] ^= 1;
    Files.write(big, bytes);
    Files.writeString(source.resolve("added.txt"), "added");
  }

  /** Opens, backs up {@code source}, changes it and backs it up incrementally. */
  private void backUpTwice(FaultyHttpProxy proxy, String prefix, Path source, int maxAttempts)
      throws IOException {
    try (BackupRepository repo = open(proxy, prefix, maxAttempts)) {
      BackupMetadata full = repo.backup(source);
      change(source);
      repo.backup(BackupRequest.incremental(source, full.id()));
    }
  }

  @Test
  void aFaultAtAnyRequestOfABackup_failsCleanlyOrIsRetried_andNeverLeavesAPartialBackup()
      throws Exception {
    int requests;
    try (FaultyHttpProxy counting = FaultyHttpProxy.start(server.port())) {
      backUpTwice(counting, "counted", source("counted"), 3);
      requests = counting.requests();
    }
    assertTrue(requests >= 8, "a full backup and an incremental made " + requests + " requests");

    List<Callable<Boolean>> unretried = new ArrayList<>();
    List<Callable<Boolean>> retried = new ArrayList<>();
    for (int n = 1; n <= requests; n++) {
      int at = n;
      for (Fault kind : kinds(at)) {
        unretried.add(() -> faultAt(at, kind, 1));
      }
      retried.add(() -> faultAt(at, kinds(at).get(at % 3), 3));
    }
    List<Boolean> withoutRetries = runAll(unretried);
    long failed = withoutRetries.stream().filter(ok -> !ok).count();
    assertTrue(
        failed >= requests,
        failed + " of " + withoutRetries.size() + " sequences with an unretried fault failed");
    List<Boolean> withRetries = runAll(retried);
    assertFalse(withRetries.contains(false), "with retries, every sequence succeeds");
  }

  @Test
  void aTimeoutAtARequestOfABackup_isRetried() throws Exception {
    timeoutSeconds = 1;
    List<Callable<Boolean>> delayed = new ArrayList<>();
    for (int n : new int[] {1, 4, 9}) {
      delayed.add(() -> faultAt(n, Fault.DELAY, 3));
    }
    assertFalse(runAll(delayed).contains(false), "with retries, every delayed sequence succeeds");
  }

  /** Runs the sequences on {@value #THREADS} threads; an assertion failure fails the test. */
  private static List<Boolean> runAll(List<Callable<Boolean>> sequences) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Boolean> out = new ArrayList<>();
      for (Future<Boolean> f : pool.invokeAll(sequences)) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error) {
            throw (Error) e.getCause();
          }
          throw e;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Runs the sequence through a proxy of its own with {@code fault} at its {@code n}-th request,
   * checks the outcome, and returns whether the sequence succeeded.
   */
  private boolean faultAt(int n, Fault fault, int maxAttempts) throws IOException {
    String prefix = "n" + n + "-" + fault.name().toLowerCase(Locale.ROOT) + maxAttempts;
    String where = fault + " at request " + n + " (max-attempts=" + maxAttempts + ")";
    Path source = source(prefix);
    try (FaultyHttpProxy proxy = FaultyHttpProxy.start(server.port())) {
      proxy.delay(Duration.ofMillis(2500));
      proxy.inject(n, fault);
      boolean succeeded = true;
      try {
        backUpTwice(proxy, prefix, source, maxAttempts);
      } catch (IOException e) {
        succeeded = false;
        checkMessages(e, fault, where);
      } catch (RuntimeException e) {
        fail(where + ": threw " + e + " instead of an IOException", e);
      }
      check(proxy, prefix, source, succeeded, where);
      return succeeded;
    }
  }

  /**
   * A fresh instance lists only backups that verify (both after a success), and the next backup
   * without faults succeeds and restores byte for byte.
   */
  private void check(
      FaultyHttpProxy proxy, String prefix, Path source, boolean succeeded, String where)
      throws IOException {
    try (BackupRepository repo = open(proxy, prefix, 3)) {
      List<BackupMetadata> listed = repo.list();
      if (succeeded) {
        assertEquals(2, listed.size(), where + ": both backups are listed: " + listed);
      }
      for (BackupMetadata b : listed) {
        assertTrue(repo.verify(b.id()).ok(), where + ": listed backup " + b.id() + " verifies");
      }
      Files.writeString(source.resolve("next.txt"), "next");
      BackupMetadata next = repo.backup(source);
      Path target = dir.resolve(prefix + "-next");
      repo.restore(next.id(), target);
      assertTrue(
          Snapshot.of(source).sameAs(Snapshot.of(target)),
          where + ": the next backup restores byte for byte");
    }
  }

  /** Every message of the failure's chain: clear, naming the bucket and status, no secret. */
  private static void checkMessages(IOException e, Fault fault, String where) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
      for (Throwable s : t.getSuppressed()) {
        messages.add(String.valueOf(s.getMessage()));
      }
    }
    String all = String.join(" | ", messages);
    assertTrue(all.contains("s3://" + BUCKET), where + ": names the bucket: " + all);
    if (fault == Fault.ERROR_500 || fault == Fault.ERROR_503) {
      assertTrue(
          all.contains(fault == Fault.ERROR_500 ? "500" : "503"),
          where + ": names the status: " + all);
    }
    for (String secret : List.of(KEY, S3ProxyServer.CREDENTIAL, S3ProxyServer.IDENTITY)) {
      assertFalse(all.contains(secret), where + ": a message holds a secret: " + all);
    }
  }
}
