package dev.coffer.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * A flat namespace of immutable objects named by {@linkplain ObjectKeys keys}: a directory on a
 * file system, a bucket prefix on S3. It offers only what a repository of write-once objects needs
 * (write, read whole or a range, stat, list a prefix, delete) and nothing that object stores cannot
 * all do (no rename, no append, no directories, no locks).
 *
 * <p>The numbered contract (rules S1 to S12) is in the {@linkplain dev.coffer.store package
 * documentation}; {@link StoreRule} checks it. In short: a write is complete or absent, never
 * partial; once {@code write} returns, {@code read}, {@code stat} and {@code list} see the object;
 * a missing object is a {@link java.nio.file.NoSuchFileException}; deleting what is gone succeeds.
 *
 * <p>Implementations are thread-safe. Keys are checked with {@link ObjectKeys#check} before any
 * I/O.
 */
public interface ObjectStore extends Closeable {

  /**
   * Where this store lives, without secrets, for messages ({@code file:///var/backups/db}, {@code
   * s3://bucket/prefix}).
   *
   * @return the location
   */
  URI uri();

  /**
   * Stores the bytes of {@code data} (read to its end, not closed) as the object {@code key}. The
   * object appears complete when this returns, and not at all if it throws (rule S3).
   *
   * @param key the object's key
   * @param data the content
   * @param mode whether an existing object is replaced ({@link WriteMode#REPLACE}) or the write
   *     fails ({@link WriteMode#IF_ABSENT})
   * @return the number of bytes stored
   * @throws IllegalArgumentException if the key is not a valid key
   * @throws java.nio.file.FileAlreadyExistsException if {@code mode} is {@code IF_ABSENT} and the
   *     object exists (rule S5)
   * @throws IOException if reading {@code data} or storing fails; nothing is then stored
   */
  long write(String key, InputStream data, WriteMode mode) throws IOException;

  /**
   * Opens the whole object for reading. The stream returns exactly the bytes written, or throws an
   * {@link IOException}; it never ends early without one.
   *
   * @param key the object's key
   * @return the content, to be closed by the caller
   * @throws IllegalArgumentException if the key is not a valid key
   * @throws java.nio.file.NoSuchFileException if there is no such object (rule S6)
   * @throws IOException if the store cannot be read
   */
  InputStream read(String key) throws IOException;

  /**
   * Opens {@code length} bytes of the object from {@code offset}, fewer if the object ends first,
   * none if {@code offset} is at or past the end (rule S7).
   *
   * @param key the object's key
   * @param offset the first byte's position, at least 0
   * @param length how many bytes at most, at least 0
   * @return the bytes of the range, to be closed by the caller
   * @throws IllegalArgumentException if the key is not a valid key, or offset or length is negative
   * @throws java.nio.file.NoSuchFileException if there is no such object
   * @throws IOException if the store cannot be read
   */
  InputStream read(String key, long offset, long length) throws IOException;

  /**
   * Describes an object if it exists.
   *
   * @param key the object's key
   * @return its size and time, or empty when there is no such object (rule S11)
   * @throws IllegalArgumentException if the key is not a valid key
   * @throws IOException if the store cannot be read
   */
  Optional<ObjectInfo> stat(String key) throws IOException;

  /**
   * Lists every object whose key starts with {@code prefix} (a string prefix: {@code "ab"} matches
   * {@code ab/c} and {@code abc}), each once, in no promised order. Stores page through large
   * listings themselves; the result holds about 100 bytes per object.
   *
   * @param prefix the key prefix; empty for all objects
   * @return the objects (an immutable list)
   * @throws IllegalArgumentException if the prefix holds characters no key may hold
   * @throws IOException if the store cannot be listed
   */
  List<ObjectInfo> list(String prefix) throws IOException;

  /**
   * Deletes an object; deleting one that does not exist succeeds (rule S10).
   *
   * @param key the object's key
   * @throws IllegalArgumentException if the key is not a valid key
   * @throws IOException if the store refuses or cannot be reached
   */
  void delete(String key) throws IOException;

  /**
   * Aborts writes under {@code prefix} that were started and never completed (the parts of a
   * multipart upload whose writer died: never listed or read, since a write is complete or absent,
   * but kept, and billed, by an object store until aborted), those for which {@code abandoned}
   * answers true given the key and the time the write started. A store whose failed writes leave
   * nothing behind has nothing to abort: the default does nothing and returns 0.
   *
   * @param prefix the key prefix; empty for all keys
   * @param abandoned whether the write of a key, started at the given time, is abandoned
   * @return how many unfinished writes were aborted
   * @throws IllegalArgumentException if the prefix holds characters no key may hold
   * @throws IOException if the store cannot be listed or an abort is refused
   */
  default int abortUnfinishedWrites(String prefix, BiPredicate<String, Instant> abandoned)
      throws IOException {
    ObjectKeys.checkPrefix(prefix);
    return 0;
  }

  /**
   * Releases connections and threads. Operations after {@code close} are not supported.
   *
   * @throws IOException if releasing fails
   */
  @Override
  void close() throws IOException;
}
