package dev.coffer.benchmarks;

import java.util.Locale;

/**
 * Prints the zstd compression ratio (uncompressed / compressed) of each {@link DataKind} at each
 * level, as CSV, for the tables beside {@link CodecBenchmark}'s throughput. The ratio does not
 * depend on the API, so the byte[] API alone is used; the sizes are exact, not timed.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.coffer.benchmarks.CompressionRatios
 * [sizeBytes]} (add {@code -Dcoffer.bench.dbfile=FILE} to use a real database file).
 */
public final class CompressionRatios {

  private CompressionRatios() {}

  /**
   * Prints {@code data,level,size,compressed,ratio} lines.
   *
   * @param args optionally the block size in bytes (default 1 MiB)
   */
  public static void main(String[] args) {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20;
    System.out.println("data,level,size,compressed,ratio");
    for (DataKind data : DataKind.values()) {
      byte[] input = data.generate(size);
      for (int level : new int[] {1, 3, 9, 19}) {
        try (ZstdApi.ZstdCodec codec = ZstdApi.BYTE_ARRAY.create(input, level)) {
          int compressed = codec.compress();
          System.out.printf(
              Locale.ROOT,
              "%s,%d,%d,%d,%.2f%n",
              data,
              level,
              size,
              compressed,
              (double) size / compressed);
        }
      }
    }
  }
}
