package dev.coffer.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Builds authentic archives with arbitrary (hostile) container contents, as an attacker holding the
 * key could.
 */
final class ArchiveForge {

  /** Writes container bytes. */
  interface Body {
    void write(ChunkedOutput out, ArchiveKeys keys) throws IOException;
  }

  private ArchiveForge() {}

  static SecretBytes key(String hex) {
    return new SecretBytes(HexFormat.of().parseHex(hex));
  }

  static byte[] forge(String id, String keyHex, Body body) throws IOException {
    ArchiveHeader header =
        new ArchiveHeader(Mode.ENCRYPTED, null, null, new byte[32], Format.MIN_CHUNK_SIZE, id);
    ArchiveKeys keys = ArchiveKeys.derive(key(keyHex), header);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(header.encode(keys.commitment()));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      WritableByteChannel ch = Channels.newChannel(bytes);
      byte[] hash = header.hash();
      ChunkedOutput out =
          new ChunkedOutput(
              ch,
              () -> ChunkSealer.create(Mode.ENCRYPTED, keys, hash, GcmWarmupSwitch.OFF),
              Format.MIN_CHUNK_SIZE,
              pool,
              1);
      body.write(out, keys);
      out.finish();
    } finally {
      pool.shutdownNow();
    }
    return bytes.toByteArray();
  }

  static void pathRecord(ChunkedOutput out, int type, String path) throws IOException {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    out.writeU8(type);
    out.writeU16(p.length);
    out.write(p);
  }

  /** A file record with one block of the given framing. */
  static void fileRecord(
      ChunkedOutput out, String path, int rawLength, int codec, byte[] stored, byte[] sha)
      throws IOException {
    pathRecord(out, Format.REC_FILE, path);
    out.writeU32(rawLength);
    out.writeU8(codec);
    out.writeU32(stored.length);
    out.write(stored);
    out.writeU32(0);
    out.write(sha);
  }

  static Manifest manifest(String id, List<String> dirs, List<Manifest.FileEntry> files) {
    long total = files.stream().mapToLong(Manifest.FileEntry::size).sum();
    return new Manifest(
        Manifest.FORMAT,
        id,
        TestSupport.T0.toString(),
        "FULL",
        null,
        null,
        "/src",
        "archive",
        "1",
        Map.of(),
        files.size(),
        total,
        dirs,
        files,
        List.of());
  }

  /** Writes the manifest record (with its MAC) and the footer. */
  static void manifestAndFooter(ChunkedOutput out, ArchiveKeys keys, Manifest m)
      throws IOException {
    byte[] json = ManifestCodec.encode(m);
    manifestAndFooter(out, keys, json);
  }

  static void manifestAndFooter(ChunkedOutput out, ArchiveKeys keys, byte[] json)
      throws IOException {
    long at = out.position();
    out.writeU8(Format.REC_MANIFEST);
    out.writeU32(json.length);
    out.write(json);
    out.write(ManifestCodec.mac(keys.manifestMac, json));
    out.writeU8(Format.REC_FOOTER);
    out.writeU64(at);
    out.write(Format.FOOTER_MAGIC);
  }
}
