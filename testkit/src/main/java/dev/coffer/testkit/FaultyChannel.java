package dev.coffer.testkit;

import dev.coffer.testkit.FaultyFileSystem.Operation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** A channel that counts writes and forces, limits bytes, shortens reads and dies with a crash. */
final class FaultyChannel extends FileChannel {
  private final FaultyFileSystem fs;
  private final Path shown;
  private final Path file;
  private final FileChannel delegate;

  FaultyChannel(FaultyFileSystem fs, Path shown, Path file, FileChannel delegate) {
    this.fs = fs;
    this.shown = shown;
    this.file = file;
    this.delegate = delegate;
  }

  private ByteBuffer limitRead(ByteBuffer dst) {
    if (fs.plan.shortReadsEnabled() && dst.remaining() > 1) {
      ByteBuffer one = dst.duplicate();
      one.limit(one.position() + 1);
      return one;
    }
    return dst;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    fs.plan.checkAlive(shown);
    ByteBuffer b = limitRead(dst);
    int n = delegate.read(b);
    if (b != dst && n > 0) {
      dst.position(dst.position() + n);
    }
    fs.plan.read(file);
    return n;
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    fs.plan.checkAlive(shown);
    ByteBuffer b = limitRead(dst);
    int n = delegate.read(b, position);
    if (b != dst && n > 0) {
      dst.position(dst.position() + n);
    }
    fs.plan.read(file);
    return n;
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    for (int i = offset; i < offset + length; i++) {
      if (dsts[i].hasRemaining()) {
        return read(dsts[i]);
      }
    }
    return 0;
  }

  private int doWrite(ByteBuffer src, long position) throws IOException {
    fs.plan.before(Operation.WRITE, shown);
    int wanted = src.remaining();
    long allowed = fs.plan.allowWrite(wanted);
    ByteBuffer part = src;
    if (allowed < wanted) {
      part = src.duplicate();
      part.limit(part.position() + (int) allowed);
    }
    int n = 0;
    while (part.hasRemaining()) {
      n += position < 0 ? delegate.write(part) : delegate.write(part, position + n);
    }
    if (part != src) {
      src.position(src.position() + n);
      throw new FileSystemException(shown.toString(), null, "No space left on device");
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return doWrite(src, -1);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return doWrite(src, position);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long n = 0;
    for (int i = offset; i < offset + length; i++) {
      n += doWrite(srcs[i], -1);
    }
    return n;
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    fs.plan.checkAlive(shown);
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    fs.plan.before(Operation.WRITE, shown);
    delegate.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    fs.plan.before(Operation.FORCE, shown);
    delegate.force(metaData);
    fs.plan.forced(file, delegate.size());
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
    long done = 0;
    while (done < count) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), count - done));
      int n = read(buf, position + done);
      if (n <= 0) {
        break;
      }
      buf.flip();
      while (buf.hasRemaining()) {
        target.write(buf);
      }
      done += n;
    }
    return done;
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
    long done = 0;
    while (done < count) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), count - done));
      int n = src.read(buf);
      if (n <= 0) {
        break;
      }
      buf.flip();
      while (buf.hasRemaining()) {
        done += doWrite(buf, position + done);
      }
    }
    return done;
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) {
    throw new UnsupportedOperationException("FaultyFileSystem does not map files");
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    fs.plan.checkAlive(shown);
    return new Lock(this, delegate.lock(position, size, shared));
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    fs.plan.checkAlive(shown);
    FileLock l = delegate.tryLock(position, size, shared);
    return l == null ? null : new Lock(this, l);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    delegate.close();
  }

  /** A lock whose channel is the faulty channel. */
  static final class Lock extends FileLock {
    private final FileLock delegate;

    Lock(FileChannel channel, FileLock delegate) {
      super(channel, delegate.position(), delegate.size(), delegate.isShared());
      this.delegate = delegate;
    }

    @Override
    public boolean isValid() {
      return delegate.isValid();
    }

    @Override
    public void release() throws IOException {
      delegate.release();
    }
  }
}
