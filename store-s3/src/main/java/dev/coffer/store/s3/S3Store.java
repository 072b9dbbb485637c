package dev.coffer.store.s3;

import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectKeys;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.BiPredicate;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} on one bucket prefix of S3 or an S3-compatible server. Uses only core S3:
 * PutObject, multipart upload, GetObject with Range, HeadObject, ListObjectsV2 and DeleteObject;
 * {@code If-None-Match: *} for {@link WriteMode#IF_ABSENT} where the server honours it, after a
 * HEAD that refuses an existing object on any server.
 *
 * <p>Memory per write is bounded: at most {@code parallelParts + 1} parts of {@code partSize}
 * bytes. Sequential ranged reads of an object are served from read-ahead windows of at most {@code
 * partSize} bytes ({@link ReadAhead}): one GET per window, not one per range. Objects smaller than
 * one part are one PUT; larger ones a multipart upload that becomes visible only when it completes,
 * and is aborted when anything fails.
 */
final class S3Store implements ObjectStore {

  /** S3 allows at most this many parts per upload. */
  static final int MAX_PARTS = 10_000;

  final S3Client client;
  final String bucket;
  final String base;
  final int partSize;
  final int parallelParts;
  private final int pageSize;
  final Retry retry;
  final ExecutorService uploads;
  private final ReadAhead readAhead;

  /**
   * Cleared when the server refuses If-None-Match as unsupported; HEAD then guards IF_ABSENT alone.
   */
  volatile boolean conditionalWrites = true;

  S3Store(
      S3Client client,
      String bucket,
      String base,
      int partSize,
      int parallelParts,
      int pageSize,
      Retry retry,
      ExecutorService uploads) {
    this.client = client;
    this.bucket = bucket;
    this.base = base;
    this.partSize = partSize;
    this.parallelParts = parallelParts;
    this.pageSize = pageSize;
    this.retry = retry;
    this.uploads = uploads;
    this.readAhead = new ReadAhead(partSize);
  }

  @Override
  public URI uri() {
    return URI.create("s3://" + bucket + "/" + base);
  }

  private String name(String key) {
    return base + ObjectKeys.check(key);
  }

  @Override
  public long write(String key, InputStream data, WriteMode mode) throws IOException {
    String name = name(key);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    boolean ifAbsent = mode == WriteMode.IF_ABSENT;
    readAhead.forget(key);
    if (ifAbsent && head(key).isPresent()) {
      throw new FileAlreadyExistsException(describe(key), null, "object exists");
    }
    byte[] first = readPart(data);
    if (first.length < partSize) {
      putSingle(key, name, first, ifAbsent);
      return first.length;
    }
    byte[] second = readPart(data);
    if (second.length == 0) {
      putSingle(key, name, first, ifAbsent);
      return first.length;
    }
    return new MultipartUpload(this, key, name, ifAbsent).upload(first, second, data);
  }

  byte[] readPart(InputStream data) throws IOException {
    return data.readNBytes(partSize);
  }

  /**
   * A request body of bytes [0, {@code length}) of {@code bytes}, without a copy (the SDK's {@code
   * fromBytes} copies): each attempt, and the signer, open their own stream over the array.
   */
  static RequestBody body(byte[] bytes, int length) {
    return RequestBody.fromContentProvider(
        () -> new ByteArrayInputStream(bytes, 0, length), length, "application/octet-stream");
  }

  private void putSingle(String key, String name, byte[] bytes, boolean ifAbsent)
      throws IOException {
    try {
      retry.call(
          attempt -> {
            try {
              client.putObject(
                  b ->
                      b.bucket(bucket)
                          .key(name)
                          .contentLength((long) bytes.length)
                          .ifNoneMatch(ifAbsent && conditionalWrites ? "*" : null),
                  body(bytes, bytes.length));
            } catch (S3Exception e) {
              if (ifAbsent && e.statusCode() == 412 && attempt > 1 && sameContent(key, bytes)) {
                return null; // an earlier attempt succeeded but its answer was lost
              }
              if (ifAbsent && conditionalWrites && notImplemented(e)) {
                conditionalWrites = false;
                client.putObject(
                    b -> b.bucket(bucket).key(name).contentLength((long) bytes.length),
                    body(bytes, bytes.length));
                return null;
              }
              throw e;
            }
            return null;
          });
    } catch (S3Exception e) {
      if (ifAbsent && e.statusCode() == 412) {
        throw lostRace(key);
      }
      throw failure("PUT", key, e);
    } catch (SdkException e) {
      throw failure("PUT", key, e);
    }
  }

  /**
   * An {@code IF_ABSENT} write the server refused with 412: another writer created the object
   * between our HEAD and our write.
   */
  FileAlreadyExistsException lostRace(String key) {
    return new FileAlreadyExistsException(
        describe(key), null, "object exists (created by another writer during this write)");
  }

  /** Whether the object holds {@code bytes}: single-part ETags are the MD5 of the content. */
  private boolean sameContent(String key, byte[] bytes) throws IOException {
    Optional<HeadObjectResponse> head = headResponse(key);
    if (head.isEmpty() || head.get().contentLength() != bytes.length || head.get().eTag() == null) {
      return false;
    }
    try {
      String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
      return head.get().eTag().replace("\"", "").equalsIgnoreCase(md5);
    } catch (NoSuchAlgorithmException e) {
      return false;
    }
  }

  static boolean notImplemented(S3Exception e) {
    String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
    return e.statusCode() == 501 || "NotImplemented".equals(code);
  }

  @Override
  public InputStream read(String key) throws IOException {
    return read(key, 0, Long.MAX_VALUE);
  }

  @Override
  public InputStream read(String key, long offset, long length) throws IOException {
    name(key);
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
    }
    if (length == 0) {
      if (head(key).isEmpty()) {
        throw missing(key);
      }
      return InputStream.nullInputStream();
    }
    InputStream cached = readAhead.cached(key, offset, length);
    if (cached != null) {
      return cached;
    }
    long asked = readAhead.fetchLength(key, offset, length);
    if (asked > length) {
      byte[] window;
      try (InputStream in = range(key, offset, asked)) {
        window = in.readAllBytes();
      }
      return readAhead.fetched(key, offset, length, asked, window);
    }
    return range(key, offset, length);
  }

  /** Bytes [{@code offset}, {@code offset + length}) of an object, fetched as asked. */
  private InputStream range(String key, long offset, long length) throws IOException {
    long end = offset + length < 0 ? Long.MAX_VALUE : offset + length; // exclusive
    ResponseInputStream<GetObjectResponse> first = get(key, offset, end, null);
    if (first == null) {
      return InputStream.nullInputStream();
    }
    GetObjectResponse response = first.response();
    if (offset > 0 && response.contentRange() == null) {
      first.abort();
      throw new IOException(
          "GET " + describe(key) + " ignored the Range header (no Content-Range in the answer)");
    }
    // A server may answer a range from byte 0 with the whole object: never hand out more than
    // asked.
    long stop = offset + Math.min(response.contentLength(), end - offset);
    return new ResumingInputStream(
        first,
        offset,
        stop,
        retry,
        (position, etag) -> get(key, position, stop, etag),
        first.response().eTag(),
        describe(key));
  }

  /**
   * Opens bytes [{@code from}, {@code to}) of an object; null when {@code from} is at or past its
   * end. {@code etag}, when given, makes the server refuse a different object under the same key.
   */
  ResponseInputStream<GetObjectResponse> get(String key, long from, long to, String etag)
      throws IOException {
    String name = name(key);
    boolean whole = from == 0 && to == Long.MAX_VALUE;
    String range =
        whole ? null : "bytes=" + from + "-" + (to == Long.MAX_VALUE ? "" : String.valueOf(to - 1));
    try {
      return retry.call(
          attempt -> {
            try {
              return client.getObject(b -> b.bucket(bucket).key(name).range(range).ifMatch(etag));
            } catch (S3Exception e) {
              if (e.statusCode() == 416) {
                return null;
              }
              throw e;
            }
          });
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw missing(key);
      }
      throw failure("GET", key, e);
    } catch (SdkException e) {
      throw failure("GET", key, e);
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    name(key);
    return head(key);
  }

  Optional<ObjectInfo> head(String key) throws IOException {
    return headResponse(key).map(h -> new ObjectInfo(key, h.contentLength(), h.lastModified()));
  }

  private Optional<HeadObjectResponse> headResponse(String key) throws IOException {
    String name = name(key);
    try {
      return Optional.of(retry.call(attempt -> client.headObject(b -> b.bucket(bucket).key(name))));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw failure("HEAD", key, e);
    } catch (SdkException e) {
      throw failure("HEAD", key, e);
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    ObjectKeys.checkPrefix(prefix);
    List<ObjectInfo> found = new ArrayList<>();
    String token = null;
    do {
      String page = token;
      ListObjectsV2Response response;
      try {
        response =
            retry.call(
                attempt ->
                    client.listObjectsV2(
                        b ->
                            b.bucket(bucket)
                                .prefix(base + prefix)
                                .maxKeys(pageSize)
                                .continuationToken(page)));
      } catch (SdkException e) {
        throw failure("LIST", prefix + "*", e);
      }
      for (S3Object o : response.contents()) {
        String key = keyOf(o.key(), prefix);
        if (key != null) {
          found.add(new ObjectInfo(key, o.size(), o.lastModified()));
        }
      }
      token = Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
    } while (token != null);
    return List.copyOf(found);
  }

  /**
   * The store key of the bucket object {@code name}: null unless it lies under this store's base,
   * is a valid key and starts with {@code prefix} (what listings, of objects and of uploads, keep).
   */
  String keyOf(String name, String prefix) {
    if (!name.startsWith(base)) {
      return null;
    }
    String key = name.substring(base.length());
    return ObjectKeys.isValid(key) && key.startsWith(prefix) ? key : null;
  }

  @Override
  public void delete(String key) throws IOException {
    String name = name(key);
    readAhead.forget(key);
    try {
      retry.call(attempt -> client.deleteObject(b -> b.bucket(bucket).key(name)));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw failure("DELETE", key, e);
      }
    } catch (SdkException e) {
      throw failure("DELETE", key, e);
    }
  }

  /**
   * Aborts the multipart uploads under {@code prefix} that {@code abandoned} names ({@link
   * UnfinishedUploads}).
   */
  @Override
  public int abortUnfinishedWrites(String prefix, BiPredicate<String, Instant> abandoned)
      throws IOException {
    return UnfinishedUploads.abort(this, prefix, abandoned);
  }

  @Override
  public void close() {
    uploads.shutdownNow();
    client.close();
  }

  @Override
  public String toString() {
    return "S3Store[" + uri() + "]";
  }

  String describe(String key) {
    return "s3://" + bucket + "/" + base + key;
  }

  private NoSuchFileException missing(String key) {
    return new NoSuchFileException(describe(key), null, "no such object");
  }

  /**
   * An IOException naming the operation, bucket, key and status; never a credential or a signature.
   */
  IOException failure(String operation, String key, SdkException e) {
    String what = operation + " " + describe(key);
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
      String message = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorMessage() : null;
      String detail =
          "HTTP "
              + s3.statusCode()
              + (code != null ? " " + code : "")
              + (message != null ? " (" + message + ")" : "");
      if (s3.statusCode() == 403) {
        return new AccessDeniedException(describe(key), null, operation + " refused: " + detail);
      }
      return new IOException(what + " failed: " + detail, e);
    }
    return new IOException(what + " failed: " + firstLine(e.getMessage()), e);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no message)";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).toLowerCase(Locale.ROOT).contains("secret")
        ? "(message withheld)"
        : nl < 0 ? s : s.substring(0, nl);
  }
}
