package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * A backup and every base it needs, each archive opened and its manifest authenticated, each base
 * checked against the SHA-256 its dependent recorded. Closing it closes every reader.
 */
final class BaseChain implements AutoCloseable {

  private static final int MAX_CHAIN = 1000;

  /** An archive with its authenticated manifest, part of a resolved chain. */
  private record Link(String id, ArchiveReader reader, Manifest manifest) {}

  private final String id;
  private final Map<String, Link> chain;

  private BaseChain(String id, Map<String, Link> chain) {
    this.id = id;
    this.chain = chain;
  }

  /**
   * Opens {@code id} and every base it needs, verifying each link's archive hash.
   *
   * @param pool decrypts ahead for the readers, or {@code null} to read on the calling thread
   * @param readAhead chunks each reader may decrypt ahead
   */
  static BaseChain open(
      RepositoryLayout layout,
      Keyring keyring,
      GcmWarmupSwitch warmup,
      String id,
      ExecutorService pool,
      int readAhead)
      throws IOException {
    return new BaseChain(id, openLinks(layout, keyring, warmup, id, pool, readAhead));
  }

  private static Map<String, Link> openLinks(
      RepositoryLayout layout,
      Keyring keyring,
      GcmWarmupSwitch warmup,
      String id,
      ExecutorService pool,
      int readAhead)
      throws IOException {
    Map<String, Link> chain = new LinkedHashMap<>();
    try {
      String current = id;
      String expectedHash = null;
      while (current != null) {
        if (chain.containsKey(current) || chain.size() >= MAX_CHAIN) {
          throw new CorruptBackupException(
              "backup " + id + " has a cyclic or overlong base chain", null);
        }
        Path file;
        try {
          file = layout.existingArchive(current);
        } catch (NoSuchBackupException e) {
          throw new CorruptBackupException(
              "base backup " + current + " of backup " + id + " is missing", null);
        }
        if (expectedHash != null) {
          String actual = FileHasher.sha256Hex(file);
          if (!MessageDigest.isEqual(
              actual.getBytes(StandardCharsets.US_ASCII),
              expectedHash.getBytes(StandardCharsets.US_ASCII))) {
            throw new CorruptBackupException(
                "base backup "
                    + current
                    + " of backup "
                    + id
                    + " is not the archive it was taken from: sha256 "
                    + actual
                    + ", recorded "
                    + expectedHash,
                null);
          }
        }
        ArchiveReader r = ArchiveReader.open(file, current, keyring, warmup, pool, readAhead);
        Manifest m;
        try {
          m = r.manifest();
        } catch (IOException | RuntimeException e) {
          r.close();
          throw e;
        }
        chain.put(current, new Link(current, r, m));
        expectedHash = m.baseArchiveSha256();
        current = m.baseBackupId();
      }
      return chain;
    } catch (IOException | RuntimeException e) {
      closeAll(chain);
      throw e;
    }
  }

  private static void closeAll(Map<String, Link> chain) {
    for (Link l : chain.values()) {
      try {
        l.reader().close();
      } catch (IOException ignored) {
        // read-only channel
      }
    }
  }

  /** The authenticated manifest of the backup itself. */
  Manifest manifest() {
    return chain.get(id).manifest();
  }

  /** The reader of {@code archiveId}, a member of the chain. */
  ArchiveReader reader(String archiveId) {
    return chain.get(archiveId).reader();
  }

  /** Checks that an entry stored in another archive of the chain is that archive's own entry. */
  void checkForeignEntry(Manifest.FileEntry f) throws CorruptBackupException {
    Link holder = chain.get(f.archive());
    if (holder == null) {
      throw new CorruptBackupException(
          "'"
              + f.path()
              + "' in backup "
              + id
              + " refers to backup "
              + f.archive()
              + ", which is not in its base chain",
          f.path());
    }
    for (Manifest.FileEntry h : holder.manifest().files()) {
      if (h.path().equals(f.path())) {
        if (h.archive().equals(holder.id())
            && h.offset() == f.offset()
            && h.sha256().equals(f.sha256())
            && h.size() == f.size()) {
          return;
        }
        break;
      }
    }
    throw new CorruptBackupException(
        "'" + f.path() + "' in backup " + id + " does not match its entry in backup " + f.archive(),
        f.path());
  }

  @Override
  public void close() {
    closeAll(chain);
  }
}
