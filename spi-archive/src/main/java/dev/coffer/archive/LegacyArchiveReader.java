package dev.coffer.archive;

import static java.util.Objects.requireNonNull;

import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.RelativePaths;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Reads the seed's {@code AEDBARC1} archives (see {@code docs/legacy-formats.md}), plain or encrypted,
 * so that backups made by the original system can be restored.
 *
 * <p>{@link #open} reads the header and then every entry header, seeking over the payloads: the magic,
 * the flags, the key policy, every length, path (UTF-8, Coffer's path rules, no duplicates, no case or
 * normalization collisions, no file/directory conflicts), the derived nonce of every encrypted entry and
 * the absence of trailing bytes are all checked before a byte of content is handed out. {@link #read}
 * then streams the entries in archive order: a plain payload is zstd-decoded straight from the file; an
 * encrypted one is read whole (at most {@link LegacyReadOptions#maxEncryptedPayloadBytes}), authenticated
 * by AES-256-GCM and only then decoded. Decompressed output is capped in total
 * ({@link LegacyReadOptions#maxTotalOutputBytes}). Every entry is hashed; a {@code backup_manifest.json}
 * inside the archive is verified and every file it lists is checked against its SHA-256.
 *
 * <p>Not thread-safe: one reader, one thread. Close it to release the file and wipe its copy of the key.
 *
 * <pre>{@code
 * try (LegacyArchiveReader reader = LegacyArchiveReader.open(file, id, key, LegacyReadOptions.defaults())) {
 *   LegacyReadResult result = reader.extractTo(stagingDir, path -> true, manifestKey);
 * }
 * }</pre>
 */
final class LegacyArchiveReader implements AutoCloseable {

  /** The file name suffix of seed archives. */
  static final String FILE_SUFFIX = ".aedbarc";
  /** The seed's magic bytes. */
  static final byte[] MAGIC = "AEDBARC1".getBytes(StandardCharsets.US_ASCII);
  /** Flag bit: entries are AES-256-GCM encrypted. */
  static final int FLAG_ENCRYPTED = 0x01;
  /** Entry type of a file. */
  static final int ENTRY_FILE = 0x01;
  /** Entry type of the end marker. */
  static final int ENTRY_END = 0xFF;
  /** The seed's longest path, in bytes. */
  static final int MAX_PATH_BYTES = 4096;
  /** The seed's largest payload, in bytes (2 GiB). */
  static final long MAX_PAYLOAD_BYTES = 2L * 1024 * 1024 * 1024;
  /** Size of the archive header: magic, flags, salt. */
  static final int HEADER_BYTES = 8 + 1 + 16;
  /** Nonce bytes at the start of an encrypted payload. */
  static final int NONCE_BYTES = 12;
  /** GCM tag bytes at the end of an encrypted payload. */
  static final int TAG_BYTES = 16;

  private final SeekableByteChannel channel;
  private final String backupId;
  private final Scan scan;
  private final LegacyReadOptions options;
  private final byte[] key;
  private boolean keyConfirmed;

  /** The result of the header pass. */
  record Scan(boolean encrypted, byte[] salt, List<LegacyEntry> entries, long archiveBytes) {
    /** Copies the entries. */
    Scan {
      entries = List.copyOf(entries);
    }

    /**
     * The sum of all payload lengths.
     *
     * @return stored payload bytes
     */
    long payloadBytes() {
      long sum = 0;
      for (LegacyEntry e : entries) {
        sum += e.payloadBytes();
      }
      return sum;
    }
  }

  private LegacyArchiveReader(SeekableByteChannel channel, String backupId, Scan scan, LegacyReadOptions options,
      byte[] key) {
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
   * @param key the 32-byte AES key, or {@code null}; copied, so the caller may wipe its array
   * @param options limits and switches
   * @return the reader
   * @throws WrongKeyException if the archive is encrypted and no key is given, or it is not encrypted and
   *     a key is given without {@link LegacyReadOptions#allowUnencryptedWithKey}
   * @throws CorruptBackupException if the header or an entry header is malformed, truncated or hostile
   * @throws IllegalArgumentException if the key is not 32 bytes
   * @throws IOException if the file cannot be read
   */
  static LegacyArchiveReader open(Path archive, String backupId, byte[] key, LegacyReadOptions options)
      throws IOException {
    requireNonNull(archive, "archive");
    requireNonNull(backupId, "backupId");
    requireNonNull(options, "options");
    if (key != null && key.length != 32) {
      throw new IllegalArgumentException("legacy archive key must be 32 bytes, got " + key.length);
    }
    SeekableByteChannel channel = Files.newByteChannel(archive, StandardOpenOption.READ);
    try {
      Scan scan = scan(channel, backupId, options, key != null ? KeyPolicy.KEY : KeyPolicy.NO_KEY);
      return new LegacyArchiveReader(channel, backupId, scan, options, key == null ? null : key.clone());
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
   * Runs the header pass without a key, to list an archive (its entry headers are in clear text even when
   * it is encrypted). Payloads are not read.
   *
   * @param archive the archive file
   * @param backupId its id, for messages
   * @param options limits and switches
   * @return what the header pass found
   * @throws CorruptBackupException if the header or an entry header is malformed, truncated or hostile
   * @throws IOException if the file cannot be read
   */
  static Scan scan(Path archive, String backupId, LegacyReadOptions options) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(archive, StandardOpenOption.READ)) {
      return scan(channel, backupId, options, KeyPolicy.IGNORE);
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
  List<LegacyEntry> entries() {
    return scan.entries();
  }

  /**
   * What the header pass found.
   *
   * @return the scan
   */
  Scan scanResult() {
    return scan;
  }

  /**
   * Reads every entry in archive order, hands those {@code deliver} selects to {@code sink}, and checks the
   * rest without delivering them (so a partial restore still verifies the whole archive and its
   * manifest). Content is never held whole in memory, except one encrypted payload at a time.
   *
   * @param deliver which paths the sink receives
   * @param sink the consumer of their content
   * @param manifestKey the key of the seed's manifest HMAC, or {@code null}; when given, the archive must
   *     contain a signed {@code backup_manifest.json}
   * @return what was read
   * @throws WrongKeyException if the first encrypted entry fails authentication (wrong key or modified
   *     bytes)
   * @throws CorruptBackupException if a later entry fails authentication, zstd data is corrupt,
   *     output exceeds the limit, or the manifest is missing (with a manifest key), invalid, or does
   *     not match the content
   * @throws IOException if the file cannot be read, or the sink fails
   */
  LegacyReadResult read(Predicate<String> deliver, LegacyEntrySink sink, byte[] manifestKey) throws IOException {
    requireNonNull(deliver, "deliver");
    requireNonNull(sink, "sink");
    Map<String, String> hashes = new HashMap<>();
    long total = 0;
    byte[] manifestJson = null;
    byte[] manifestHmac = null;
    for (LegacyEntry entry : scan.entries()) {
      ByteArrayOutputStream capture = isManifestFile(entry.path()) ? new ByteArrayOutputStream() : null;
      GuardStream guard = decode(entry, options.maxTotalOutputBytes() - total, deliver.test(entry.path()) ? sink : null,
          capture);
      total += guard.count;
      hashes.put(entry.path(), HexFormat.of().formatHex(guard.digest.digest()));
      if (entry.path().equals(LegacyManifest.FILE_NAME)) {
        manifestJson = capture.toByteArray();
      } else if (entry.path().equals(LegacyManifest.HMAC_FILE_NAME)) {
        manifestHmac = capture.toByteArray();
      }
    }
    Optional<LegacyManifest> manifest = Optional.empty();
    List<String> unlisted = new ArrayList<>();
    if (manifestJson != null) {
      String where = "of legacy backup " + backupId;
      LegacyManifest m = LegacyManifest.parse(manifestJson, manifestHmac, manifestKey, options.portablePaths(), where);
      m.crossCheck(hashes, "legacy backup " + backupId);
      for (LegacyEntry entry : scan.entries()) {
        String p = entry.path();
        if (!m.fileSha256().containsKey(p) && !p.equals(LegacyManifest.FILE_NAME)
            && !p.equals(LegacyManifest.HMAC_FILE_NAME)) {
          unlisted.add(p);
        }
      }
      manifest = Optional.of(m);
    } else if (manifestKey != null) {
      throw corrupt("has no " + LegacyManifest.FILE_NAME + " although a manifest key is configured", null, null);
    }
    return new LegacyReadResult(scan.entries().size(), total, hashes, manifest, unlisted);
  }

  /**
   * Reads only the archive's {@code backup_manifest.json} and {@code backup_manifest.hmac} entries, for a
   * listing (e.g. the manifest's creation time). The signature is verified when a key is given, but the
   * content is not cross-checked: only {@link #read} does that.
   *
   * @param manifestKey the manifest HMAC key, or {@code null}
   * @return the manifest, or empty when the archive has none (and no key is given)
   * @throws WrongKeyException if the first entry decrypted fails authentication
   * @throws CorruptBackupException if the manifest is malformed or its signature missing (with a key) or
   *     wrong, or a key is given and the archive has no manifest
   * @throws IOException if the file cannot be read
   */
  Optional<LegacyManifest> readManifest(byte[] manifestKey) throws IOException {
    byte[] json = null;
    byte[] hmac = null;
    for (LegacyEntry entry : scan.entries()) {
      if (isManifestFile(entry.path())) {
        ByteArrayOutputStream capture = new ByteArrayOutputStream();
        decode(entry, options.maxTotalOutputBytes(), null, capture);
        if (entry.path().equals(LegacyManifest.FILE_NAME)) {
          json = capture.toByteArray();
        } else {
          hmac = capture.toByteArray();
        }
      }
    }
    if (json == null) {
      if (manifestKey != null) {
        throw corrupt("has no " + LegacyManifest.FILE_NAME + " although a manifest key is configured", null, null);
      }
      return Optional.empty();
    }
    return Optional.of(LegacyManifest.parse(json, hmac, manifestKey, options.portablePaths(),
        "of legacy backup " + backupId));
  }

  /**
   * Extracts the selected entries into {@code dir}, an existing empty directory, creating each file with
   * {@code CREATE_NEW} and its parents one component at a time, refusing symbolic links (see
   * {@link RelativePaths#resolveForWrite}); the whole archive is read and checked as by {@link #read}.
   * On failure, files already written stay behind: extract into a {@code RestoreStaging} directory.
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
  LegacyReadResult extractTo(Path dir, Predicate<String> select, byte[] manifestKey) throws IOException {
    requireNonNull(dir, "dir");
    if (!FileTrees.isEmptyDirectory(dir)) {
      throw new DirectoryNotEmptyException(dir.toString());
    }
    return read(select, (entry, content) -> {
      Path out = RelativePaths.resolveForWrite(dir, entry.path(), true);
      try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.transferTo(os);
      }
    }, manifestKey);
  }

  /** Closes the file and wipes the key copy. */
  @Override
  public void close() throws IOException {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
    }
    channel.close();
  }

  // ---------------------------------------------------------------------------------------------------
  // Header pass

  private enum KeyPolicy { KEY, NO_KEY, IGNORE }

  private static Scan scan(SeekableByteChannel channel, String backupId, LegacyReadOptions options, KeyPolicy policy)
      throws IOException {
    long size = channel.size();
    Cursor c = new Cursor(channel, size, backupId);
    byte[] magic = c.bytes(MAGIC.length, "magic");
    if (!Arrays.equals(magic, MAGIC)) {
      throw new CorruptBackupException("legacy archive " + backupId + " has an invalid magic (expected AEDBARC1)", null);
    }
    int flags = c.u8("flags byte");
    if ((flags & ~FLAG_ENCRYPTED) != 0) {
      throw new CorruptBackupException(String.format("legacy archive %s has unknown flags 0x%02x", backupId, flags), null);
    }
    boolean encrypted = (flags & FLAG_ENCRYPTED) != 0;
    if (encrypted && policy == KeyPolicy.NO_KEY) {
      throw new WrongKeyException("legacy archive " + backupId + " is encrypted and no key is configured");
    }
    if (!encrypted && policy == KeyPolicy.KEY && !options.allowUnencryptedWithKey()) {
      throw new WrongKeyException("unencrypted legacy archive " + backupId
          + " refused because a key is configured (a possible downgrade; allow unencrypted legacy archives"
          + " explicitly to read it)");
    }
    byte[] salt = c.bytes(16, "salt");
    List<LegacyEntry> entries = new ArrayList<>();
    Blake3Digest blake3 = new Blake3Digest();
    while (true) {
      long entryOffset = c.pos;
      int type = c.u8("entry type or end marker");
      if (type == ENTRY_END) {
        if (c.pos != size) {
          throw new CorruptBackupException("legacy archive " + backupId + " has " + (size - c.pos)
              + " trailing bytes after the end marker at offset " + entryOffset, null);
        }
        break;
      }
      if (type != ENTRY_FILE) {
        throw new CorruptBackupException(String.format(
            "legacy archive %s has an invalid entry type 0x%02x at offset %d", backupId, type, entryOffset), null);
      }
      if (entries.size() >= options.maxEntries()) {
        throw new CorruptBackupException("legacy archive " + backupId + " has more than " + options.maxEntries()
            + " entries", null);
      }
      long pathLength = c.u32("path length");
      if (pathLength == 0) {
        throw new CorruptBackupException("legacy archive " + backupId + " has an empty path at offset "
            + entryOffset, null);
      }
      if (pathLength > MAX_PATH_BYTES) {
        throw new CorruptBackupException("legacy archive " + backupId + ": path exceeds max length ("
            + pathLength + " bytes, limit " + MAX_PATH_BYTES + ") at offset " + entryOffset, null);
      }
      byte[] pathBytes = c.bytes((int) pathLength, "path");
      String path = decodePath(pathBytes, backupId, entryOffset);
      Optional<String> problem = options.portablePaths()
          ? RelativePaths.portableProblem(path) : RelativePaths.basicProblem(path);
      if (problem.isPresent()) {
        throw new CorruptBackupException("hostile or malformed path '" + RelativePaths.printable(path)
            + "' in legacy archive " + backupId + " at offset " + entryOffset + ": " + problem.get(), path);
      }
      long payloadLength = c.u64("payload length");
      if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_BYTES) {
        throw new CorruptBackupException("legacy archive " + backupId + ": payload exceeds max size ("
            + Long.toUnsignedString(payloadLength) + " bytes, limit " + MAX_PAYLOAD_BYTES + ") for '"
            + RelativePaths.printable(path) + "'", path);
      }
      long payloadOffset = c.pos;
      if (payloadLength > size - payloadOffset) {
        throw new CorruptBackupException("legacy archive " + backupId + " is truncated: the payload of '"
            + RelativePaths.printable(path) + "' needs " + payloadLength + " bytes at offset " + payloadOffset
            + " but the archive has " + size + " bytes", path);
      }
      long index = entries.size();
      if (encrypted) {
        if (payloadLength < NONCE_BYTES + TAG_BYTES) {
          throw new CorruptBackupException("legacy archive " + backupId + ": encrypted payload of '"
              + RelativePaths.printable(path) + "' is " + payloadLength + " bytes, shorter than nonce and tag", path);
        }
        if (policy == KeyPolicy.KEY && payloadLength > options.maxEncryptedPayloadBytes()) {
          throw new CorruptBackupException("legacy entry '" + RelativePaths.printable(path) + "' of backup "
              + backupId + " is too large for authenticated streaming: its AES-GCM payload of " + payloadLength
              + " bytes must be held in memory whole, limit " + options.maxEncryptedPayloadBytes(), path);
        }
        byte[] nonce = c.bytes(NONCE_BYTES, "nonce");
        if (!Arrays.equals(nonce, deriveNonce(blake3, salt, index, pathBytes))) {
          throw new CorruptBackupException("legacy archive " + backupId + ": nonce mismatch for entry " + index
              + " '" + RelativePaths.printable(path) + "' (reordered, renamed or modified entry)", path);
        }
      } else if (payloadLength == 0) {
        throw new CorruptBackupException("legacy archive " + backupId + ": empty payload for '"
            + RelativePaths.printable(path) + "'", path);
      }
      c.seek(payloadOffset + payloadLength);
      entries.add(new LegacyEntry(index, path, payloadOffset, payloadLength));
    }
    checkCollisions(entries, backupId);
    return new Scan(encrypted, salt, entries, size);
  }

  private static void checkCollisions(List<LegacyEntry> entries, String backupId) throws CorruptBackupException {
    Map<String, String> fileKeys = new HashMap<>();
    Set<String> dirs = new LinkedHashSet<>();
    for (LegacyEntry e : entries) {
      String previous = fileKeys.putIfAbsent(RelativePaths.collisionKey(e.path()), e.path());
      if (previous != null) {
        throw new CorruptBackupException("legacy archive " + backupId + ": "
            + (previous.equals(e.path())
                ? "duplicate path '" + RelativePaths.printable(e.path()) + "'"
                : "paths '" + RelativePaths.printable(previous) + "' and '" + RelativePaths.printable(e.path())
                    + "' collide on case-insensitive file systems"), e.path());
      }
      dirs.addAll(RelativePaths.ancestors(e.path()));
    }
    for (String dir : dirs) {
      String file = fileKeys.get(RelativePaths.collisionKey(dir));
      if (file != null) {
        throw new CorruptBackupException("legacy archive " + backupId + ": '" + RelativePaths.printable(file)
            + "' is both a file and a directory", file);
      }
    }
    Optional<String> dirCollision = RelativePaths.findCollision(new TreeSet<>(dirs));
    if (dirCollision.isPresent()) {
      throw new CorruptBackupException("legacy archive " + backupId + ": directory " + dirCollision.get(), null);
    }
  }

  private static String decodePath(byte[] bytes, String backupId, long offset) throws CorruptBackupException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptBackupException("legacy archive " + backupId + ": path at offset " + offset
          + " is not valid UTF-8", null, e);
    }
  }

  /**
   * The seed's nonce: the first 12 bytes of BLAKE3(salt || index as u64 little-endian || path bytes).
   *
   * @param blake3 a digest to reuse
   * @param salt the archive's 16-byte salt
   * @param index the entry index
   * @param path the path's UTF-8 bytes as stored
   * @return the 12-byte nonce
   */
  static byte[] deriveNonce(Blake3Digest blake3, byte[] salt, long index, byte[] path) {
    blake3.reset();
    blake3.update(salt, 0, salt.length);
    byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(index).array();
    blake3.update(le, 0, le.length);
    blake3.update(path, 0, path.length);
    byte[] hash = new byte[32];
    blake3.doFinal(hash, 0);
    return Arrays.copyOf(hash, NONCE_BYTES);
  }

  // ---------------------------------------------------------------------------------------------------
  // Payloads

  private static boolean isManifestFile(String path) {
    return path.equals(LegacyManifest.FILE_NAME) || path.equals(LegacyManifest.HMAC_FILE_NAME);
  }

  /** Decodes one entry completely, handing it to {@code sink} if given; returns the drained guard. */
  private GuardStream decode(LegacyEntry entry, long budget, LegacyEntrySink sink, ByteArrayOutputStream capture)
      throws IOException {
    int captureCap = entry.path().equals(LegacyManifest.FILE_NAME)
        ? LegacyManifest.MAX_MANIFEST_BYTES : LegacyManifest.MAX_HMAC_FILE_BYTES;
    InputStream compressed = scan.encrypted()
        ? new ByteArrayInputStream(decrypt(entry))
        : new PayloadStream(entry.payloadOffset(), entry.payloadBytes());
    try (ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(compressed)) {
      GuardStream guard = new GuardStream(zstd, entry, budget, capture, captureCap);
      if (sink != null) {
        sink.accept(entry, guard);
      }
      guard.drain();
      return guard;
    } catch (ZstdException e) {
      throw corrupt("has corrupt zstd data: " + e.getMessage(), entry.path(), e);
    }
  }

  private byte[] decrypt(LegacyEntry entry) throws IOException {
    // Checked by the header pass; repeated because the file may have changed since.
    if (entry.payloadBytes() > options.maxEncryptedPayloadBytes()) {
      throw corrupt("entry is too large for authenticated streaming (" + entry.payloadBytes() + " bytes, limit "
          + options.maxEncryptedPayloadBytes() + ")", entry.path(), null);
    }
    byte[] payload = new byte[(int) entry.payloadBytes()];
    ByteBuffer buf = ByteBuffer.wrap(payload);
    long position = entry.payloadOffset();
    while (buf.hasRemaining()) {
      channel.position(position);
      int n = channel.read(buf);
      if (n < 0) {
        throw corrupt("is truncated (the file shrank while it was read)", entry.path(), null);
      }
      position += n;
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BYTES * 8, payload, 0, NONCE_BYTES));
      byte[] plain = cipher.doFinal(payload, NONCE_BYTES, payload.length - NONCE_BYTES);
      keyConfirmed = true;
      return plain;
    } catch (AEADBadTagException e) {
      if (!keyConfirmed) {
        throw new WrongKeyException("legacy archive " + backupId + " failed authentication at its first entry '"
            + RelativePaths.printable(entry.path()) + "' (wrong key or modified bytes)");
      }
      throw corrupt("failed authentication (modified bytes)", entry.path(), null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding unavailable", e);
    }
  }

  private CorruptBackupException corrupt(String condition, String path, Throwable cause) {
    String subject = path == null
        ? "legacy archive " + backupId
        : "entry '" + RelativePaths.printable(path) + "' of legacy archive " + backupId;
    return new CorruptBackupException(subject + " " + condition, path, cause);
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

  /**
   * The decompressed bytes of one entry as handed to the sink: decoding errors become
   * {@link CorruptBackupException}s, output is capped, every byte is hashed, and the manifest files are
   * captured (bounded).
   */
  private final class GuardStream extends InputStream {
    private final InputStream zstd;
    private final LegacyEntry entry;
    private final long limit;
    private final ByteArrayOutputStream capture;
    private final int captureCap;
    final MessageDigest digest = LegacyManifest.sha256();
    long count;
    private boolean eof;

    GuardStream(InputStream zstd, LegacyEntry entry, long limit, ByteArrayOutputStream capture, int captureCap) {
      this.zstd = zstd;
      this.entry = entry;
      this.limit = limit;
      this.capture = capture;
      this.captureCap = captureCap;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n;
      do {
        n = read(one, 0, 1);
      } while (n == 0);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (eof) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      // Ask for at most one byte beyond the limit, so nothing beyond it is ever handed out.
      long room = limit - count;
      int want = room >= len ? len : (int) room + 1;
      int n;
      try {
        n = zstd.read(b, off, want);
      } catch (ZstdIOException | ZstdException e) {
        throw corrupt("has corrupt zstd data: " + e.getMessage(), entry.path(), e);
      }
      if (n < 0) {
        eof = true;
        return -1;
      }
      count += n;
      if (count > limit) {
        throw corrupt("decompresses beyond the output limit of " + options.maxTotalOutputBytes()
            + " bytes for the whole archive (decompression bomb?)", entry.path(), null);
      }
      digest.update(b, off, n);
      if (capture != null) {
        if (capture.size() + n > captureCap) {
          throw corrupt("is larger than " + captureCap + " bytes", entry.path(), null);
        }
        capture.write(b, off, n);
      }
      return n;
    }

    void drain() throws IOException {
      byte[] buf = new byte[64 * 1024];
      while (read(buf, 0, buf.length) >= 0) {
        // hashed and counted by read
      }
    }

    @Override
    public void close() {
      // the reader owns the decoder
    }
  }

  /** A bounds-checked, buffered cursor over the archive for the header pass. */
  private static final class Cursor {
    private final SeekableByteChannel channel;
    private final long size;
    private final String backupId;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private long bufStart;
    long pos;

    Cursor(SeekableByteChannel channel, long size, String backupId) {
      this.channel = channel;
      this.size = size;
      this.backupId = backupId;
      buf.limit(0);
    }

    private void ensure(int n, String what) throws IOException {
      if (n > size - pos) {
        throw new CorruptBackupException("legacy archive " + backupId + " is truncated: expected " + n
            + "-byte " + what + " at offset " + pos + " but the archive has " + size + " bytes", null);
      }
      if (pos >= bufStart && pos + n <= bufStart + buf.limit()) {
        return;
      }
      buf.clear();
      channel.position(pos);
      while (buf.position() < n) {
        if (channel.read(buf) < 0) {
          throw new CorruptBackupException("legacy archive " + backupId + " is truncated: expected " + n
              + "-byte " + what + " at offset " + pos + " (the file shrank while it was read)", null);
        }
      }
      buf.flip();
      bufStart = pos;
    }

    byte[] bytes(int n, String what) throws IOException {
      ensure(n, what);
      byte[] out = new byte[n];
      buf.get((int) (pos - bufStart), out, 0, n);
      pos += n;
      return out;
    }

    int u8(String what) throws IOException {
      return bytes(1, what)[0] & 0xFF;
    }

    long u32(String what) throws IOException {
      return ByteBuffer.wrap(bytes(4, what)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
    }

    long u64(String what) throws IOException {
      return ByteBuffer.wrap(bytes(8, what)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    void seek(long position) {
      pos = position;
    }
  }
}
