package dev.coffer.store.s3;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Runs one S3 request with bounded retries: transient failures (HTTP 500, 502, 503, 504, 429,
 * throttling codes, connection resets, timeouts) are retried after an exponential delay with full
 * jitter; anything else fails at once. The SDK's own retries are off, so this is the only policy.
 *
 * @param maxAttempts how many times a request is sent at most (1 = no retry)
 * @param baseDelay the ceiling of the first delay; each retry doubles it
 * @param maxDelay the largest ceiling
 */
record Retry(int maxAttempts, Duration baseDelay, Duration maxDelay) {

  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "SlowDown",
          "RequestTimeout",
          "InternalError",
          "ServiceUnavailable",
          "Throttling",
          "ThrottlingException",
          "RequestThrottled",
          "TooManyRequests");

  static Retry standard(int maxAttempts) {
    return new Retry(maxAttempts, Duration.ofMillis(200), Duration.ofSeconds(10));
  }

  /** One try of a request; {@code attempt} counts from 1. */
  @FunctionalInterface
  interface Attempt<T> {
    T run(int attempt) throws IOException;
  }

  <T> T call(Attempt<T> request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.run(attempt);
      } catch (SdkException | IOException | UncheckedIOException e) {
        if (attempt >= maxAttempts || !isTransient(e)) {
          throw e;
        }
        sleep(attempt);
      }
    }
  }

  void sleep(int attempt) throws InterruptedIOException {
    long ceiling = Math.min(maxDelay.toNanos(), baseDelay.toNanos() << Math.min(attempt - 1, 20));
    long nanos = ThreadLocalRandom.current().nextLong(ceiling + 1);
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry an S3 request");
    }
  }

  static boolean isTransient(Exception e) {
    if (e instanceof S3Exception s3) {
      int status = s3.statusCode();
      String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
      return status == 500
          || status == 502
          || status == 503
          || status == 504
          || status == 429
          || (code != null && TRANSIENT_CODES.contains(code));
    }
    if (e instanceof FileSystemException) {
      return false; // our own answers (no such object, already exists), never the network's
    }
    if (e instanceof SdkClientException
        || e instanceof IOException
        || e instanceof UncheckedIOException) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
          return false;
        }
        if (t instanceof IOException) {
          return true;
        }
      }
      return e instanceof SdkClientException
          && e.getMessage() != null
          && e.getMessage().contains("Unable to execute HTTP request");
    }
    return false;
  }
}
