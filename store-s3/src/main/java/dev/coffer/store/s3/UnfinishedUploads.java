package dev.coffer.store.s3;

import dev.coffer.store.ObjectKeys;
import java.io.IOException;
import java.time.Instant;
import java.util.function.BiPredicate;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The clean-up of {@link S3Store#abortUnfinishedWrites}: the parts of multipart uploads whose
 * writer died are never listed by {@code ListObjectsV2}, but kept (and billed) until aborted.
 */
final class UnfinishedUploads {

  private UnfinishedUploads() {}

  /**
   * Lists the multipart uploads under {@code prefix} (ListMultipartUploads, paged) and aborts those
   * that {@code abandoned} names by key and initiation time. An upload already gone counts as
   * aborted by someone else and is skipped.
   */
  static int abort(S3Store store, String prefix, BiPredicate<String, Instant> abandoned)
      throws IOException {
    ObjectKeys.checkPrefix(prefix);
    int aborted = 0;
    String keyMarker = null;
    String idMarker = null;
    do {
      String k = keyMarker;
      String u = idMarker;
      ListMultipartUploadsResponse page;
      try {
        page =
            store.retry.call(
                attempt ->
                    store.client.listMultipartUploads(
                        b ->
                            b.bucket(store.bucket)
                                .prefix(store.base + prefix)
                                .keyMarker(k)
                                .uploadIdMarker(u)));
      } catch (SdkException e) {
        throw store.failure("LIST uploads", prefix + "*", e);
      }
      for (MultipartUpload up : page.uploads()) {
        String key = store.keyOf(up.key(), prefix);
        if (key == null || up.initiated() == null || !abandoned.test(key, up.initiated())) {
          continue;
        }
        try {
          store.retry.call(
              attempt ->
                  store.client.abortMultipartUpload(
                      b -> b.bucket(store.bucket).key(up.key()).uploadId(up.uploadId())));
          aborted++;
        } catch (S3Exception e) {
          if (e.statusCode() != 404) {
            throw store.failure("ABORT upload of", key, e);
          }
        } catch (SdkException e) {
          throw store.failure("ABORT upload of", key, e);
        }
      }
      boolean more = Boolean.TRUE.equals(page.isTruncated());
      keyMarker = more ? page.nextKeyMarker() : null;
      idMarker = more ? page.nextUploadIdMarker() : null;
    } while (keyMarker != null);
    return aborted;
  }
}
