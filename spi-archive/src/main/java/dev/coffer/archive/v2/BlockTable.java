package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.RelativePaths;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The codec of a file's block table in the manifest: fixed-size binary records, base64 (RFC 4648,
 * with padding) in the manifest JSON. A record is {@code archive index u16 | block number u64 |
 * offset u64 | stored length u32 | raw length u32 | sha256 (32)}, big-endian, {@value
 * #RECORD_BYTES} bytes. Decoding checks every bound before it allocates or trusts anything.
 */
public final class BlockTable {

  /** Length of one encoded record. */
  public static final int RECORD_BYTES = 2 + 8 + 8 + 4 + 4 + V2Format.HASH_BYTES;

  private BlockTable() {}

  /**
   * Encodes a file's block references.
   *
   * @param refs the references, in file order
   * @return the base64 text for the manifest
   */
  public static String encode(List<BlockRef> refs) {
    ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(refs.size(), RECORD_BYTES));
    for (BlockRef r : refs) {
      out.putShort((short) r.archiveIndex())
          .putLong(r.blockNumber())
          .putLong(r.offset())
          .putInt(r.storedLength())
          .putInt(r.rawLength())
          .put(r.sha256());
    }
    return Base64.getEncoder().encodeToString(out.array());
  }

  /**
   * Decodes a file's block references, refusing anything out of bounds.
   *
   * @param path the file the table belongs to (for messages)
   * @param base64 the table as read from the manifest
   * @param chainSize the number of archives in the manifest's chain table: every archive index is
   *     below it
   * @param maxRecords the most records the table may hold (for example the file size / block size,
   *     rounded up)
   * @return the references, in file order
   * @throws CorruptBackupException if the text is not canonical base64 of whole records, holds too
   *     many, or a record is out of range
   */
  public static List<BlockRef> decode(String path, String base64, int chainSize, int maxRecords)
      throws CorruptBackupException {
    long maxChars = 4L * ((long) maxRecords * RECORD_BYTES + 2) / 3;
    if (base64.length() > maxChars) {
      throw corrupt(path, "has a block table longer than " + maxRecords + " blocks");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw corrupt(path, "has a block table that is not base64");
    }
    if (bytes.length % RECORD_BYTES != 0
        || !Base64.getEncoder().encodeToString(bytes).equals(base64)) {
      throw corrupt(
          path, "has a block table of " + bytes.length + " bytes, not whole canonical records");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    List<BlockRef> refs = new ArrayList<>(bytes.length / RECORD_BYTES);
    while (in.hasRemaining()) {
      int index = Short.toUnsignedInt(in.getShort());
      long number = in.getLong();
      long offset = in.getLong();
      long stored = Integer.toUnsignedLong(in.getInt());
      long raw = Integer.toUnsignedLong(in.getInt());
      byte[] hash = new byte[V2Format.HASH_BYTES];
      in.get(hash);
      if (index >= chainSize
          || index >= V2Format.MAX_CHAIN
          || number < 0
          || offset < 0
          || stored < V2Format.minStoredLength()
          || stored > V2Format.maxStoredLength(V2Format.MAX_BLOCK_SIZE)
          || raw < 1
          || raw > V2Format.MAX_BLOCK_SIZE
          || offset > Long.MAX_VALUE - stored) {
        throw corrupt(
            path,
            "has an out-of-range block reference: archive "
                + index
                + ", block "
                + number
                + ", offset "
                + offset
                + ", stored "
                + stored
                + ", raw "
                + raw);
      }
      refs.add(new BlockRef(index, number, offset, (int) stored, (int) raw, hash));
    }
    return refs;
  }

  /**
   * A file's content hash: SHA-256 over the concatenation of its blocks' SHA-256 (a hash list), so
   * blocks are hashed in parallel. An empty file (no blocks) hashes to SHA-256 of nothing.
   *
   * @param refs the file's blocks, in order
   * @return the 32-byte content hash
   */
  public static byte[] contentHash(List<BlockRef> refs) {
    MessageDigest md = sha256();
    for (BlockRef r : refs) {
      md.update(r.sha256());
    }
    return md.digest();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static CorruptBackupException corrupt(String path, String what) {
    return new CorruptBackupException("file " + RelativePaths.printable(path) + " " + what, path);
  }
}
