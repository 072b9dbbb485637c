package dev.coffer.archive.v2;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One entry of a manifest block table: where a block of a file lives and what it holds.
 *
 * @param archiveIndex index into the manifest's chain table (0 = the archive of this manifest), 0
 *     to 999
 * @param blockNumber the block's number in that archive (its nonce), at least 0
 * @param offset where the sealed block starts in that archive's {@code data/} object, at least 0
 * @param storedLength the sealed block's length in bytes, at least 1
 * @param rawLength the block's plaintext length in bytes, at least 1
 * @param sha256 SHA-256 of the block's plaintext (32 bytes; copied)
 */
public record BlockRef(
    int archiveIndex,
    long blockNumber,
    long offset,
    int storedLength,
    int rawLength,
    byte[] sha256) {

  /**
   * Validates the fields.
   *
   * @param archiveIndex as described on the record
   * @param blockNumber as described on the record
   * @param offset as described on the record
   * @param storedLength as described on the record
   * @param rawLength as described on the record
   * @param sha256 as described on the record
   * @throws IllegalArgumentException if a field is out of range
   */
  public BlockRef {
    if (archiveIndex < 0
        || archiveIndex >= V2Format.MAX_CHAIN
        || blockNumber < 0
        || offset < 0
        || storedLength < 1
        || rawLength < 1
        || sha256.length != V2Format.HASH_BYTES) {
      throw new IllegalArgumentException("invalid block reference");
    }
    sha256 = sha256.clone();
  }

  /**
   * SHA-256 of the block's plaintext.
   *
   * @return a copy of the 32-byte hash
   */
  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  /**
   * The same reference with another archive index, for copying a base's entry into an incremental
   * whose chain table numbers the archives differently.
   *
   * @param index the archive's index in the new manifest's chain table
   * @return the re-numbered reference
   */
  public BlockRef withArchiveIndex(int index) {
    return new BlockRef(index, blockNumber, offset, storedLength, rawLength, sha256);
  }

  /**
   * Whether {@code other} names the same block with the same lengths and hash, whatever its archive
   * index.
   */
  boolean sameBlockAs(BlockRef other) {
    return blockNumber == other.blockNumber
        && offset == other.offset
        && storedLength == other.storedLength
        && rawLength == other.rawLength
        && Arrays.equals(sha256, other.sha256);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockRef r && archiveIndex == r.archiveIndex && sameBlockAs(r);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(offset) + Arrays.hashCode(sha256);
  }

  @Override
  public String toString() {
    return "BlockRef[archive "
        + archiveIndex
        + ", block "
        + blockNumber
        + ", offset "
        + offset
        + ", stored "
        + storedLength
        + ", raw "
        + rawLength
        + ", sha256 "
        + HexFormat.of().formatHex(sha256)
        + "]";
  }
}
