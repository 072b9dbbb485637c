package dev.coffer.archive.aedb;

import static java.util.Objects.requireNonNull;

import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.RelativePaths;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads aedb's {@code AEDBARC1} archives (see {@code docs/aedb-formats.md}), plain or encrypted, so
 * that backups made by the original system can be restored.
 *
 * <p>{@link #open} reads the header and then every entry header, seeking over the payloads: the
 * magic, the flags, the key policy, every length, path (UTF-8, Coffer's path rules, no duplicates,
 * no case or normalization collisions, no file/directory conflicts), the derived nonce of every
 * encrypted entry and the absence of trailing bytes are all checked before a byte of content is
 * handed out. {@link #read} then streams the entries in archive order: a plain payload is
 * zstd-decoded straight from the file; an encrypted one is read whole (at most {@link
 * AedbReadOptions#maxEncryptedPayloadBytes}), authenticated by AES-256-GCM and only then decoded.
 * Decompressed output is capped in total ({@link AedbReadOptions#maxTotalOutputBytes}). Every entry
 * is hashed; a {@code backup_manifest.json} inside the archive is verified and every file it lists
 * is checked against its SHA-256.
 *
 * <p>Not thread-safe: one reader, one thread. Close it to release the file and wipe its copy of the
 * key.
 *
 * <pre>{@code
 * try (AedbArchiveReader reader = AedbArchiveReader.open(file, id, key, AedbReadOptions.defaults())) {
 *   AedbReadResult result = reader.extractTo(stagingDir, path -> true, manifestKey);
 * }
 * }</pre>
 */
final class AedbArchiveReader implements AutoCloseable {

  private final SeekableByteChannel channel;
  private final String backupId;
  private final AedbScan scan;
  private final AedbReadOptions options;
  private final SecretBytes key;
  private boolean keyConfirmed;

  private AedbArchiveReader(
      SeekableByteChannel channel,
      String backupId,
      AedbScan scan,
      AedbReadOptions options,
      SecretBytes key) {
    this.channel = channel;
    this.backupId = backupId;
    this.scan = scan;
    this.options = options;
    this.key = key;
  }

  /**
   * Opens an archive for reading and runs the header pass (which reads every entry header, not the
   * payloads).
   *
   * @param archive the archive file, on any file system
   * @param backupId the id under which the archive is known, for messages
   * @param key the 32-byte AES key, or {@code null}; copied, so the caller may destroy its own
   * @param options limits and switches
   * @return the reader
   * @throws WrongKeyException if the archive is encrypted and no key is given, or it is not
   *     encrypted and a key is given without {@link AedbReadOptions#allowUnencryptedWithKey}
   * @throws CorruptBackupException if the header or an entry header is malformed, truncated or
   *     hostile
   * @throws IllegalArgumentException if the key is not 32 bytes
   * @throws IOException if the file cannot be read
   */
  static AedbArchiveReader open(
      Path archive, String backupId, SecretBytes key, AedbReadOptions options) throws IOException {
    requireNonNull(archive, "archive");
    requireNonNull(backupId, "backupId");
    requireNonNull(options, "options");
    if (key != null && key.length() != 32) {
      throw new IllegalArgumentException("aedb archive key must be 32 bytes, got " + key.length());
    }
    SeekableByteChannel channel = Files.newByteChannel(archive, StandardOpenOption.READ);
    try {
      AedbScan scan =
          AedbScan.read(
              channel,
              backupId,
              options,
              key != null ? AedbScan.KeyPolicy.KEY : AedbScan.KeyPolicy.NO_KEY);
      return new AedbArchiveReader(
          channel, backupId, scan, options, key == null ? null : new SecretBytes(key.bytes()));
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /**
   * Runs the header pass without a key, to list an archive (its entry headers are in clear text
   * even when it is encrypted). Payloads are not read.
   *
   * @param archive the archive file
   * @param backupId its id, for messages
   * @param options limits and switches
   * @return what the header pass found
   * @throws CorruptBackupException if the header or an entry header is malformed, truncated or
   *     hostile
   * @throws IOException if the file cannot be read
   */
  static AedbScan scan(Path archive, String backupId, AedbReadOptions options) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(archive, StandardOpenOption.READ)) {
      return AedbScan.read(channel, backupId, options, AedbScan.KeyPolicy.IGNORE);
    }
  }

  /**
   * Whether the archive's entries are encrypted.
   *
   * @return the encryption flag
   */
  boolean encrypted() {
    return scan.encrypted();
  }

  /**
   * The entries, in archive order.
   *
   * @return the entries found by the header pass
   */
  List<AedbEntry> entries() {
    return scan.entries();
  }

  /**
   * What the header pass found.
   *
   * @return the scan
   */
  AedbScan scanResult() {
    return scan;
  }

  /**
   * Reads every entry in archive order, hands those {@code deliver} selects to {@code sink}, and
   * checks the rest without delivering them (so a partial restore still verifies the whole archive
   * and its manifest). Content is never held whole in memory, except one encrypted payload at a
   * time.
   *
   * @param deliver which paths the sink receives
   * @param sink the consumer of their content
   * @param manifestKey the key of aedb's manifest HMAC, or {@code null}; when given, the archive
   *     must contain a signed {@code backup_manifest.json}
   * @return what was read
   * @throws WrongKeyException if the first encrypted entry fails authentication (wrong key or
   *     modified bytes)
   * @throws CorruptBackupException if a later entry fails authentication, zstd data is corrupt,
   *     output exceeds the limit, or the manifest is missing (with a manifest key), invalid, or
   *     does not match the content
   * @throws IOException if the file cannot be read, or the sink fails
   */
  AedbReadResult read(Predicate<String> deliver, AedbEntrySink sink, SecretBytes manifestKey)
      throws IOException {
    requireNonNull(deliver, "deliver");
    requireNonNull(sink, "sink");
    Map<String, String> hashes = new HashMap<>();
    long total = 0;
    byte[] manifestJson = null;
    byte[] manifestHmac = null;
    for (AedbEntry entry : scan.entries()) {
      ByteArrayOutputStream capture =
          isManifestFile(entry.path()) ? new ByteArrayOutputStream() : null;
      AedbEntryStream guard =
          decode(
              entry,
              options.maxTotalOutputBytes() - total,
              deliver.test(entry.path()) ? sink : null,
              capture);
      total += guard.count;
      hashes.put(entry.path(), HexFormat.of().formatHex(guard.digest.digest()));
      if (entry.path().equals(AedbManifest.FILE_NAME)) {
        manifestJson = capture.toByteArray();
      } else if (entry.path().equals(AedbManifest.HMAC_FILE_NAME)) {
        manifestHmac = capture.toByteArray();
      }
    }
    Optional<AedbManifest> manifest = Optional.empty();
    List<String> unlisted = new ArrayList<>();
    if (manifestJson != null) {
      String where = "of aedb backup " + backupId;
      AedbManifest m =
          AedbManifest.parse(
              manifestJson, manifestHmac, manifestKey, options.portablePaths(), where);
      m.crossCheck(hashes, "aedb backup " + backupId);
      for (AedbEntry entry : scan.entries()) {
        String p = entry.path();
        if (!m.fileSha256().containsKey(p)
            && !p.equals(AedbManifest.FILE_NAME)
            && !p.equals(AedbManifest.HMAC_FILE_NAME)) {
          unlisted.add(p);
        }
      }
      manifest = Optional.of(m);
    } else if (manifestKey != null) {
      throw AedbFormat.corrupt(
          backupId,
          "has no " + AedbManifest.FILE_NAME + " although a manifest key is configured",
          null,
          null);
    }
    return new AedbReadResult(scan.entries().size(), total, hashes, manifest, unlisted);
  }

  /**
   * Reads only the archive's {@code backup_manifest.json} and {@code backup_manifest.hmac} entries,
   * for a listing (e.g. the manifest's creation time). The signature is verified when a key is
   * given, but the content is not cross-checked: only {@link #read} does that.
   *
   * @param manifestKey the manifest HMAC key, or {@code null}
   * @return the manifest, or empty when the archive has none (and no key is given)
   * @throws WrongKeyException if the first entry decrypted fails authentication
   * @throws CorruptBackupException if the manifest is malformed or its signature missing (with a
   *     key) or wrong, or a key is given and the archive has no manifest
   * @throws IOException if the file cannot be read
   */
  Optional<AedbManifest> readManifest(SecretBytes manifestKey) throws IOException {
    byte[] json = null;
    byte[] hmac = null;
    for (AedbEntry entry : scan.entries()) {
      if (isManifestFile(entry.path())) {
        ByteArrayOutputStream capture = new ByteArrayOutputStream();
        decode(entry, options.maxTotalOutputBytes(), null, capture);
        if (entry.path().equals(AedbManifest.FILE_NAME)) {
          json = capture.toByteArray();
        } else {
          hmac = capture.toByteArray();
        }
      }
    }
    if (json == null) {
      if (manifestKey != null) {
        throw AedbFormat.corrupt(
            backupId,
            "has no " + AedbManifest.FILE_NAME + " although a manifest key is configured",
            null,
            null);
      }
      return Optional.empty();
    }
    return Optional.of(
        AedbManifest.parse(
            json, hmac, manifestKey, options.portablePaths(), "of aedb backup " + backupId));
  }

  /**
   * Extracts the selected entries into {@code dir}, an existing empty directory, creating each file
   * with {@code CREATE_NEW} and its parents one component at a time, refusing symbolic links (see
   * {@link RelativePaths#resolveForWrite}); the whole archive is read and checked as by {@link
   * #read}. On failure, files already written stay behind: extract into a {@code RestoreStaging}
   * directory.
   *
   * @param dir the directory to write into, existing and empty
   * @param select which paths to write
   * @param manifestKey the manifest HMAC key, or {@code null} (see {@link #read})
   * @return what was read
   * @throws DirectoryNotEmptyException if {@code dir} is not empty
   * @throws WrongKeyException as {@link #read}
   * @throws CorruptBackupException as {@link #read}
   * @throws IOException if a file cannot be written
   */
  AedbReadResult extractTo(Path dir, Predicate<String> select, SecretBytes manifestKey)
      throws IOException {
    requireNonNull(dir, "dir");
    if (!FileTrees.isEmptyDirectory(dir)) {
      throw new DirectoryNotEmptyException(dir.toString());
    }
    return read(
        select,
        (entry, content) -> {
          Path out = RelativePaths.resolveForWrite(dir, entry.path(), true);
          try (OutputStream os =
              Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            content.transferTo(os);
          }
        },
        manifestKey);
  }

  /** Closes the file and wipes the key copy. */
  @Override
  public void close() throws IOException {
    if (key != null) {
      key.destroy();
    }
    channel.close();
  }

  // ---------------------------------------------------------------------------------------------------
  // Header pass

  // ---------------------------------------------------------------------------------------------------
  // Payloads

  private static boolean isManifestFile(String path) {
    return path.equals(AedbManifest.FILE_NAME) || path.equals(AedbManifest.HMAC_FILE_NAME);
  }

  /**
   * Decodes one entry completely, handing it to {@code sink} if given; returns the drained guard.
   */
  private AedbEntryStream decode(
      AedbEntry entry, long budget, AedbEntrySink sink, ByteArrayOutputStream capture)
      throws IOException {
    int captureCap =
        entry.path().equals(AedbManifest.FILE_NAME)
            ? AedbManifest.MAX_MANIFEST_BYTES
            : AedbManifest.MAX_HMAC_FILE_BYTES;
    InputStream compressed =
        scan.encrypted()
            ? new ByteArrayInputStream(decrypt(entry))
            : new PayloadStream(entry.payloadOffset(), entry.payloadBytes());
    try (ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(compressed)) {
      AedbEntryStream guard =
          new AedbEntryStream(
              zstd, entry, budget, capture, captureCap, backupId, options.maxTotalOutputBytes());
      if (sink != null) {
        sink.accept(entry, guard);
      }
      guard.drain();
      return guard;
    } catch (ZstdException e) {
      throw AedbFormat.corrupt(
          backupId, "has corrupt zstd data: " + e.getMessage(), entry.path(), e);
    }
  }

  private byte[] decrypt(AedbEntry entry) throws IOException {
    // Checked by the header pass; repeated because the file may have changed since.
    if (entry.payloadBytes() > options.maxEncryptedPayloadBytes()) {
      throw AedbFormat.corrupt(
          backupId,
          "entry is too large for authenticated streaming ("
              + entry.payloadBytes()
              + " bytes, limit "
              + options.maxEncryptedPayloadBytes()
              + ")",
          entry.path(),
          null);
    }
    byte[] payload = new byte[(int) entry.payloadBytes()];
    ByteBuffer buf = ByteBuffer.wrap(payload);
    long position = entry.payloadOffset();
    while (buf.hasRemaining()) {
      channel.position(position);
      int n = channel.read(buf);
      if (n < 0) {
        throw AedbFormat.corrupt(
            backupId, "is truncated (the file shrank while it was read)", entry.path(), null);
      }
      position += n;
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key.bytes(), "AES"),
          new GCMParameterSpec(AedbFormat.TAG_BYTES * 8, payload, 0, AedbFormat.NONCE_BYTES));
      byte[] plain =
          cipher.doFinal(payload, AedbFormat.NONCE_BYTES, payload.length - AedbFormat.NONCE_BYTES);
      keyConfirmed = true;
      return plain;
    } catch (AEADBadTagException e) {
      if (!keyConfirmed) {
        throw new WrongKeyException(
            "aedb archive "
                + backupId
                + " failed authentication at its first entry '"
                + RelativePaths.printable(entry.path())
                + "' (wrong key or modified bytes)");
      }
      throw AedbFormat.corrupt(
          backupId, "failed authentication (modified bytes)", entry.path(), null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding unavailable", e);
    }
  }

  /** The bytes of one plain payload, read from the channel at explicit positions. */
  private final class PayloadStream extends InputStream {
    private long position;
    private long remaining;

    PayloadStream(long offset, long length) {
      this.position = offset;
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      channel.position(position);
      int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)));
      if (n > 0) {
        position += n;
        remaining -= n;
      }
      return n;
    }
  }
}
