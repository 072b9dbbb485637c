package dev.coffer.archive.aedb;

import java.io.IOException;
import java.io.InputStream;

/**
 * Receives the content of one archive entry during {@link AedbArchiveReader#read}.
 *
 * <p>For an encrypted archive the content has been authenticated before the first byte is handed
 * out. For a plain archive it has not (aedb's plain format has no integrity at all) and a decoding
 * error can surface from {@code content.read()} after some bytes were delivered: treat everything
 * written as provisional until {@code read} returns normally, e.g. by writing into a {@code
 * RestoreStaging} directory.
 */
@FunctionalInterface
interface AedbEntrySink {

  /**
   * Consumes one entry. The stream need not be read to the end (the reader drains and checks the
   * rest) and must not be closed by the sink.
   *
   * @param entry the entry
   * @param content its decompressed bytes
   * @throws IOException if the sink fails, or a check fails while it reads
   */
  void accept(AedbEntry entry, InputStream content) throws IOException;
}
