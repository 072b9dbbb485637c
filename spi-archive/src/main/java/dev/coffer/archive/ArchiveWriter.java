package dev.coffer.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.function.LongConsumer;

/**
 * Writes one archive: the one class that knows the order of the stages. For each file it reads
 * blocks of at most 1 MiB, feeds them to the hash stage ({@link FileHasher}, in order, on this
 * thread), hands each to the compress stage ({@link BlockCompressor}) on the worker pool (when it
 * must wait for the oldest block, it compresses blocks the pool has not started yet itself: {@link
 * OrderedPoolTasks}), and emits the framed blocks strictly in submission order into the frame stage
 * ({@link ChunkedOutput}), which seals chunks with the encrypt stage ({@link ChunkSealer}) on the
 * pool and writes them in order. The bytes written therefore do not depend on the number of
 * threads, and at most about {@code 2 x threads} blocks and chunks are in memory. Used by one
 * thread.
 */
final class ArchiveWriter {

  /** A file's content as written. */
  record FileResult(long size, byte[] sha256) {}

  /**
   * Bytes to emit in order: a record header or end, or a framed block; {@code atOffset} hears
   * where.
   */
  private record Segment(byte[] bytes, boolean block, LongConsumer atOffset) {}

  private final ChunkedOutput out;
  private final BlockCompressor compressor;
  private final int maxBlocksInFlight;
  private final OrderedPoolTasks<Segment> queue;

  /**
   * Block buffers no task uses any more, for the next reads: at most about {@code 2 x threads}
   * exist, so a small heap is not filled with 1 MiB (humongous) garbage at every block and every
   * small file.
   */
  private final Queue<byte[]> freeBlocks = new ConcurrentLinkedQueue<>();

  private int blocksQueued;

  ArchiveWriter(
      WritableByteChannel channel,
      ArchiveHeader header,
      ArchiveKeys keys,
      BlockCompressor compressor,
      ExecutorService pool,
      int threads,
      GcmWarmupSwitch warmup)
      throws IOException {
    this.compressor = compressor;
    this.queue = new OrderedPoolTasks<>(pool);
    this.maxBlocksInFlight = 2 * threads + 1;
    ByteBuffer hb = ByteBuffer.wrap(header.encode(keys.commitment()));
    while (hb.hasRemaining()) {
      channel.write(hb);
    }
    byte[] headerHash = header.hash();
    this.out =
        new ChunkedOutput(
            channel,
            () -> ChunkSealer.create(header.mode, keys, headerHash, warmup),
            header.chunkSize,
            pool,
            2 * threads);
  }

  /** Writes a DIR record. */
  void directory(String path) throws IOException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(3 + p.length)
            .put((byte) Format.REC_DIR)
            .putShort((short) p.length)
            .put(p);
    add(new Segment(b.array(), false, null));
  }

  /**
   * Writes a FILE record with everything {@code in} yields until its end.
   *
   * @param atOffset receives the container offset of the record once it is known
   */
  FileResult file(String path, ReadableByteChannel in, LongConsumer atOffset) throws IOException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    ByteBuffer h =
        ByteBuffer.allocate(3 + p.length)
            .put((byte) Format.REC_FILE)
            .putShort((short) p.length)
            .put(p);
    add(new Segment(h.array(), false, atOffset));
    FileHasher hasher = new FileHasher();
    while (true) {
      byte[] block = freeBlocks.poll();
      if (block == null) {
        block = new byte[Format.MAX_BLOCK_SIZE];
      }
      int n = readBlock(in, block);
      if (n == 0) {
        freeBlocks.add(block);
        break;
      }
      hasher.update(block, 0, n);
      byte[] raw = block;
      queue.submit(
          () -> {
            try {
              return new Segment(frame(compressor.compress(raw, n)), true, null);
            } finally {
              freeBlocks.add(raw); // framed: the copy owns the bytes now
            }
          });
      blocksQueued++;
      bound();
      if (n < block.length) {
        break;
      }
    }
    byte[] sha = hasher.finish();
    ByteBuffer end = ByteBuffer.allocate(4 + 32).putInt(0).put(sha);
    add(new Segment(end.array(), false, null));
    return new FileResult(hasher.bytes(), sha);
  }

  private static byte[] frame(BlockCompressor.Block b) {
    ByteBuffer bb = ByteBuffer.allocate(9 + b.storedLength());
    bb.putInt(b.rawLength())
        .put((byte) b.codec())
        .putInt(b.storedLength())
        .put(b.stored(), 0, b.storedLength());
    return bb.array();
  }

  private static int readBlock(ReadableByteChannel in, byte[] block) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(block);
    while (bb.hasRemaining()) {
      if (in.read(bb) < 0) {
        break;
      }
    }
    return bb.position();
  }

  private void add(Segment s) throws IOException {
    queue.add(s);
    bound();
  }

  /** Keeps at most {@link #maxBlocksInFlight} blocks (and 4096 segments) in memory. */
  private void bound() throws IOException {
    while (blocksQueued > maxBlocksInFlight || queue.size() > 4096) {
      emitOne();
    }
  }

  private void emitOne() throws IOException {
    // rather than wait for the pool, next() compresses the blocks no pool thread has started yet
    Segment s = queue.next();
    if (s.atOffset() != null) {
      s.atOffset().accept(out.position());
    }
    out.write(s.bytes());
    if (s.block()) {
      blocksQueued--;
    }
  }

  /** Emits everything queued; returns the container offset that follows. */
  long flush() throws IOException {
    while (!queue.isEmpty()) {
      emitOne();
    }
    return out.position();
  }

  /** Writes the manifest record and the footer, and seals the final chunk. */
  void finish(byte[] manifestJson, byte[] manifestMac) throws IOException {
    long manifestAt = flush();
    out.writeU8(Format.REC_MANIFEST);
    out.writeU32(manifestJson.length);
    out.write(manifestJson);
    out.write(manifestMac);
    out.writeU8(Format.REC_FOOTER);
    out.writeU64(manifestAt);
    out.write(Format.FOOTER_MAGIC);
    out.finish();
  }

  /** Sealed bytes written so far, after the header. */
  long bytesWritten() {
    return out.bytesWritten();
  }
}
