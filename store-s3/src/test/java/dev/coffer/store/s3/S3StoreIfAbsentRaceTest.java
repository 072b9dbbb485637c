package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import dev.coffer.testkit.FaultyHttpProxy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An {@code IF_ABSENT} write that loses a race (another writer creates the object after our HEAD,
 * before our PUT answers 412, or while our multipart upload's parts go up) is refused with {@link
 * FileAlreadyExistsException}, as rule S5 says, not a generic failure; the winner's bytes stay. The
 * loser's request is held at a loopback HTTP front while the winner writes directly.
 */
class S3StoreIfAbsentRaceTest {

  private static final int MIB = 1024 * 1024;
  private static S3ProxyServer server;
  private FaultyHttpProxy proxy;
  private ObjectStore slow;
  private ObjectStore direct;
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared("if-absent-race");
  }

  @BeforeEach
  void open() throws IOException {
    proxy = FaultyHttpProxy.start(server.port());
    proxy.delay(Duration.ofSeconds(2));
    slow = store(proxy.endpoint());
    direct = store(server.endpoint());
  }

  private static ObjectStore store(URI endpoint) throws IOException {
    Map<String, String> options = new HashMap<>(server.options(endpoint));
    options.put("part-size-mib", "5");
    options.put("parallel-parts", "1");
    return ObjectStores.open(URI.create("s3://if-absent-race/r/"), options);
  }

  @AfterEach
  void close() throws IOException {
    pool.shutdownNow();
    slow.close();
    direct.close();
    proxy.close();
  }

  private static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** Starts the slow write, lets the winner write while request {@code held} waits, then joins. */
  private void race(String key, byte[] loser, int held) throws Exception {
    int base = proxy.requests();
    proxy.inject(base + held, FaultyHttpProxy.Fault.DELAY);
    Future<Long> slowWrite =
        pool.submit(() -> slow.write(key, new ByteArrayInputStream(loser), WriteMode.IF_ABSENT));
    for (int i = 0; i < 3000 && proxy.requests() < base + held; i++) {
      Thread.sleep(5); // the front counts a request when its body has arrived
    }
    assertTrue(proxy.requests() >= base + held, "the held request arrived");
    byte[] winner = bytes(1000, 7);
    direct.write(key, new ByteArrayInputStream(winner), WriteMode.IF_ABSENT);

    ExecutionException e = assertThrows(ExecutionException.class, slowWrite::get);
    assertInstanceOf(FileAlreadyExistsException.class, e.getCause(), String.valueOf(e.getCause()));
    try (InputStream in = direct.read(key)) {
      assertArrayEquals(winner, in.readAllBytes(), "the winner's object stays");
    }
  }

  @Test
  void aSinglePutLosingTheRace_isRefusedAsAlreadyExisting() throws Exception {
    race("single", bytes(2000, 1), 2); // HEAD, then the PUT is held
  }

  @Test
  void aMultipartUploadLosingTheRace_isRefusedAsAlreadyExisting() throws Exception {
    // HEAD, CreateMultipartUpload, three parts (5 + 5 + 1 MiB): the last part is held, and the
    // winner's object appears while the upload is under way
    race("multipart", bytes(11 * MIB, 2), 5);
  }
}
