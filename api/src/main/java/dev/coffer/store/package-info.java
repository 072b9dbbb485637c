/**
 * The object store SPI: where repositories keep their bytes when they are not plain directories.
 *
 * <p>An {@link dev.coffer.store.ObjectStore} is a flat namespace of immutable objects; a {@link
 * dev.coffer.store.StoreProvider} opens one for a URI scheme ({@code s3}), found through {@link
 * java.util.ServiceLoader}; {@link dev.coffer.store.ObjectStores#open} picks the provider, and
 * opens directories on any {@link java.nio.file.FileSystem} itself. The interface is as small as
 * Elasticsearch's {@code BlobContainer}, kopia's {@code blob.Storage} and restic's backend: write,
 * read (whole or a range), stat, list a prefix, delete. No rename, append, directory or lock:
 * object stores do not all have them, so a repository format must not need them.
 *
 * <h2>The store contract</h2>
 *
 * Every store keeps these rules; {@link dev.coffer.store.StoreRule} checks each one, and {@code
 * docs/contract.md} explains them.
 *
 * <ol>
 *   <li><b>S1 Keys.</b> A store accepts every {@linkplain dev.coffer.store.ObjectKeys valid key} (1
 *       to 512 characters; segments of 1 to 128 characters from {@code a-z 0-9 . _ -} separated by
 *       {@code /}; no segment starts with {@code .}) and refuses every other name with {@link
 *       java.lang.IllegalArgumentException} before any I/O.
 *   <li><b>S2 Written means complete.</b> Once {@code write} returns, the object reads back as
 *       exactly the bytes of the source, whatever its size, and {@code write} returns that count.
 *   <li><b>S3 All or nothing.</b> A write that fails (its source throws, the store fails) leaves no
 *       object and nothing listed; while a write is unfinished, readers and listings do not see it.
 *   <li><b>S4 Atomic replace.</b> While {@code REPLACE} overwrites an object, readers see the whole
 *       old object or the whole new one.
 *   <li><b>S5 If absent.</b> {@code IF_ABSENT} on an existing object fails with {@link
 *       java.nio.file.FileAlreadyExistsException} and leaves it unchanged. Two writers racing to
 *       create one key are excluded only where the store can (S3 conditional writes, local file
 *       systems).
 *   <li><b>S6 Missing objects.</b> Reading a missing object, whole or a range, throws {@link
 *       java.nio.file.NoSuchFileException} naming the key; {@code stat} returns empty.
 *   <li><b>S7 Ranges.</b> {@code read(key, offset, length)} returns the bytes from {@code offset}
 *       up to {@code offset + length} or the end, whichever comes first; nothing at or past the
 *       end; a negative offset or length is an {@link java.lang.IllegalArgumentException}.
 *   <li><b>S8 Read after write.</b> Once {@code write} returns, {@code read}, {@code stat} and
 *       {@code list} see the object; once {@code delete} returns, none of them do.
 *   <li><b>S9 Complete listings.</b> {@code list(prefix)} returns every object whose key starts
 *       with the prefix (a string prefix, not a directory), each once, however many pages the store
 *       needs, and nothing else (no temporary or unfinished objects).
 *   <li><b>S10 Idempotent delete.</b> Deleting a missing object succeeds.
 *   <li><b>S11 Stat.</b> {@code stat} and {@code list} report an object's size and the time it was
 *       written, by the store's clock.
 *   <li><b>S12 Thread safety.</b> A store is used by many threads at once; concurrent writes of
 *       different keys all succeed and read back.
 * </ol>
 *
 * Callers promise two things in return: they never write a key that is a whole segment prefix of
 * another key ({@code a} beside {@code a/b}: a file system cannot hold both), and they treat
 * objects as immutable except through {@code REPLACE}.
 */
package dev.coffer.store;
