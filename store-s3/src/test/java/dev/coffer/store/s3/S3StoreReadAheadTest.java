package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import dev.coffer.testkit.FaultyHttpProxy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sequential ranged reads (an archive restore reads one range per file, in order) are served from
 * read-ahead windows: a few GETs per object, not one per range, with every byte as written; a jump,
 * a read from offset 0 and a rewrite of the object are fetched from the server as asked. Requests
 * are counted by a loopback HTTP front between the SDK and S3Proxy.
 */
class S3StoreReadAheadTest {

  private static final int MIB = 1024 * 1024;
  private static S3ProxyServer server;
  private FaultyHttpProxy proxy;
  private ObjectStore store;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.shared("read-ahead");
  }

  @BeforeEach
  void open() throws IOException {
    proxy = FaultyHttpProxy.start(server.port());
    Map<String, String> options = new HashMap<>(server.options(proxy.endpoint()));
    options.put("part-size-mib", "5");
    store = ObjectStores.open(URI.create("s3://read-ahead/r/"), options);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
    proxy.close();
  }

  private static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private byte[] read(String key, long offset, int length) throws IOException {
    try (InputStream in = store.read(key, offset, length)) {
      return in.readAllBytes();
    }
  }

  private long gets(int since) {
    List<String> log = proxy.log();
    return log.subList(since, log.size()).stream().filter(l -> l.startsWith("GET ")).count();
  }

  @Test
  void sequentialRangedReads_takeAFewGetsPerObject_andReturnEveryByteAsWritten()
      throws IOException {
    byte[] data = bytes(12 * MIB + 12_345, 1);
    store.write("data", new ByteArrayInputStream(data), WriteMode.REPLACE);
    int base = proxy.requests();

    ByteArrayOutputStream got = new ByteArrayOutputStream();
    got.write(read("data", 0, 100)); // a header read from 0
    long offset = 100;
    int ranges = 1;
    for (int size = 1; offset < data.length; size = size * 7 % 70_001 + 1, ranges++) {
      int n = (int) Math.min(size, data.length - offset);
      got.write(read("data", offset, n));
      offset += n;
    }

    assertArrayEquals(data, got.toByteArray());
    long gets = gets(base);
    assertTrue(ranges > 300, "the test reads many ranges: " + ranges);
    // windows of 256 KiB, 512 KiB, 1, 2, 4, then 5 MiB (the part size): 8 for 12 MiB, +1 at 0
    assertTrue(gets <= 10, gets + " GETs for " + ranges + " ranges");
  }

  @Test
  void sequentialReadsOfAMebibyteEach_growTheWindow_andShareGets() throws IOException {
    // A restore of a large file reads it in ranges of up to 4 MiB: as large as the first windows.
    byte[] data = bytes(20 * MIB, 6);
    store.write("large", new ByteArrayInputStream(data), WriteMode.REPLACE);
    read("large", 0, 10);
    int base = proxy.requests();

    ByteArrayOutputStream got = new ByteArrayOutputStream();
    for (long offset = 10; offset < data.length; offset += MIB) {
      got.write(read("large", offset, (int) Math.min(MIB, data.length - offset)));
    }

    assertArrayEquals(Arrays.copyOfRange(data, 10, data.length), got.toByteArray());
    // 1 MiB reads until the window (256 KiB, 512 KiB, 1 MiB) outgrows them, then 2 MiB, 4 MiB
    // and 5 MiB windows: well under one GET per read
    long gets = gets(base);
    assertTrue(gets <= 10, gets + " GETs for 20 reads of 1 MiB");
  }

  @Test
  void aRangeReadPastTheEndOfAWindow_atTheObjectsEnd_returnsWhatTheObjectHolds()
      throws IOException {
    byte[] data = bytes(300_000, 2);
    store.write("short", new ByteArrayInputStream(data), WriteMode.REPLACE);
    read("short", 10, 90); // first range
    assertArrayEquals(Arrays.copyOfRange(data, 100, 1100), read("short", 100, 1000)); // window
    assertArrayEquals(
        Arrays.copyOfRange(data, 1100, 300_000), read("short", 1100, 1_000_000)); // to the end
    assertEquals(0, read("short", 400_000, 10).length);
  }

  @Test
  void aJump_isFetchedAsAsked_soAPartialReadGetsOnlyItsRange() throws IOException {
    byte[] data = bytes(4 * MIB, 3);
    store.write("jumps", new ByteArrayInputStream(data), WriteMode.REPLACE);
    int base = proxy.requests();

    assertArrayEquals(Arrays.copyOfRange(data, 1000, 2000), read("jumps", 1000, 1000));
    assertArrayEquals(Arrays.copyOfRange(data, 3 * MIB, 3 * MIB + 10), read("jumps", 3 * MIB, 10));
    assertArrayEquals(Arrays.copyOfRange(data, 5000, 5010), read("jumps", 5000, 10));

    assertEquals(3, gets(base), "one GET per jump, none ahead");
  }

  @Test
  void anObjectRewrittenThroughTheStore_isReadAgainFromTheServer() throws IOException {
    byte[] first = bytes(2 * MIB, 4);
    byte[] second = bytes(2 * MIB, 5);
    store.write("rewritten", new ByteArrayInputStream(first), WriteMode.REPLACE);
    read("rewritten", 10, 10);
    assertArrayEquals(Arrays.copyOfRange(first, 20, 30), read("rewritten", 20, 10)); // a window

    store.write("rewritten", new ByteArrayInputStream(second), WriteMode.REPLACE);

    assertArrayEquals(Arrays.copyOfRange(second, 30, 40), read("rewritten", 30, 10));
    store.delete("rewritten");
    store.write("rewritten", new ByteArrayInputStream(first), WriteMode.REPLACE);
    assertArrayEquals(Arrays.copyOfRange(first, 40, 50), read("rewritten", 40, 10));
  }
}
