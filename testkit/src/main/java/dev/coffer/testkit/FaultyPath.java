package dev.coffer.testkit;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/** A path of the faulty file system: a delegate path, re-wrapped by every operation. */
final class FaultyPath implements Path {
  final FaultyFileSystem fs;
  final Path delegate;

  FaultyPath(FaultyFileSystem fs, Path delegate) {
    this.fs = fs;
    this.delegate = delegate;
  }

  private Path wrapOrNull(Path p) {
    return p == null ? null : new FaultyPath(fs, p);
  }

  @Override
  public FileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return delegate.isAbsolute();
  }

  @Override
  public Path getRoot() {
    return wrapOrNull(delegate.getRoot());
  }

  @Override
  public Path getFileName() {
    return wrapOrNull(delegate.getFileName());
  }

  @Override
  public Path getParent() {
    return wrapOrNull(delegate.getParent());
  }

  @Override
  public int getNameCount() {
    return delegate.getNameCount();
  }

  @Override
  public Path getName(int index) {
    return wrapOrNull(delegate.getName(index));
  }

  @Override
  public Path subpath(int beginIndex, int endIndex) {
    return wrapOrNull(delegate.subpath(beginIndex, endIndex));
  }

  @Override
  public boolean startsWith(Path other) {
    return other instanceof FaultyPath
        && ((FaultyPath) other).fs == fs
        && delegate.startsWith(((FaultyPath) other).delegate);
  }

  @Override
  public boolean endsWith(Path other) {
    return other instanceof FaultyPath
        && ((FaultyPath) other).fs == fs
        && delegate.endsWith(((FaultyPath) other).delegate);
  }

  @Override
  public Path normalize() {
    return wrapOrNull(delegate.normalize());
  }

  @Override
  public Path resolve(Path other) {
    return wrapOrNull(delegate.resolve(fs.unwrap(other)));
  }

  @Override
  public Path relativize(Path other) {
    return wrapOrNull(delegate.relativize(fs.unwrap(other)));
  }

  @Override
  public URI toUri() {
    return delegate.toUri();
  }

  @Override
  public Path toAbsolutePath() {
    return wrapOrNull(delegate.toAbsolutePath());
  }

  @Override
  public Path toRealPath(LinkOption... options) throws IOException {
    fs.plan.checkAlive(this);
    return wrapOrNull(delegate.toRealPath(options));
  }

  @Override
  public WatchKey register(
      WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("FaultyFileSystem has no watch service");
  }

  @Override
  public int compareTo(Path other) {
    return delegate.compareTo(fs.unwrap(other));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FaultyPath
        && ((FaultyPath) o).fs == fs
        && ((FaultyPath) o).delegate.equals(delegate);
  }

  @Override
  public int hashCode() {
    return delegate.hashCode();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
