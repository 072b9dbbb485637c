package dev.coffer.archive.v2;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link V2ArchiveWriter} writes: block size, zstd level, workers, whether to re-read unchanged
 * files, and the timestamp granularity of the racily-clean rule.
 *
 * <p>A file whose size, modification time, change time and file key equal its base entry's is not
 * read, but only when its modification time is older than the scan start by more than {@code
 * granularity} (git's racily-clean rule), both at the base's scan and at this one: a file written
 * within that window may change again without its times changing. 2 s covers the coarsest common
 * file systems (FAT's 2 s mtime; ext4, XFS, APFS and NTFS record nanoseconds or 100 ns). The limit,
 * as for git and restic: a file rewritten with the same size and times, and its times set back, is
 * not seen; {@code rehash} reads everything.
 *
 * @param blockSizeBytes a power of two from 4 KiB to 1 MiB
 * @param level zstd level, 1 to 19
 * @param threads workers that hash, compress and seal blocks (at least 1)
 * @param rehash read every file even when its stats say unchanged
 * @param granularity the timestamp granularity assumed
 */
public record V2WriteOptions(
    int blockSizeBytes, int level, int threads, boolean rehash, Duration granularity) {

  /** The default granularity of the racily-clean rule. */
  public static final Duration DEFAULT_GRANULARITY = Duration.ofSeconds(2);

  /** 64 KiB blocks, zstd level 3, one worker per core (at most 4), no rehash, 2 s granularity. */
  public static final V2WriteOptions DEFAULT =
      new V2WriteOptions(
          BlockSealer.DEFAULT_BLOCK_SIZE_BYTES,
          3,
          Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
          false,
          DEFAULT_GRANULARITY);

  /**
   * Validates the components.
   *
   * @param blockSizeBytes as described on the record
   * @param level as described on the record
   * @param threads as described on the record
   * @param rehash as described on the record
   * @param granularity as described on the record
   * @throws IllegalArgumentException if a value is out of range
   */
  public V2WriteOptions {
    Objects.requireNonNull(granularity, "granularity");
    if (!V2Format.validBlockSize(blockSizeBytes)
        || level < 1
        || level > 19
        || threads < 1
        || threads > 64
        || granularity.isNegative()) {
      throw new IllegalArgumentException(
          "invalid write options: block size "
              + blockSizeBytes
              + ", level "
              + level
              + ", threads "
              + threads
              + ", granularity "
              + granularity);
    }
  }

  /**
   * The same options, reading every file.
   *
   * @return the options with {@code rehash} set
   */
  public V2WriteOptions withRehash() {
    return new V2WriteOptions(blockSizeBytes, level, threads, true, granularity);
  }

  /**
   * The same options with another granularity.
   *
   * @param newGranularity the granularity
   * @return the options
   */
  public V2WriteOptions withGranularity(Duration newGranularity) {
    return new V2WriteOptions(blockSizeBytes, level, threads, rehash, newGranularity);
  }

  /**
   * The same options with another block size.
   *
   * @param newBlockSizeBytes the block size
   * @return the options
   */
  public V2WriteOptions withBlockSize(int newBlockSizeBytes) {
    return new V2WriteOptions(newBlockSizeBytes, level, threads, rehash, granularity);
  }
}
