package dev.coffer.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.SplittableRandom;

/** The kinds of input the codec benchmarks compress and seal, each generated deterministically. */
public enum DataKind {
  /** Uniformly random bytes: incompressible (zstd's stored-block fast path). */
  RANDOM {
    @Override
    byte[] generate(int size) {
      byte[] data = new byte[size];
      new SplittableRandom(SEED).nextBytes(data);
      return data;
    }
  },
  /**
   * Database bytes. By default a synthetic PostgreSQL heap file laid out like {@code
   * pgbench_accounts} (8 KiB pages: 24-byte page header, line pointers, 61 MAXALIGNed tuples of
   * 23-byte headers plus {@code aid, bid, abalance, filler char(84)}); with {@code
   * -Dcoffer.bench.dbfile=FILE} the first {@code size} bytes of that real file instead (repeated if
   * it is shorter).
   */
  DATABASE {
    @Override
    byte[] generate(int size) {
      String file = System.getProperty(DB_FILE_PROPERTY);
      return file == null || file.isEmpty() ? syntheticHeapPages(size) : readRepeated(file, size);
    }
  },
  /** JSON log lines: timestamps, levels, logger names, words and numbers. */
  TEXT {
    @Override
    byte[] generate(int size) {
      return jsonLogLines(size);
    }
  };

  /** System property naming a real database file to use for {@link #DATABASE}. */
  public static final String DB_FILE_PROPERTY = "coffer.bench.dbfile";

  private static final long SEED = 0xC0FFEEL;
  static final int PAGE_BYTES = 8192;
  private static final int TUPLE_BYTES = 128; // MAXALIGN(23 + 1 pad + 12 + 1 + 84 = 121)
  private static final int TUPLES_PER_PAGE = 61;

  /** Returns {@code size} bytes of this kind; the same bytes on every call. */
  abstract byte[] generate(int size);

