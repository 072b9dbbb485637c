package dev.coffer.archive.v2;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.coffer.CorruptBackupException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Seals and opens the manifest object ({@code manifests/<id>}): {@code codec u8 | raw length u32 |
 * AES-256-GCM(K("manifest"), nonce = 12 zero bytes, aad, payload)} with the payload one zstd frame
 * of the manifest (codec 1) or the manifest itself (codec 0), and {@code aad = archive id (16) ||
 * "manifest" || raw length u32 || codec u8}. K("manifest") seals one message per archive, so a
 * fixed nonce is safe. The commit records the object's length and SHA-256; {@link #open} checks
 * both before it decrypts. Stateless and thread-safe.
 */
public final class ManifestSealer {

  /** Largest manifest (the JSON) a reader accepts, as in version 1. */
  public static final int MAX_RAW_BYTES = 64 * 1024 * 1024;

  private static final int HEADER_BYTES = 1 + 4;

  private ManifestSealer() {}

  /**
   * Compresses and seals a manifest.
   *
   * @param keys the archive's keys
   * @param manifest the manifest's bytes (UTF-8 JSON), 1 to 64 MiB
   * @param level the zstd level, 1 to 19
   * @return the manifest object's bytes
   * @throws IllegalArgumentException if the manifest is empty or too large
   */
  public static byte[] seal(V2Keys keys, byte[] manifest, int level) {
    if (manifest.length < 1 || manifest.length > MAX_RAW_BYTES) {
      throw new IllegalArgumentException("manifest of " + manifest.length + " bytes");
    }
    byte[] zstd = Zstd.compress(manifest, level);
    boolean compressed = zstd.length < manifest.length;
    byte[] payload = compressed ? zstd : manifest;
    int codec = compressed ? V2Format.CODEC_ZSTD : V2Format.CODEC_RAW;
    byte[] out = new byte[HEADER_BYTES + payload.length + V2Format.TAG_BYTES];
    ByteBuffer.wrap(out).put((byte) codec).putInt(manifest.length);
    new Gcm(keys.manifest)
        .seal(
            new byte[V2Format.NONCE_BYTES],
            aad(keys, manifest.length, codec),
            payload,
            0,
            payload.length,
            out,
            HEADER_BYTES);
    return out;
  }

  /**
   * SHA-256 of a manifest object, as the commit records it.
   *
   * @param sealed the manifest object's bytes
   * @return the 32-byte hash
   */
  public static byte[] hash(byte[] sealed) {
    return BlockTable.sha256().digest(sealed);
  }

  /**
   * Checks a manifest object against its commit, then authenticates and decompresses it.
   *
   * @param keys the archive's keys (from {@link CommitObject#openKeys})
   * @param statement the archive's commit statement
   * @param sealed the manifest object's bytes
   * @return the manifest's bytes
   * @throws CorruptBackupException if the length or hash differs from the commit's, a length is out
   *     of bounds, authentication fails or the payload does not decode to exactly its declared
   *     length
   */
  public static byte[] open(V2Keys keys, CommitStatement statement, byte[] sealed)
      throws CorruptBackupException {
    String id = statement.backupId();
    if (sealed.length != statement.manifestLengthBytes()
        || !MessageDigest.isEqual(hash(sealed), statement.manifestSha256())) {
      throw corrupt(id, "does not match its commit (length or sha256)");
    }
    if (sealed.length < HEADER_BYTES + 1 + V2Format.TAG_BYTES) {
      throw corrupt(id, "is " + sealed.length + " bytes long");
    }
    ByteBuffer in = ByteBuffer.wrap(sealed);
    int codec = in.get();
    long raw = Integer.toUnsignedLong(in.getInt());
    int payloadLength = sealed.length - HEADER_BYTES - V2Format.TAG_BYTES;
    boolean fits =
        raw >= 1
            && raw <= MAX_RAW_BYTES
            && (codec == V2Format.CODEC_RAW
                ? payloadLength == raw
                : codec == V2Format.CODEC_ZSTD && payloadLength < raw);
    if (!fits) {
      throw corrupt(
          id,
          "declares codec " + codec + " and " + raw + " bytes for a payload of " + payloadLength);
    }
    byte[] payload =
        new Gcm(keys.manifest)
            .open(
                new byte[V2Format.NONCE_BYTES],
                aad(keys, (int) raw, codec),
                sealed,
                HEADER_BYTES,
                sealed.length - HEADER_BYTES);
    if (payload == null) {
      throw corrupt(id, "failed authentication (wrong key or modified bytes)");
    }
    if (codec == V2Format.CODEC_RAW) {
      return payload;
    }
    byte[] out = new byte[(int) raw];
    try {
      if (Zstd.decompressByteArray(out, 0, out.length, payload, 0, payload.length) == raw) {
        return out;
      }
    } catch (ZstdException e) {
      // reported below
    }
    Arrays.fill(out, (byte) 0);
    throw corrupt(id, "does not decompress to its " + raw + " bytes");
  }

  private static byte[] aad(V2Keys keys, int rawLength, int codec) {
    return ByteBuffer.allocate(16 + 8 + 4 + 1)
        .put(Ids.bytes(keys.archiveId()))
        .put("manifest".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .putInt(rawLength)
        .put((byte) codec)
        .array();
  }

  private static CorruptBackupException corrupt(String backupId, String what) {
    return new CorruptBackupException("manifest of backup " + backupId + " " + what, null);
  }
}
