package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The blocks one archive stores in its own {@code data/} object (the references with archive index
 * 0 in its manifest), indexed by block number. Building one checks that every block lies inside the
 * data object, fits the archive's block size, and that no two blocks overlap or share a number.
 * Immutable.
 */
public final class ArchiveBlocks {

  private final UUID archiveId;
  private final Map<Long, BlockRef> byNumber;

  private ArchiveBlocks(UUID archiveId, Map<Long, BlockRef> byNumber) {
    this.archiveId = archiveId;
    this.byNumber = byNumber;
  }

  /**
   * The own blocks of archive {@code archiveId}.
   *
   * @param archiveId the archive, as named by its authenticated commit
   * @param dataLengthBytes the length of its {@code data/} object
   * @param blockSizeBytes its block size
   * @param ownRefs every reference with archive index 0 in its manifest (a block referenced twice
   *     appears twice)
   * @return the index of its blocks
   * @throws CorruptBackupException if a reference is not an own reference, lies outside the data
   *     object, does not fit the block size, or conflicts with another
   */
  public static ArchiveBlocks of(
      UUID archiveId, long dataLengthBytes, int blockSizeBytes, Collection<BlockRef> ownRefs)
      throws CorruptBackupException {
    if (!V2Format.validBlockSize(blockSizeBytes) || dataLengthBytes < 0) {
      throw corrupt(
          archiveId,
          "declares block size " + blockSizeBytes + " and data length " + dataLengthBytes);
    }
    Map<Long, BlockRef> byNumber = new HashMap<>();
    for (BlockRef r : ownRefs) {
      if (r.archiveIndex() != 0
          || r.rawLength() > blockSizeBytes
          || r.storedLength() > V2Format.maxStoredLength(blockSizeBytes)
          || r.offset() > dataLengthBytes - r.storedLength()) {
        throw corrupt(archiveId, "has a block outside its data object or block size: " + r);
      }
      BlockRef seen = byNumber.putIfAbsent(r.blockNumber(), r);
      if (seen != null && !seen.sameBlockAs(r)) {
        throw corrupt(
            archiveId, "names block " + r.blockNumber() + " twice with different contents");
      }
    }
    List<BlockRef> sorted = new ArrayList<>(byNumber.values());
    sorted.sort(Comparator.comparingLong(BlockRef::offset));
    for (int i = 1; i < sorted.size(); i++) {
      BlockRef prev = sorted.get(i - 1);
      if (sorted.get(i).offset() < prev.offset() + prev.storedLength()) {
        throw corrupt(
            archiveId,
            "has overlapping blocks " + prev.blockNumber() + " and " + sorted.get(i).blockNumber());
      }
    }
    return new ArchiveBlocks(archiveId, Map.copyOf(byNumber));
  }

  /**
   * The archive these blocks belong to.
   *
   * @return its id
   */
  public UUID archiveId() {
    return archiveId;
  }

  /**
   * The number of distinct blocks the archive stores.
   *
   * @return the block count
   */
  public int size() {
    return byNumber.size();
  }

  /** The own block with {@code blockNumber}, or null. */
  BlockRef get(long blockNumber) {
    return byNumber.get(blockNumber);
  }

  private static CorruptBackupException corrupt(UUID archiveId, String what) {
    return new CorruptBackupException("archive " + archiveId + " " + what, null);
  }
}
