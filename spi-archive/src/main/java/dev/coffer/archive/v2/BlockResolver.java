package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.RelativePaths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Resolves the block references of a manifest against its authenticated chain, so a restore checks
 * every reference before it writes anything: the archive index lies inside the chain table, the
 * block is one of that archive's own blocks with the same offset, lengths and hash (hence inside
 * its data object), and a file's blocks add up to its size. A reference into another repository
 * fails, since that archive is not in the chain. Immutable and thread-safe.
 */
public final class BlockResolver {

  /**
   * Where a checked reference is read from.
   *
   * @param archiveId the archive whose {@code data/} object holds the block
   * @param block the block as that archive's own table records it (archive index 0)
   */
  public record Location(UUID archiveId, BlockRef block) {}

  private final List<ArchiveBlocks> chain;

  /**
   * A resolver for one manifest.
   *
   * @param chain the archives of the manifest's chain table, in its order: index 0 is the
   *     manifest's own archive; the caller has checked each one's manifest against the hash the
   *     chain table records
   * @throws CorruptBackupException if the chain is empty, longer than 1000 archives, or names an
   *     archive twice
   */
  public BlockResolver(List<ArchiveBlocks> chain) throws CorruptBackupException {
    if (chain.isEmpty() || chain.size() > V2Format.MAX_CHAIN) {
      throw new CorruptBackupException(
          "chain table of " + chain.size() + " archives (1 to 1000 allowed)", null);
    }
    Set<UUID> ids = new HashSet<>();
    for (ArchiveBlocks a : chain) {
      if (!ids.add(a.archiveId())) {
        throw new CorruptBackupException(
            "chain table names archive " + a.archiveId() + " twice", null);
      }
    }
    this.chain = List.copyOf(chain);
  }

  /**
   * Checks one reference and says where to read it.
   *
   * @param path the file the reference belongs to (for messages)
   * @param ref the reference from the file's block table
   * @return the archive and the block to read
   * @throws CorruptBackupException if the reference is outside the chain or does not match its
   *     archive's block
   */
  public Location locate(String path, BlockRef ref) throws CorruptBackupException {
    if (ref.archiveIndex() >= chain.size()) {
      throw corrupt(
          path,
          "references archive " + ref.archiveIndex() + " outside its chain of " + chain.size());
    }
    ArchiveBlocks archive = chain.get(ref.archiveIndex());
    BlockRef own = archive.get(ref.blockNumber());
    if (own == null || !own.sameBlockAs(ref)) {
      throw corrupt(
          path,
          "references block "
              + ref.blockNumber()
              + " that archive "
              + archive.archiveId()
              + " does not hold as described");
    }
    return new Location(archive.archiveId(), own);
  }

  /**
   * Checks every reference of a file, that its blocks add up to its size and that their hash list
   * gives its content hash (so dropped, repeated or reordered references fail).
   *
   * @param path the file (for messages)
   * @param sizeBytes the file's size from the manifest
   * @param contentSha256 the file's content hash from the manifest ({@link BlockTable#contentHash})
   * @param refs the file's block table, in order
   * @return where to read each block, in file order
   * @throws CorruptBackupException if a reference fails {@link #locate}, the raw lengths do not sum
   *     to the size or the hash list does not give the content hash
   */
  public List<Location> checkFile(
      String path, long sizeBytes, byte[] contentSha256, List<BlockRef> refs)
      throws CorruptBackupException {
    List<Location> out = new ArrayList<>(refs.size());
    long total = 0;
    for (BlockRef r : refs) {
      out.add(locate(path, r));
      total += r.rawLength();
    }
    if (total != sizeBytes) {
      throw corrupt(path, "has blocks of " + total + " bytes for a size of " + sizeBytes);
    }
    if (!MessageDigest.isEqual(BlockTable.contentHash(refs), contentSha256)) {
      throw corrupt(path, "has a block list that does not match its content hash");
    }
    return out;
  }

  /**
   * Checks that an opened block holds what its reference promises.
   *
   * @param path the file (for messages)
   * @param ref the block's reference
   * @param raw the block's plaintext as opened
   * @throws CorruptBackupException if its length or SHA-256 differs
   */
  public static void checkContent(String path, BlockRef ref, byte[] raw)
      throws CorruptBackupException {
    if (raw.length != ref.rawLength()
        || !MessageDigest.isEqual(BlockTable.sha256().digest(raw), ref.sha256())) {
      throw corrupt(path, "block " + ref.blockNumber() + " does not match its sha256");
    }
  }

  private static CorruptBackupException corrupt(String path, String what) {
    return new CorruptBackupException("file " + RelativePaths.printable(path) + " " + what, path);
  }
}
