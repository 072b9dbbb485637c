package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The reading side of the frame stage: random access to the authenticated container bytes of one
 * archive. The chunk count follows from the file length, so the reader knows which chunk must carry
 * the final flag: a cut-off or extended archive fails authentication. Plaintext of a chunk is
 * released only after its tag verified. Keeps the current chunk; reads through it sequentially with
 * {@link #seek} and {@code read*}. Not thread-safe.
 */
final class ChunkedInput {

  private final SeekableByteChannel ch;
  private final long bodyStart;
  private final int chunkSize;
  private final int sealedSize;
  private final ChunkSealer sealer;
  private final String backupId;
  private final long chunkCount;
  private final long containerLength;
  private final long fileSize;
  private long position;
  private long currentIndex = -1;
  private byte[] current;
  private final byte[] sealedBuffer;
  private final Map<Long, Future<byte[]>> ahead = new HashMap<>();
  private ExecutorService pool;
  private ThreadLocal<ChunkSealer> workerSealers;
  private int depth;

  ChunkedInput(
      SeekableByteChannel ch, long bodyStart, int chunkSize, ChunkSealer sealer, String backupId)
      throws IOException {
    this.ch = ch;
    this.bodyStart = bodyStart;
    this.chunkSize = chunkSize;
    this.sealer = sealer;
    this.backupId = backupId;
    this.sealedSize = chunkSize + sealer.tagLength();
    this.sealedBuffer = new byte[sealedSize];
    this.fileSize =
        ch.size(); // fixed once: a file that grows or shrinks later fails authentication
    long body = fileSize - bodyStart;
    if (body <= 0) {
      throw corrupt("archive has no chunks (truncated)");
    }
    long n = (body + sealedSize - 1) / sealedSize;
    long lastSealed = body - (n - 1) * sealedSize;
    if (lastSealed <= sealer.tagLength()) {
      throw corrupt("archive is truncated or extended (last chunk of " + lastSealed + " bytes)");
    }
    this.chunkCount = n;
    this.containerLength = (n - 1) * chunkSize + (lastSealed - sealer.tagLength());
  }

  long containerLength() {
    return containerLength;
  }

  long chunkCount() {
    return chunkCount;
  }

  long position() {
    return position;
  }

  void seek(long containerOffset) throws CorruptBackupException {
    if (containerOffset < 0 || containerOffset > containerLength) {
      throw corrupt("offset " + containerOffset + " outside the archive");
    }
    position = containerOffset;
  }

  /**
   * Lets sequential reads authenticate the next {@code depth} chunks on {@code pool} while the
   * caller works on the current one. Only for channels that support positional reads ({@link
   * FileChannel}); a chunk read ahead is released only when asked for, and only after its tag
   * verified, like any other.
   */
  void enableReadAhead(ExecutorService pool, Supplier<ChunkSealer> sealers, int depth) {
    if (ch instanceof FileChannel && depth > 0) {
      this.pool = pool;
      this.workerSealers = ThreadLocal.withInitial(sealers);
      this.depth = depth;
    }
  }

  /** Authenticates chunk {@code index} and returns its plaintext. */
  byte[] chunk(long index) throws IOException {
    if (index < 0 || index >= chunkCount) {
      throw corrupt("chunk " + index + " outside the archive's " + chunkCount + " chunks");
    }
    if (index == currentIndex) {
      return current;
    }
    Future<byte[]> f = ahead.remove(index);
    byte[] plain;
    if (f != null) {
      plain = OrderedPoolTasks.await(f);
    } else if (pool != null) {
      plain = openAt(index, sealer, new byte[sealedSize]);
    } else {
      plain = openSequential(index);
    }
    if (plain == null) {
      throw corrupt(
          "chunk "
              + index
              + " failed authentication (modified, reordered, truncated or foreign bytes)");
    }
    currentIndex = index;
    current = plain;
    if (pool != null) {
      ahead
          .entrySet()
          .removeIf(
              e -> {
                if (e.getKey() < index || e.getKey() > index + depth) {
                  e.getValue().cancel(false);
                  return true;
                }
                return false;
              });
      for (long j = index + 1; j <= Math.min(index + depth, chunkCount - 1); j++) {
        if (!ahead.containsKey(j)) {
          long k = j;
          ahead.put(k, pool.submit(() -> openAt(k, workerSealers.get(), new byte[sealedSize])));
        }
      }
    }
    return plain;
  }

  private int sealedLength(long index) {
    return index == chunkCount - 1 ? (int) (fileSize - bodyStart - index * sealedSize) : sealedSize;
  }

  /** Positional read (thread-safe on a FileChannel) and authentication; null if either fails. */
  private byte[] openAt(long index, ChunkSealer s, byte[] buffer) throws IOException {
    int len = sealedLength(index);
    ByteBuffer bb = ByteBuffer.wrap(buffer, 0, len);
    long at = bodyStart + index * sealedSize;
    while (bb.hasRemaining()) {
      int n = ((FileChannel) ch).read(bb, at + bb.position());
      if (n < 0) {
        return null;
      }
    }
    return s.open(index, index == chunkCount - 1, buffer, len);
  }

  private byte[] openSequential(long index) throws IOException {
    int len = sealedLength(index);
    ByteBuffer bb = ByteBuffer.wrap(sealedBuffer, 0, len);
    ch.position(bodyStart + index * sealedSize);
    while (bb.hasRemaining()) {
      if (ch.read(bb) < 0) {
        throw corrupt("archive shrank while being read");
      }
    }
    return sealer.open(index, index == chunkCount - 1, sealedBuffer, len);
  }

  /** Cancels chunks read ahead and not used. */
  void cancelReadAhead() {
    ahead.values().forEach(f -> f.cancel(false));
    ahead.clear();
  }

  void readFully(byte[] dst, int off, int len) throws IOException {
    if (len > containerLength - position) {
      throw corrupt("record runs past the end of the archive at offset " + position);
    }
    while (len > 0) {
      long index = position / chunkSize;
      int within = (int) (position % chunkSize);
      byte[] plain = chunk(index);
      int n = Math.min(len, plain.length - within);
      if (n <= 0) {
        throw corrupt("chunk " + index + " is shorter than expected");
      }
      System.arraycopy(plain, within, dst, off, n);
      off += n;
      len -= n;
      position += n;
    }
  }

  byte[] readBytes(int len) throws IOException {
    if (len > containerLength - position) {
      throw corrupt("record runs past the end of the archive at offset " + position);
    }
    byte[] b = new byte[len];
    readFully(b, 0, len);
    return b;
  }

  int readU8() throws IOException {
    return Byte.toUnsignedInt(readBytes(1)[0]);
  }

  int readU16() throws IOException {
    return Short.toUnsignedInt(ByteBuffer.wrap(readBytes(2)).getShort());
  }

  long readU32() throws IOException {
    return Integer.toUnsignedLong(ByteBuffer.wrap(readBytes(4)).getInt());
  }

  long readU64() throws IOException {
    return ByteBuffer.wrap(readBytes(8)).getLong();
  }

  CorruptBackupException corrupt(String what) {
    return new CorruptBackupException("archive of backup " + backupId + ": " + what, null);
  }
}
