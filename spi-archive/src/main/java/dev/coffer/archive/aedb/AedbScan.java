package dev.coffer.archive.aedb;

import static dev.coffer.archive.aedb.AedbFormat.ENTRY_END;
import static dev.coffer.archive.aedb.AedbFormat.ENTRY_FILE;
import static dev.coffer.archive.aedb.AedbFormat.FLAG_ENCRYPTED;
import static dev.coffer.archive.aedb.AedbFormat.MAGIC;
import static dev.coffer.archive.aedb.AedbFormat.MAX_PATH_BYTES;
import static dev.coffer.archive.aedb.AedbFormat.MAX_PAYLOAD_BYTES;
import static dev.coffer.archive.aedb.AedbFormat.NONCE_BYTES;
import static dev.coffer.archive.aedb.AedbFormat.TAG_BYTES;
import static dev.coffer.archive.aedb.AedbFormat.deriveNonce;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.support.RelativePaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * The header pass over an aedb archive and what it found: every entry header is read and checked
 * (magic, flags, key policy, lengths, paths, collisions, derived nonces, no trailing bytes), the
 * payloads are skipped.
 *
 * @param encrypted whether the entries are AES-256-GCM encrypted
 * @param salt the archive's 16-byte salt (public; part of the nonce derivation)
 * @param entries the entries, in archive order
 * @param archiveBytes the archive's size
 */
record AedbScan(boolean encrypted, byte[] salt, List<AedbEntry> entries, long archiveBytes) {
  /** Copies the entries. */
  AedbScan {
    entries = List.copyOf(entries);
  }

  /**
   * The sum of all payload lengths.
   *
   * @return stored payload bytes
   */
  long payloadBytes() {
    long sum = 0;
    for (AedbEntry e : entries) {
      sum += e.payloadBytes();
    }
    return sum;
  }

  /** What the reader holds: a key, none, or (for a listing) no opinion. */
  enum KeyPolicy {
    KEY,
    NO_KEY,
    IGNORE
  }