  static byte[] syntheticHeapPages(int size) {
    int pages = (size + PAGE_BYTES - 1) / PAGE_BYTES;
    ByteBuffer out = ByteBuffer.allocate(pages * PAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom random = new SplittableRandom(SEED);
    int aid = 1;
    int xmin = 1000;
    byte[] filler = new byte[84];
    java.util.Arrays.fill(filler, (byte) ' ');
    for (int page = 0; page < pages; page++) {
      int base = page * PAGE_BYTES;
      int upper = PAGE_BYTES - TUPLES_PER_PAGE * TUPLE_BYTES;
      int lower = 24 + 4 * TUPLES_PER_PAGE;
      out.putLong(base, 0x16_0000_0000L + page * 0x2000L + random.nextInt(64)); // pd_lsn
      out.putShort(base + 8, (short) 0); // pd_checksum (off, as by default)
      out.putShort(base + 10, (short) 0x0004); // pd_flags: all visible
      out.putShort(base + 12, (short) lower);
      out.putShort(base + 14, (short) upper);
      out.putShort(base + 16, (short) PAGE_BYTES); // pd_special: none
      out.putShort(base + 18, (short) (PAGE_BYTES | 4)); // size | layout version
      out.putInt(base + 20, 0); // pd_prune_xid
      for (int t = 0; t < TUPLES_PER_PAGE; t++) {
        int tupleOffset = PAGE_BYTES - (t + 1) * TUPLE_BYTES;
        // line pointer: lp_off (15 bits), lp_flags = 1 (normal), lp_len (15 bits)
        out.putInt(base + 24 + 4 * t, tupleOffset | 1 << 15 | 121 << 17);
        int tp = base + tupleOffset;
        if (aid % 1000 == 0) {
          xmin++; // pgbench -i commits in batches: runs of tuples share an xmin
        }
        out.putInt(tp, xmin); // t_xmin
        out.putInt(tp + 4, 0); // t_xmax
        out.putInt(tp + 8, 0); // t_cid
        out.putShort(tp + 12, (short) (page >>> 16)); // t_ctid block (hi)
        out.putShort(tp + 14, (short) page); // t_ctid block (lo)
        out.putShort(tp + 16, (short) (t + 1)); // t_ctid offset
        out.putShort(tp + 18, (short) 4); // t_infomask2: 4 attributes
        out.putShort(tp + 20, (short) 0x0902); // t_infomask: xmin committed, xmax invalid
        out.put(tp + 22, (byte) 24); // t_hoff
        out.putInt(tp + 24, aid); // aid
        out.putInt(tp + 28, (aid - 1) / 100_000 + 1); // bid
        out.putInt(tp + 32, random.nextInt(20) == 0 ? random.nextInt(-5000, 5000) : 0); // abalance
        out.put(tp + 36, (byte) (85 << 1 | 1)); // short varlena header, 85 bytes
        out.put(tp + 37, filler);
        aid++;
      }
    }
    byte[] all = out.array();
    return all.length == size ? all : java.util.Arrays.copyOf(all, size);
  }

  private static byte[] readRepeated(String file, int size) {
    Path path = Paths.get(file); // benchmark input named on the command line: default file system
    byte[] data = new byte[size];
    try {
      int filled = 0;
      while (filled < size) {
        try (InputStream in = Files.newInputStream(path)) {
          int n = in.readNBytes(data, filled, size - filled);
          if (n == 0) {
            throw new IllegalArgumentException(DB_FILE_PROPERTY + " names an empty file: " + file);
          }
          filled += n;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DB_FILE_PROPERTY + " file " + file, e);
    }
    return data;
  }

  private static final String[] LEVELS = {
    "INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR"
  };
  private static final String[] LOGGERS = {
    "dev.coffer.local.LocalRepository", "dev.coffer.archive.ArchiveWriter",
        "org.h2.engine.Database",
    "com.example.orders.OrderService", "com.example.http.RequestLog",
        "org.postgresql.core.v3.QueryExecutor"
  };
  private static final String[] WORDS = {
    "backup",
    "started",
    "completed",
    "file",
    "bytes",
    "checksum",
    "verified",
    "order",
    "customer",
    "request",
    "GET",
    "POST",
    "/api/v1/orders",
    "/api/v1/customers",
    "status",
    "200",
    "404",
    "500",
    "latency",
    "retry",
    "connection",
    "pool",
    "acquired",
    "released",
    "transaction",
    "commit",
    "rollback",
    "timeout",
    "user",
    "session",
    "cache",
    "miss",
    "hit",
    "index",
    "scan",
    "rows"
  };

  static byte[] jsonLogLines(int size) {
    StringBuilder text = new StringBuilder(size + 512);
    SplittableRandom random = new SplittableRandom(SEED);
    long millis = Instant.parse("2026-11-22T05:00:00Z").toEpochMilli();
    while (text.length() < size) {
      millis += random.nextInt(40);
      text.append("{\"ts\":\"")
          .append(Instant.ofEpochMilli(millis))
          .append("\",\"level\":\"")
          .append(LEVELS[random.nextInt(LEVELS.length)])
          .append("\",\"logger\":\"")
          .append(LOGGERS[random.nextInt(LOGGERS.length)])
          .append("\",\"thread\":\"worker-")
          .append(random.nextInt(16))
          .append("\",\"msg\":\"");
      int words = 3 + random.nextInt(9);
      for (int w = 0; w < words; w++) {
        // squared index: a skewed, Zipf-like word frequency
        int i = (int) (WORDS.length * Math.pow(random.nextDouble(), 2));
        text.append(w == 0 ? "" : " ").append(WORDS[i]);
      }
      text.append("\",\"user_id\":")
          .append(random.nextInt(100_000))
          .append(",\"latency_ms\":")
          .append(random.nextInt(5000) / 10.0)
          .append(",\"trace\":\"")
          .append(Long.toHexString(random.nextLong()))
          .append("\"}\n");
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.copyOf(bytes, size);
  }
}
