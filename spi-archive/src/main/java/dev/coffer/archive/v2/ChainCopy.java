package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Consolidation of a long chain: a backup written on a base whose chain reached the repository's
 * {@code max-chain} is a full backup whose unchanged files are not read from the source but copied
 * from the chain, block by block (each block read with ranged reads, authenticated, decompressed,
 * its SHA-256 checked against its reference, then compressed and sealed again under the new
 * archive's keys, with a new block number). Files that changed are read from the source as always.
 * The result references no other archive, so pruning the old chain never touches it. Every
 * reference of every copied file is checked against the chain ({@link V2Chain#check}) when its job
 * is made, before the data object is written.
 */
final class ChainCopy implements AutoCloseable {

  private final V2Chain chain;

  /** Copies from {@code chain}, whose tip is the base the backup was asked for (owned: closed). */
  ChainCopy(V2Chain chain) {
    this.chain = chain;
  }

  /**
   * Whether a backup on {@code base} consolidates: the base already has {@code maxChain}
   * incrementals below it, counting itself ({@code maxChain} incrementals on one full at most).
   */
  static boolean due(V2Backup base, int maxChain) {
    return base.manifest().archives().size() + 1 > maxChain;
  }

  /** A job that stores {@code old} (an entry of the chain's tip) by copying its blocks. */
  BlockStream.Job job(Path file, V2Manifest.FileEntry old) throws CorruptBackupException {
    List<BlockResolver.Location> where = chain.check(old);
    return new BlockStream.Job(file, List.of(), f -> new Blocks(chain, old.path(), where));
  }

  @Override
  public void close() {
    chain.close();
  }

  /** A file's content as the chain holds it, read one run of neighbouring blocks at a time. */
  private static final class Blocks extends InputStream {
    private final V2Chain chain;
    private final String path;
    private final List<BlockResolver.Location> where;
    private int next;
    private int runEnd;
    private byte[] range;
    private long rangeStart;
    private byte[] block = new byte[0];
    private int position;

    Blocks(V2Chain chain, String path, List<BlockResolver.Location> where) {
      this.chain = chain;
      this.path = path;
      this.where = where;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (position == block.length) {
        if (next == where.size()) {
          return -1;
        }
        if (next == runEnd || range == null) {
          runEnd = V2Chain.runEnd(where, next);
          range = chain.range(where, next, runEnd);
          rangeStart = where.get(next).block().offset();
        }
        BlockResolver.Location l = where.get(next++);
        int at = (int) (l.block().offset() - rangeStart);
        block = chain.open(path, chain.indexOf(l), l.block(), range, at);
        position = 0;
      }
      int n = Math.min(len, block.length - position);
      System.arraycopy(block, position, b, off, n);
      position += n;
      return n;
    }
  }
}
