package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The reading side of the frame stage: random access to the authenticated container bytes of one archive.
 * The chunk count follows from the file length, so the reader knows which chunk must carry the final flag:
 * a cut-off or extended archive fails authentication. Plaintext of a chunk is released only after its tag
 * verified. Keeps the current chunk; reads through it sequentially with {@link #seek} and {@code read*}.
 * Not thread-safe.
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

  ChunkedInput(SeekableByteChannel ch, long bodyStart, int chunkSize, ChunkSealer sealer, String backupId)
      throws IOException {
    this.ch = ch;
    this.bodyStart = bodyStart;
    this.chunkSize = chunkSize;
    this.sealer = sealer;
    this.backupId = backupId;
    this.sealedSize = chunkSize + sealer.tagLength();
    this.sealedBuffer = new byte[sealedSize];
    this.fileSize = ch.size(); // fixed once: a file that grows or shrinks later fails authentication
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

  /** Authenticates chunk {@code index} and returns its plaintext. */
  byte[] chunk(long index) throws IOException {
    if (index == currentIndex) {
      return current;
    }
    if (index < 0 || index >= chunkCount) {
      throw corrupt("chunk " + index + " outside the archive's " + chunkCount + " chunks");
    }
    boolean last = index == chunkCount - 1;
    int len = last ? (int) (fileSize - bodyStart - index * sealedSize) : sealedSize;
    ByteBuffer bb = ByteBuffer.wrap(sealedBuffer, 0, len);
    ch.position(bodyStart + index * sealedSize);
    while (bb.hasRemaining()) {
      if (ch.read(bb) < 0) {
        throw corrupt("archive shrank while being read");
      }
    }
    byte[] plain = sealer.open(index, last, sealedBuffer, len);
    if (plain == null) {
      throw corrupt("chunk " + index + " failed authentication (modified, reordered, truncated or foreign bytes)");
    }
    currentIndex = index;
    current = plain;
    return plain;
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
