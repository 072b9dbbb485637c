package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import dev.coffer.testkit.FaultyHttpProxy;
import dev.coffer.testkit.FaultyHttpProxy.Fault;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The s3 store's retry rules, with faults injected between the SDK and a real server (S3Proxy):
 * transient failures are retried and the operation succeeds; persistent ones fail after the bounded
 * number of attempts with a message that names bucket, key and status and no credential; a failed
 * write leaves no object.
 */
class S3StoreFaultsTest {

  private static final int MIB = 1024 * 1024;
  private static S3ProxyServer server;
  private FaultyHttpProxy proxy;
  private ObjectStore store;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared("faults");
  }

  @BeforeEach
  void startProxy() throws IOException {
    proxy = FaultyHttpProxy.start(server.port());
    store = open(Map.of());
  }

  @AfterEach
  void stopProxy() throws IOException {
    store.close();
    proxy.close();
  }

  private ObjectStore open(Map<String, String> extra) throws IOException {
    Map<String, String> options = new HashMap<>(server.options(proxy.endpoint()));
    options.put("part-size-mib", "5");
    options.put("parallel-parts", "1");
    options.put("max-attempts", "4");
    options.putAll(extra);
    return ObjectStores.open(URI.create("s3://faults/f/"), options);
  }

  private static byte[] bytes(int size) {
    byte[] b = new byte[size];
    new SplittableRandom(size).nextBytes(b);
    return b;
  }

  private static byte[] read(ObjectStore store, String key) throws IOException {
    try (InputStream in = store.read(key)) {
      return in.readAllBytes();
    }
  }

  private List<String> logSince(int base) {
    List<String> log = proxy.log();
    return log.subList(base, log.size());
  }

  @Test
  void put_answered500_isRetried_andTheObjectIsStored() throws IOException {
    byte[] data = bytes(1000);
    int base = proxy.requests();
    proxy.inject(base + 1, Fault.ERROR_500);

    store.write("retried-500", new ByteArrayInputStream(data), WriteMode.REPLACE);

    assertArrayEquals(data, read(store, "retried-500"));
    List<String> log = logSince(base);
    assertTrue(
        log.get(0).startsWith("PUT ") && log.get(0).endsWith("-> ERROR_500"), log.toString());
    assertTrue(log.get(1).startsWith("PUT ") && !log.get(1).contains("->"), log.toString());
  }

  @Test
  void multipartUpload_survivesA503AndADroppedConnection() throws IOException {
    byte[] data = bytes(11 * MIB + 3);
    int base = proxy.requests();
    proxy.inject(base + 2, Fault.ERROR_503); // the first part
    proxy.inject(base + 4, Fault.DROP); // the second part

    long written = store.write("multi", new ByteArrayInputStream(data), WriteMode.REPLACE);

    assertEquals(data.length, written);
    assertArrayEquals(data, read(store, "multi"));
    assertTrue(
        logSince(base).stream().anyMatch(l -> l.startsWith("POST ") && l.contains("uploadId=")),
        "completed with CompleteMultipartUpload: " + logSince(base));
  }

  @Test
  void get_cutShort_isResumedFromWhereItStopped() throws IOException {
    byte[] data = bytes(3 * MIB + 11);
    store.write("cut", new ByteArrayInputStream(data), WriteMode.REPLACE);
    int base = proxy.requests();
    proxy.inject(base + 1, Fault.TRUNCATE);

    assertArrayEquals(data, read(store, "cut"));

    List<String> log = logSince(base);
    assertEquals(2, log.size(), log.toString());
    assertTrue(log.get(0).startsWith("GET ") && log.get(0).endsWith("-> TRUNCATE"), log.toString());
  }

  @Test
  void rangedGet_droppedTwice_isRetried() throws IOException {
    byte[] data = bytes(100_000);
    store.write("ranged", new ByteArrayInputStream(data), WriteMode.REPLACE);
    int base = proxy.requests();
    proxy.inject(base + 1, Fault.DROP);
    proxy.inject(base + 2, Fault.DROP);

    byte[] got;
    try (InputStream in = store.read("ranged", 500, 1000)) {
      got = in.readAllBytes();
    }

    assertArrayEquals(java.util.Arrays.copyOfRange(data, 500, 1500), got);
    assertEquals(3, proxy.requests() - base);
  }

  @Test
  void requestThatTimesOut_isRetried() throws IOException {
    try (ObjectStore impatient = open(Map.of("timeout-seconds", "1"))) {
      impatient.write("slow", new ByteArrayInputStream(bytes(10)), WriteMode.REPLACE);
      proxy.delay(Duration.ofSeconds(3));
      int base = proxy.requests();
      proxy.inject(base + 1, Fault.DELAY);

      assertTrue(impatient.stat("slow").isPresent());
      assertTrue(proxy.requests() - base >= 2, logSince(base).toString());
    }
  }

  @Test
  void persistent500_failsAfterMaxAttempts_namingBucketKeyAndStatus_withoutCredentials()
      throws IOException {
    int base = proxy.requests();
    proxy.always(Fault.ERROR_500);

    IOException e =
        assertThrows(
            IOException.class,
            () -> store.write("doomed", new ByteArrayInputStream(bytes(10)), WriteMode.REPLACE));
    proxy.always(null);

    assertEquals(4, proxy.requests() - base, "max-attempts=4: " + logSince(base));
    String message = e.getMessage();
    assertTrue(message.contains("s3://faults/f/doomed") && message.contains("500"), message);
    assertFalse(
        message.contains(S3ProxyServer.CREDENTIAL) || message.contains(S3ProxyServer.IDENTITY),
        message);
    assertTrue(store.stat("doomed").isEmpty());
  }

  @Test
  void multipartUpload_whosePartKeepsFailing_isAbortedAndLeavesNoObject() throws IOException {
    byte[] data = bytes(11 * MIB);
    int base = proxy.requests();
    // 1 create, 2 first part, 3 and 4 and 5 and 6: every attempt at the second part
    for (int n = 3; n <= 6; n++) {
      proxy.inject(base + n, Fault.ERROR_500);
    }

    assertThrows(
        IOException.class,
        () -> store.write("aborted", new ByteArrayInputStream(data), WriteMode.REPLACE));

    assertTrue(store.stat("aborted").isEmpty());
    assertTrue(store.list("").stream().noneMatch(o -> o.key().equals("aborted")));
    assertThrows(NoSuchFileException.class, () -> store.read("aborted"));
    assertTrue(
        logSince(base).stream().anyMatch(l -> l.startsWith("DELETE ") && l.contains("uploadId=")),
        "the upload is aborted: " + logSince(base));
  }

  @Test
  void ifAbsent_whoseAnswerIsLost_stillSucceedsOnRetry() throws IOException {
    byte[] data = bytes(2000);
    int base = proxy.requests();
    // 1 HEAD (absent), 2 PUT stored but its answer cut, 3 PUT again: 412 from the server, our own
    // object.
    proxy.inject(base + 2, Fault.TRUNCATE);

    store.write("once", new ByteArrayInputStream(data), WriteMode.IF_ABSENT);

    assertArrayEquals(data, read(store, "once"));
  }

  @Test
  void missingBucket_isNoSuchFileException_afterOneRequest() throws IOException {
    int base = proxy.requests();
    Map<String, String> options = new HashMap<>(server.options(proxy.endpoint()));
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class,
            () -> ObjectStores.open(URI.create("s3://no-such-bucket/x"), options));
    assertTrue(e.getMessage().contains("no-such-bucket"), e.getMessage());
    assertEquals(1, proxy.requests() - base, "a 404 is not retried");
  }
}
