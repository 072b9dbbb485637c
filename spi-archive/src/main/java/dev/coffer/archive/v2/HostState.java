package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.archive.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The local state of a write-only host (option {@code state-file}, issue 19): the manifest of the
 * last backup this host wrote, so its next incremental can compare sizes, times, file identities
 * and block hashes without reading the repository's sealed manifests, which it cannot open.
 *
 * <p>Layout: {@code "CFHSTATE" | version u16 = 1 | repository id (16) | host public key (32) |
 * nonce (12) | AES-256-GCM(body) with the 58 header bytes as associated data}; body {@code id
 * length u8 | backup id (ASCII) | manifest SHA-256 of the commit (32) | manifest JSON}. The key is
 * {@link HostSigningKey#stateKey}: only this host key opens it, for this repository only, and a
 * copy of the file alone reveals nothing but its size, the repository id and the host's public key.
 *
 * <p>{@link #load} accepts a state only when it opens, names the requested base, that base's commit
 * is signed by this host and states the same archive, manifest hash and block size, and no later
 * backup of this repository is signed by this host. Anything else is a reason for a full backup,
 * never an incremental on a wrong base.
 */
final class HostState {

  private static final byte[] MAGIC = "CFHSTATE".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int HEADER_BYTES = MAGIC.length + 2 + 16 + 32;
  static final long MAX_BYTES =
      HEADER_BYTES + V2Format.NONCE_BYTES + 1 + 128 + 32 + CommitStatement.MAX_MANIFEST_BYTES + 16;

  /** A loaded base, or why there is none (a full backup is taken). */
  record Loaded(V2Backup base, String problem) {}

  private HostState() {}

  /**
   * Writes the state of a backup just committed by {@code host}: a temporary sibling (owner-only
   * where the file system has POSIX permissions), forced, then moved over the old state.
   */
  static void save(
      Path file, HostSigningKey host, UUID repositoryId, CommitStatement commit, V2Manifest m)
      throws IOException {
    byte[] id = commit.backupId().getBytes(StandardCharsets.US_ASCII);
    byte[] json = V2Json.encode(m);
    byte[] body =
        ByteBuffer.allocate(1 + id.length + 32 + json.length)
            .put((byte) id.length)
            .put(id)
            .put(commit.manifestSha256())
            .put(json)
            .array();
    byte[] header = header(repositoryId, host.publicKey());
    byte[] nonce = new byte[V2Format.NONCE_BYTES];
    new SecureRandom().nextBytes(nonce);
    SecretBytes key = host.stateKey(repositoryId);
    byte[] sealed;
    try {
      sealed = new Gcm(key).seal(nonce, header, body);
    } finally {
      key.destroy();
    }
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve(file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try {
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException noPosix) {
        Files.createFile(tmp);
      }
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
        out.write(header);
        out.write(nonce);
        out.write(sealed);
      }
      try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] header(UUID repositoryId, HostPublicKey host) {
    return ByteBuffer.allocate(HEADER_BYTES)
        .put(MAGIC)
        .putShort((short) VERSION)
        .put(Ids.bytes(repositoryId))
        .put(host.bytes())
        .array();
  }

  /**
   * The base the state gives for an incremental on {@code requestedBase}, or the reason it gives
   * none (missing, foreign, tampered or stale).
   */
  static Loaded load(Path file, HostSigningKey host, V2Location location, String requestedBase)
      throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES + 1));
    } catch (NoSuchFileException e) {
      return none("there is no host state at " + file);
    }
    if (bytes.length > MAX_BYTES
        || bytes.length < HEADER_BYTES + V2Format.NONCE_BYTES + V2Format.TAG_BYTES
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
        || ByteBuffer.wrap(bytes, MAGIC.length, 2).getShort() != VERSION) {
      return none("host state " + file + " is not a host state file of this version");
    }
    byte[] header = Arrays.copyOf(bytes, HEADER_BYTES);
    if (!MessageDigest.isEqual(header(location.repositoryId(), host.publicKey()), header)) {
      byte[] repo = Arrays.copyOfRange(bytes, MAGIC.length + 2, MAGIC.length + 18);
      return none(
          "host state "
              + file
              + (Arrays.equals(repo, Ids.bytes(location.repositoryId()))
                  ? " was written with another host key"
                  : " belongs to another repository"));
    }
    byte[] nonce = Arrays.copyOfRange(bytes, HEADER_BYTES, HEADER_BYTES + V2Format.NONCE_BYTES);
    int at = HEADER_BYTES + V2Format.NONCE_BYTES;
    SecretBytes key = host.stateKey(location.repositoryId());
    byte[] body;
    try {
      body = new Gcm(key).open(nonce, header, bytes, at, bytes.length - at);
    } finally {
      key.destroy();
    }
    if (body == null) {
      return none("host state " + file + " does not authenticate (modified or damaged)");
    }
    int idLength = Byte.toUnsignedInt(body[0]);
    if (body.length < 1 + idLength + 32) {
      return none("host state " + file + " is cut short");
    }
    String id = new String(body, 1, idLength, StandardCharsets.US_ASCII);
    if (!CommitStatement.validBackupId(id)) {
      return none("host state " + file + " names no valid backup id");
    }
    byte[] manifestSha256 = Arrays.copyOfRange(body, 1 + idLength, 1 + idLength + 32);
    if (!id.equals(requestedBase)) {
      return none(
          "host state " + file + " is of backup " + id + ", not of the base " + requestedBase);
    }
    return base(location, host, id, manifestSha256, body, 1 + idLength + 32, file);
  }

  private static Loaded base(
      V2Location location,
      HostSigningKey host,
      String id,
      byte[] manifestSha256,
      byte[] body,
      int jsonAt,
      Path file)
      throws IOException {
    V2Commits.Commit commit;
    try {
      commit = V2Commits.read(location, id);
    } catch (NoSuchBackupException e) {
      return none("backup " + id + " of host state " + file + " is no longer in the repository");
    }
    try {
      commit.object().verifySignature(host.publicKey());
    } catch (CorruptBackupException e) {
      return none("backup " + id + " of host state " + file + ": " + e.getMessage());
    }
    List<V2Commits.Commit> all = V2Commits.all(location);
    Optional<V2Commits.Commit> latest = V2Commits.latestBy(all, host.publicKey());
    if (latest.isPresent() && !latest.get().backupId().equals(id)) {
      return none(
          "host state "
              + file
              + " is stale: backup "
              + latest.get().backupId()
              + " of this host is later than its "
              + id);
    }
    V2Manifest m;
    try {
      m = V2Json.manifest(Arrays.copyOfRange(body, jsonAt, body.length), id);
    } catch (CorruptBackupException e) {
      return none("host state " + file + " holds a manifest that does not parse");
    }
    CommitStatement s = commit.object().statement();
    if (!MessageDigest.isEqual(s.manifestSha256(), manifestSha256)
        || !m.archiveUuid().equals(s.archiveId())
        || m.blockSize() != s.blockSizeBytes()) {
      return none(
          "host state "
              + file
              + " disagrees with the commit of backup "
              + id
              + " (manifest "
              + HexFormat.of().formatHex(manifestSha256, 0, 4)
              + "...)");
    }
    return new Loaded(new V2Backup(commit.object(), null, m, commit.summary(), null), null);
  }

  private static Loaded none(String problem) {
    return new Loaded(null, problem);
  }
}
