package dev.coffer.archive.v2;

import dev.coffer.BackupException;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The commit object of a version-2 backup ({@code commits/<id>}), written last: its existence
 * publishes the backup. It holds the {@link CommitStatement} (what the host signs), one to sixteen
 * key slots wrapping the archive's data key, and an optional Ed25519 signature; binary, at most 4
 * KiB ({@link CommitCodec}). Immutable and thread-safe.
 */
public final class CommitObject {

  /** The largest commit object a reader accepts: read at most this many bytes before decoding. */
  public static final int MAX_BYTES = CommitCodec.MAX_BYTES;

  private final CommitStatement statement;
  private final List<KeySlot> slots;
  private final HostPublicKey signer;
  private final byte[] signature;

  private CommitObject(
      CommitStatement statement, List<KeySlot> slots, HostPublicKey signer, byte[] signature) {
    this.statement = statement;
    this.slots = List.copyOf(slots);
    this.signer = signer;
    this.signature = signature == null ? null : signature.clone();
  }

  /**
   * A new commit for an archive whose blocks and manifest are written.
   *
   * @param statement what the commit states; its commitment must be that of {@code dataKey}
   * @param dataKey the archive's data key, wrapped into one slot per recipient
   * @param to whom the data key is wrapped for
   * @param signer the host's signing key, or empty for an unsigned commit
   * @param random the source of randomness for slot nonces and ephemeral keys
   * @return the commit object
   * @throws IllegalArgumentException if the data key does not match the statement's commitment
   */
  public static CommitObject create(
      CommitStatement statement,
      SecretBytes dataKey,
      Recipients to,
      Optional<HostSigningKey> signer,
      SecureRandom random) {
    if (!commits(statement, dataKey)) {
      throw new IllegalArgumentException("the data key does not match the statement's commitment");
    }
    List<KeySlot> slots =
        KeySlots.wrap(dataKey, statement.repositoryId(), statement.archiveId(), to, random);
    HostSigningKey key = signer.orElse(null);
    byte[] signature = key == null ? null : key.sign(CommitCodec.signedMessage(statement));
    return new CommitObject(statement, slots, key == null ? null : key.publicKey(), signature);
  }

  /**
   * Decodes {@code commits/<backupId>} of repository {@code repositoryId}.
   *
   * @param bytes the object's bytes
   * @param repositoryId the repository being read: a commit of another repository is refused
   * @param backupId the id in the object's name: a commit naming another backup is refused
   * @return the commit object (its slots and signature not yet checked)
   * @throws CorruptBackupException if the object is too long, fails its checksum, has a field out
   *     of bounds, or belongs to another repository or backup
   */
  public static CommitObject decode(byte[] bytes, UUID repositoryId, String backupId)
      throws CorruptBackupException {
    CommitCodec.Parts p = CommitCodec.decode(bytes, repositoryId, backupId);
    return new CommitObject(p.statement(), p.slots(), p.signer(), p.signature());
  }

  /**
   * The object's bytes.
   *
   * @return at most 4096 bytes
   */
  public byte[] encode() {
    return CommitCodec.encode(new CommitCodec.Parts(statement, slots, signer, signature));
  }

  /**
   * What the commit states.
   *
   * @return the statement
   */
  public CommitStatement statement() {
    return statement;
  }

  /**
   * The number of key slots.
   *
   * @return 1 to 16
   */
  public int slotCount() {
    return slots.size();
  }

  /**
   * Opens the archive's keys with one of the reader's keys: the first slot for a given key whose
   * data key matches the commitment wins.
   *
   * @param with the reader's keys
   * @return the archive's keys
   * @throws WrongKeyException if no slot is for any of the given keys
   * @throws CorruptBackupException if the slots for the given keys fail authentication or wrap a
   *     data key the commit does not commit to
   * @throws BackupException as one of the above
   */
  public V2Keys openKeys(Identities with) throws BackupException {
    SecretBytes dk = dataKey(with);
    try {
      return V2Keys.derive(dk, statement.archiveSalt(), statement.archiveId());
    } finally {
      dk.destroy();
    }
  }

  /**
   * Rekey: the same commit (statement, signature, data key) with new key slots for {@code to}. A
   * pure function of this commit and an old key; the bytes written are the commit's size, whatever
   * the archive's size.
   *
   * @param with a key that opens this commit
   * @param to the new key set
   * @param random the source of randomness for the new slots
   * @return the new commit object
   * @throws BackupException as {@link #openKeys}
   */
  public CommitObject rekey(Identities with, Recipients to, SecureRandom random)
      throws BackupException {
    SecretBytes dk = dataKey(with);
    try {
      return new CommitObject(
          statement,
          KeySlots.wrap(dk, statement.repositoryId(), statement.archiveId(), to, random),
          signer,
          signature);
    } finally {
      dk.destroy();
    }
  }

  /**
   * Whether the slots are exactly for {@code to} (by fingerprint, in any order): a resumed rekey
   * skips such commits. Needs no key.
   *
   * @param to a key set
   * @return true if every slot is for one of {@code to}'s keys and every key has a slot
   */
  public boolean wrappedFor(Recipients to) {
    Set<String> want = new HashSet<>();
    to.fingerprints(statement.repositoryId()).forEach(f -> want.add(Arrays.toString(f)));
    Set<String> have = new HashSet<>();
    slots.forEach(s -> have.add(Arrays.toString(s.fingerprint())));
    return want.equals(have) && have.size() == slots.size();
  }

  /**
   * The key the commit claims to be signed with (unverified).
   *
   * @return the claimed signer, or empty for an unsigned commit
   */
  public Optional<HostPublicKey> signer() {
    return Optional.ofNullable(signer);
  }

  /**
   * Checks that the commit is signed by {@code trusted} and that the signature covers this
   * statement.
   *
   * @param trusted the host key the reader trusts
   * @throws CorruptBackupException if the commit is unsigned, signed by another key, or the
   *     signature is invalid
   */
  public void verifySignature(HostPublicKey trusted) throws CorruptBackupException {
    Objects.requireNonNull(trusted, "trusted");
    if (signer == null) {
      throw CommitCodec.corrupt(
          statement.backupId(), "is not signed (expected host " + trusted + ")");
    }
    if (!signer.equals(trusted)) {
      throw CommitCodec.corrupt(statement.backupId(), "is signed by another host (" + signer + ")");
    }
    if (!trusted.verify(CommitCodec.signedMessage(statement), signature)) {
      throw CommitCodec.corrupt(statement.backupId(), "has a signature that does not verify");
    }
  }

  private SecretBytes dataKey(Identities with) throws BackupException {
    return KeySlots.unwrap(
        slots, statement.repositoryId(), statement.archiveId(), with, dk -> commits(statement, dk));
  }

  private static boolean commits(CommitStatement statement, SecretBytes dataKey) {
    V2Keys keys = V2Keys.derive(dataKey, statement.archiveSalt(), statement.archiveId());
    try {
      return keys.commitsTo(statement.commitment());
    } finally {
      keys.destroy();
    }
  }

  @Override
  public String toString() {
    return "CommitObject["
        + statement
        + ", "
        + slots.size()
        + " slots"
        + (signer == null ? "" : ", signed")
        + "]";
  }
}