  static AedbScan read(
      SeekableByteChannel channel, String backupId, AedbReadOptions options, KeyPolicy policy)
      throws IOException {
    long size = channel.size();
    Cursor c = new Cursor(channel, size, backupId);
    byte[] magic = c.bytes(MAGIC.length, "magic");
    if (!Arrays.equals(magic, MAGIC)) {
      throw new CorruptBackupException(
          "aedb archive " + backupId + " has an invalid magic (expected AEDBARC1)", null);
    }
    int flags = c.u8("flags byte");
    if ((flags & ~FLAG_ENCRYPTED) != 0) {
      throw new CorruptBackupException(
          String.format("aedb archive %s has unknown flags 0x%02x", backupId, flags), null);
    }
    boolean encrypted = (flags & FLAG_ENCRYPTED) != 0;
    if (encrypted && policy == KeyPolicy.NO_KEY) {
      throw new WrongKeyException(
          "aedb archive " + backupId + " is encrypted and no key is configured");
    }
    if (!encrypted && policy == KeyPolicy.KEY && !options.allowUnencryptedWithKey()) {
      throw new WrongKeyException(
          "unencrypted aedb archive "
              + backupId
              + " refused because a key is configured (a possible downgrade; allow unencrypted aedb archives"
              + " explicitly to read it)");
    }
    byte[] salt = c.bytes(16, "salt");
    List<AedbEntry> entries = new ArrayList<>();
    Blake3Digest blake3 = new Blake3Digest();
    while (true) {
      long entryOffset = c.pos;
      int type = c.u8("entry type or end marker");
      if (type == ENTRY_END) {
        if (c.pos != size) {
          throw new CorruptBackupException(
              "aedb archive "
                  + backupId
                  + " has "
                  + (size - c.pos)
                  + " trailing bytes after the end marker at offset "
                  + entryOffset,
              null);
        }
        break;
      }
      if (type != ENTRY_FILE) {
        throw new CorruptBackupException(
            String.format(
                "aedb archive %s has an invalid entry type 0x%02x at offset %d",
                backupId, type, entryOffset),
            null);
      }
      if (entries.size() >= options.maxEntries()) {
        throw new CorruptBackupException(
            "aedb archive " + backupId + " has more than " + options.maxEntries() + " entries",
            null);
      }
      long pathLength = c.u32("path length");
      if (pathLength == 0) {
        throw new CorruptBackupException(
            "aedb archive " + backupId + " has an empty path at offset " + entryOffset, null);
      }
      if (pathLength > MAX_PATH_BYTES) {
        throw new CorruptBackupException(
            "aedb archive "
                + backupId
                + ": path exceeds max length ("
                + pathLength
                + " bytes, limit "
                + MAX_PATH_BYTES
                + ") at offset "
                + entryOffset,
            null);
      }
      byte[] pathBytes = c.bytes((int) pathLength, "path");
      String path = decodePath(pathBytes, backupId, entryOffset);
      Optional<String> problem =
          options.portablePaths()
              ? RelativePaths.portableProblem(path)
              : RelativePaths.basicProblem(path);
      if (problem.isPresent()) {
        throw new CorruptBackupException(
            "hostile or malformed path '"
                + RelativePaths.printable(path)
                + "' in aedb archive "
                + backupId
                + " at offset "
                + entryOffset
                + ": "
                + problem.get(),
            path);
      }
      long payloadLength = c.u64("payload length");
      if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_BYTES) {
        throw new CorruptBackupException(
            "aedb archive "
                + backupId
                + ": payload exceeds max size ("
                + Long.toUnsignedString(payloadLength)
                + " bytes, limit "
                + MAX_PAYLOAD_BYTES
                + ") for '"
                + RelativePaths.printable(path)
                + "'",
            path);
      }
      long payloadOffset = c.pos;
      if (payloadLength > size - payloadOffset) {
        throw new CorruptBackupException(
            "aedb archive "
                + backupId
                + " is truncated: the payload of '"
                + RelativePaths.printable(path)
                + "' needs "
                + payloadLength
                + " bytes at offset "
                + payloadOffset
                + " but the archive has "
                + size
                + " bytes",
            path);
      }
      long index = entries.size();
      if (encrypted) {
        if (payloadLength < NONCE_BYTES + TAG_BYTES) {
          throw new CorruptBackupException(
              "aedb archive "
                  + backupId
                  + ": encrypted payload of '"
                  + RelativePaths.printable(path)
                  + "' is "
                  + payloadLength
                  + " bytes, shorter than nonce and tag",
              path);
        }
        if (policy == KeyPolicy.KEY && payloadLength > options.maxEncryptedPayloadBytes()) {
          throw new CorruptBackupException(
              "aedb entry '"
                  + RelativePaths.printable(path)
                  + "' of backup "
                  + backupId
                  + " is too large for authenticated streaming: its AES-GCM payload of "
                  + payloadLength
                  + " bytes must be held in memory whole, limit "
                  + options.maxEncryptedPayloadBytes(),
              path);
        }
        byte[] nonce = c.bytes(NONCE_BYTES, "nonce");
        if (!Arrays.equals(nonce, deriveNonce(blake3, salt, index, pathBytes))) {
          throw new CorruptBackupException(
              "aedb archive "
                  + backupId
                  + ": nonce mismatch for entry "
                  + index
                  + " '"
                  + RelativePaths.printable(path)
                  + "' (reordered, renamed or modified entry)",
              path);
        }
      } else if (payloadLength == 0) {
        throw new CorruptBackupException(
            "aedb archive "
                + backupId
                + ": empty payload for '"
                + RelativePaths.printable(path)
                + "'",
            path);
      }
      c.seek(payloadOffset + payloadLength);
      entries.add(new AedbEntry(index, path, payloadOffset, payloadLength));
    }
    checkCollisions(entries, backupId);
    return new AedbScan(encrypted, salt, entries, size);
  }

  private static void checkCollisions(List<AedbEntry> entries, String backupId)
      throws CorruptBackupException {
    Map<String, String> fileKeys = new HashMap<>();
    Set<String> dirs = new LinkedHashSet<>();
    for (AedbEntry e : entries) {
      String previous = fileKeys.putIfAbsent(RelativePaths.collisionKey(e.path()), e.path());
      if (previous != null) {
        throw new CorruptBackupException(
            "aedb archive "
                + backupId
                + ": "
                + (previous.equals(e.path())
                    ? "duplicate path '" + RelativePaths.printable(e.path()) + "'"
                    : "paths '"
                        + RelativePaths.printable(previous)
                        + "' and '"
                        + RelativePaths.printable(e.path())
                        + "' collide on case-insensitive file systems"),
            e.path());
      }
      dirs.addAll(RelativePaths.ancestors(e.path()));
    }
    for (String dir : dirs) {
      String file = fileKeys.get(RelativePaths.collisionKey(dir));
      if (file != null) {
        throw new CorruptBackupException(
            "aedb archive "
                + backupId
                + ": '"
                + RelativePaths.printable(file)
                + "' is both a file and a directory",
            file);
      }
    }
    Optional<String> dirCollision = RelativePaths.findCollision(new TreeSet<>(dirs));
    if (dirCollision.isPresent()) {
      throw new CorruptBackupException(
          "aedb archive " + backupId + ": directory " + dirCollision.get(), null);
    }
  }

  private static String decodePath(byte[] bytes, String backupId, long offset)
      throws CorruptBackupException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptBackupException(
          "aedb archive " + backupId + ": path at offset " + offset + " is not valid UTF-8",
          null,
          e);
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
        throw new CorruptBackupException(
            "aedb archive "
                + backupId
                + " is truncated: expected "
                + n
                + "-byte "
                + what
                + " at offset "
                + pos
                + " but the archive has "
                + size
                + " bytes",
            null);
      }
      if (pos >= bufStart && pos + n <= bufStart + buf.limit()) {
        return;
      }
      buf.clear();
      channel.position(pos);
      while (buf.position() < n) {
        if (channel.read(buf) < 0) {
          throw new CorruptBackupException(
              "aedb archive "
                  + backupId
                  + " is truncated: expected "
                  + n
                  + "-byte "
                  + what
                  + " at offset "
                  + pos
                  + " (the file shrank while it was read)",
              null);
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
