package dev.coffer.store.s3;

import dev.coffer.store.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One multipart upload of an {@link S3Store} write: parts are read on the caller's thread and sent
 * on the store's upload pool, at most {@code parallel-parts} at once; the object becomes visible
 * only when the upload completes, and the upload is aborted when anything fails.
 */
final class MultipartUpload {
  private final S3Store store;
  private final String key;
  private final String name;
  private final boolean ifAbsent;
  private final Semaphore slots;
  private final List<Future<CompletedPart>> parts = new ArrayList<>();

  /**
   * Part buffers whose upload finished, for the next parts: an upload allocates at most {@code
   * parallel-parts + 1} of them, not one per part (a part is a humongous array for G1 in a small
   * heap; allocating one per part made a 6 GiB upload under -Xmx256m run two full collections).
   */
  private final Queue<byte[]> free = new ConcurrentLinkedQueue<>();

  private String uploadId;

  MultipartUpload(S3Store store, String key, String name, boolean ifAbsent) {
    this.store = store;
    this.slots = new Semaphore(store.parallelParts);
    this.key = key;
    this.name = name;
    this.ifAbsent = ifAbsent;
  }

  long upload(byte[] first, byte[] second, InputStream data) throws IOException {
    try {
      uploadId =
          store.retry.call(
              attempt ->
                  store
                      .client
                      .createMultipartUpload(b -> b.bucket(store.bucket).key(name))
                      .uploadId());
    } catch (SdkException e) {
      throw store.failure("CreateMultipartUpload", key, e);
    }
    boolean completed = false;
    try {
      long total = send(first, first.length) + send(second, second.length);
      while (true) {
        byte[] buffer = free.poll();
        if (buffer == null) {
          buffer = new byte[store.partSize];
        }
        int n = data.readNBytes(buffer, 0, store.partSize);
        if (n == 0) {
          break;
        }
        total += send(buffer, n);
      }
      List<CompletedPart> done = new ArrayList<>();
      for (Future<CompletedPart> f : parts) {
        done.add(await(f));
      }
      done.sort(Comparator.comparing(CompletedPart::partNumber));
      if (ifAbsent && store.head(key).isPresent()) {
        // Created by another writer while the parts went up. If-None-Match on the completion
        // would refuse it too, but not every server honours it there (S3Proxy does not): this
        // HEAD narrows the window from the whole upload to one request.
        throw store.lostRace(key);
      }
      complete(done, total);
      completed = true;
      return total;
    } finally {
      if (!completed) {
        abort();
      }
    }
  }

  /** Uploads bytes [0, {@code length}) of {@code part}, which is reused once its upload ends. */
  private long send(byte[] part, int length) throws IOException {
    if (parts.size() == S3Store.MAX_PARTS) {
      throw new IOException(
          "object "
              + store.describe(key)
              + " is larger than "
              + S3Store.MAX_PARTS
              + " parts of "
              + store.partSize
              + " bytes; raise part-size-mib");
    }
    for (Future<CompletedPart> f : parts) {
      if (f.isDone()) {
        await(f); // a failed part stops the upload now, not after the whole source was read
      }
    }
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + store.describe(key));
    }
    int number = parts.size() + 1;
    try {
      parts.add(
          store.uploads.submit(
              () -> {
                try {
                  String etag =
                      store.retry.call(
                          attempt ->
                              store
                                  .client
                                  .uploadPart(
                                      b ->
                                          b.bucket(store.bucket)
                                              .key(name)
                                              .uploadId(uploadId)
                                              .partNumber(number)
                                              .contentLength((long) length),
                                      S3Store.body(part, length))
                                  .eTag());
                  CompletedPart done =
                      CompletedPart.builder().partNumber(number).eTag(etag).build();
                  if (part.length == store.partSize) {
                    free.offer(part);
                  }
                  return done;
                } finally {
                  slots.release();
                }
              }));
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
    return length;
  }

  private CompletedPart await(Future<CompletedPart> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + store.describe(key));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SdkException s) {
        throw store.failure("UploadPart", key, s);
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(
          "upload of a part of " + store.describe(key) + " failed: " + cause, cause);
    }
  }

  private void complete(List<CompletedPart> done, long total) throws IOException {
    try {
      store.retry.call(
          attempt -> {
            try {
              store.client.completeMultipartUpload(
                  b ->
                      b.bucket(store.bucket)
                          .key(name)
                          .uploadId(uploadId)
                          .ifNoneMatch(ifAbsent && store.conditionalWrites ? "*" : null)
                          .multipartUpload(m -> m.parts(done)));
            } catch (S3Exception e) {
              if (e.statusCode() == 404
                  && attempt > 1
                  && store.head(key).map(ObjectInfo::sizeBytes).orElse(-1L) == total) {
                return null; // an earlier attempt completed the upload but its answer was lost
              }
              if (ifAbsent && store.conditionalWrites && S3Store.notImplemented(e)) {
                store.conditionalWrites = false;
                store.client.completeMultipartUpload(
                    b ->
                        b.bucket(store.bucket)
                            .key(name)
                            .uploadId(uploadId)
                            .multipartUpload(m -> m.parts(done)));
                return null;
              }
              throw e;
            }
            return null;
          });
    } catch (S3Exception e) {
      if (ifAbsent && e.statusCode() == 412) {
        throw store.lostRace(key);
      }
      throw store.failure("CompleteMultipartUpload", key, e);
    } catch (SdkException e) {
      throw store.failure("CompleteMultipartUpload", key, e);
    }
  }

  private void abort() {
    for (Future<CompletedPart> f : parts) {
      f.cancel(true);
    }
    try {
      store.retry.call(
          attempt ->
              store.client.abortMultipartUpload(
                  b -> b.bucket(store.bucket).key(name).uploadId(uploadId)));
    } catch (IOException | SdkException e) {
      // The upload stays invisible either way; a bucket lifecycle rule removes what an abort
      // could not.
    }
  }
}
