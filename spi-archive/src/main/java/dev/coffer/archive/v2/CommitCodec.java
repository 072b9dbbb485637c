package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The binary form of a commit object (all integers big-endian):
 *
 * <pre>
 * statement: magic "CFCOMMIT" | version u16 = 2 | repository id (16) | archive id (16) | backup id length u8
 *            | backup id (ASCII) | archive salt (32) | block size u32 | data length u64 | manifest length u64
 *            | manifest sha256 (32) | commitment (32) | summary length u16 | summary
 * slots:     count u8 (1..16) | slot*            (see {@link KeySlot})
 * signature: kind u8 (0 none, 1 Ed25519) | [public key (32) | signature (64) over "coffer-v2 commit" 0x00 statement]
 * checksum:  SHA-256 of every byte before it (32)
 * </pre>
 *
 * At most {@value #MAX_BYTES} bytes. Decoding checks the length, then the checksum, then every
 * field's bounds.
 */
final class CommitCodec {

  static final int MAX_BYTES = 4096;
  private static final byte[] MAGIC = "CFCOMMIT".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 2;
  private static final byte[] SIGNATURE_CONTEXT =
      "coffer-v2 commit\0".getBytes(StandardCharsets.US_ASCII);

  /** A decoded commit object. */
  record Parts(
      CommitStatement statement, List<KeySlot> slots, HostPublicKey signer, byte[] signature) {}

  private CommitCodec() {}

  static byte[] statementBytes(CommitStatement s) {
    byte[] id = s.backupId().getBytes(StandardCharsets.US_ASCII);
    byte[] summary = s.summary();
    return ByteBuffer.allocate(
            MAGIC.length
                + 2
                + 16
                + 16
                + 1
                + id.length
                + 32
                + 4
                + 8
                + 8
                + 32
                + 32
                + 2
                + summary.length)
        .put(MAGIC)
        .putShort((short) VERSION)
        .put(Ids.bytes(s.repositoryId()))
        .put(Ids.bytes(s.archiveId()))
        .put((byte) id.length)
        .put(id)
        .put(s.archiveSalt())
        .putInt(s.blockSizeBytes())
        .putLong(s.dataLengthBytes())
        .putLong(s.manifestLengthBytes())
        .put(s.manifestSha256())
        .put(s.commitment())
        .putShort((short) summary.length)
        .put(summary)
        .array();
  }

  /** The message a host signs: a context label, then the statement bytes. */
  static byte[] signedMessage(CommitStatement s) {
    return DerKeys.concat(SIGNATURE_CONTEXT, statementBytes(s));
  }

  static byte[] encode(Parts p) {
    byte[] statement = statementBytes(p.statement());
    int slotBytes = p.slots().stream().mapToInt(KeySlot::encodedLength).sum();
    int length =
        statement.length
            + 1
            + slotBytes
            + 1
            + (p.signer() == null ? 0 : 32 + Ed25519.SIGNATURE_BYTES)
            + V2Format.HASH_BYTES;
    if (length > MAX_BYTES) {
      throw new IllegalStateException("commit object of " + length + " bytes exceeds " + MAX_BYTES);
    }
    ByteBuffer out = ByteBuffer.allocate(length).put(statement).put((byte) p.slots().size());
    p.slots().forEach(slot -> slot.encode(out));
    if (p.signer() == null) {
      out.put((byte) 0);
    } else {
      out.put((byte) 1).put(p.signer().bytes()).put(p.signature());
    }
    MessageDigest md = BlockTable.sha256();
    md.update(out.array(), 0, out.position());
    return out.put(md.digest()).array();
  }

  static Parts decode(byte[] bytes, UUID repositoryId, String backupId)
      throws CorruptBackupException {
    if (bytes.length > MAX_BYTES || bytes.length < MAGIC.length + V2Format.HASH_BYTES) {
      throw corrupt(backupId, "has " + bytes.length + " bytes (at most " + MAX_BYTES + ")");
    }
    int body = bytes.length - V2Format.HASH_BYTES;
    MessageDigest md = BlockTable.sha256();
    md.update(bytes, 0, body);
    if (!MessageDigest.isEqual(md.digest(), Arrays.copyOfRange(bytes, body, bytes.length))) {
      throw corrupt(backupId, "fails its checksum (modified or damaged bytes)");
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes, 0, body);
      Parts parts = read(in, backupId);
      if (in.hasRemaining()) {
        throw corrupt(backupId, "has " + in.remaining() + " trailing bytes");
      }
      if (!parts.statement().repositoryId().equals(repositoryId)) {
        throw corrupt(
            backupId,
            "belongs to repository " + parts.statement().repositoryId() + ", not " + repositoryId);
      }
      if (!parts.statement().backupId().equals(backupId)) {
        throw corrupt(backupId, "names backup " + parts.statement().backupId());
      }
      return parts;
    } catch (BufferUnderflowException e) {
      throw corrupt(backupId, "is truncated");
    }
  }

  private static Parts read(ByteBuffer in, String name) throws CorruptBackupException {
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    int version = Short.toUnsignedInt(in.getShort());
    if (!Arrays.equals(magic, MAGIC) || version != VERSION) {
      throw corrupt(name, "is not a version-2 commit object");
    }
    UUID repository = Ids.read(in);
    UUID archive = Ids.read(in);
    byte[] id = new byte[Byte.toUnsignedInt(in.get())];
    in.get(id);
    String backupId = new String(id, StandardCharsets.US_ASCII);
    byte[] salt = new byte[V2Format.SALT_BYTES];
    in.get(salt);
    int blockSize = in.getInt();
    long dataLength = in.getLong();
    long manifestLength = in.getLong();
    byte[] manifestHash = new byte[V2Format.HASH_BYTES];
    in.get(manifestHash);
    byte[] commitment = new byte[V2Format.KEY_BYTES];
    in.get(commitment);
    int summaryLength = Short.toUnsignedInt(in.getShort());
    if (summaryLength > CommitStatement.MAX_SUMMARY_BYTES) {
      throw corrupt(name, "has a summary of " + summaryLength + " bytes");
    }
    byte[] summary = new byte[summaryLength];
    in.get(summary);
    CommitStatement statement;
    try {
      statement =
          new CommitStatement(
              repository,
              archive,
              backupId,
              salt,
              blockSize,
              dataLength,
              manifestLength,
              manifestHash,
              commitment,
              summary);
    } catch (IllegalArgumentException e) {
      throw corrupt(name, "has a field out of range (" + e.getMessage() + ")");
    }
    int count = Byte.toUnsignedInt(in.get());
    if (count < 1 || count > Recipients.MAX_SLOTS) {
      throw corrupt(name, "has " + count + " key slots (1 to 16 allowed)");
    }
    List<KeySlot> slots = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      KeySlot slot = KeySlot.decode(in);
      if (slot == null) {
        throw corrupt(name, "has a malformed key slot " + i);
      }
      for (KeySlot earlier : slots) { // a writer wraps once per key: a second slot is planted
        if (earlier.type == slot.type && slot.hasFingerprint(earlier.fingerprint())) {
          throw corrupt(name, "has two key slots for the same key (slot " + i + ")");
        }
      }
      slots.add(slot);
    }
    int kind = Byte.toUnsignedInt(in.get());
    if (kind == 0) {
      return new Parts(statement, slots, null, null);
    }
    if (kind != 1) {
      throw corrupt(name, "has an unknown signature kind " + kind);
    }
    byte[] key = new byte[32];
    byte[] signature = new byte[Ed25519.SIGNATURE_BYTES];
    in.get(key).get(signature);
    return new Parts(statement, slots, new HostPublicKey(key), signature);
  }

  static CorruptBackupException corrupt(String backupId, String what) {
    return new CorruptBackupException("commit object of backup " + backupId + " " + what, null);
  }
}
