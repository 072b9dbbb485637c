package dev.coffer.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The body of a GET that survives a cut connection: when the response ends early or fails, it asks
 * again for the rest with a ranged GET pinned to the same ETag, under the retry policy. It returns
 * exactly {@code stop - position} bytes or throws; it never ends early without an exception.
 */
final class ResumingInputStream extends InputStream {

  /** Opens the bytes from a position to the end of the range, for the object with an ETag. */
  @FunctionalInterface
  interface Opener {
    ResponseInputStream<GetObjectResponse> open(long position, String etag) throws IOException;
  }

  private final long stop;
  private final Retry retry;
  private final Opener opener;
  private final String etag;
  private final String description;
  private InputStream current;
  private long position;
  private int failures;

  ResumingInputStream(
      InputStream first,
      long position,
      long stop,
      Retry retry,
      Opener opener,
      String etag,
      String description) {
    this.current = first;
    this.position = position;
    this.stop = stop;
    this.retry = retry;
    this.opener = opener;
    this.etag = etag;
    this.description = description;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (position >= stop) {
        return -1;
      }
      if (current == null) {
        throw new IOException("stream of " + description + " is closed");
      }
      IOException failure;
      try {
        int n = current.read(b, off, (int) Math.min(len, stop - position));
        if (n > 0) {
          position += n;
          failures = 0;
          return n;
        }
        failure =
            new IOException(
                "response for " + description + " ended at byte " + position + " of " + stop);
      } catch (IOException e) {
        failure = e;
      }
      resume(failure);
    }
  }

  private void resume(IOException failure) throws IOException {
    failures++;
    closeQuietly();
    if (failures >= retry.maxAttempts() || !Retry.isTransient(failure)) {
      throw new IOException(
          "reading "
              + description
              + " failed at byte "
              + position
              + " after "
              + failures
              + " attempts: "
              + failure.getMessage(),
          failure);
    }
    retry.sleep(failures);
    ResponseInputStream<GetObjectResponse> next = opener.open(position, etag);
    if (next == null) {
      throw new IOException(
          "object "
              + description
              + " ended at byte "
              + position
              + " when resumed; expected "
              + stop
              + " bytes (was it replaced?)");
    }
    current = next;
  }

  private void closeQuietly() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException e) {
        // the connection is being given up anyway
      }
      current = null;
    }
  }

  @Override
  public void close() {
    if (current instanceof ResponseInputStream<?> r && position < stop) {
      r.abort(); // do not drain megabytes we no longer need just to reuse the connection
    }
    closeQuietly();
    position = stop;
  }
}
