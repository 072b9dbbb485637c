package dev.coffer.archive.v2;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What a commit object states about its backup: the part a host signs, which rekey never changes.
 *
 * @param repositoryId the repository the backup belongs to
 * @param archiveId the archive id (keys, block and slot associated data are bound to it)
 * @param backupId the backup id, {@code [0-9A-Za-z][0-9A-Za-z_.-]{0,127}}
 * @param archiveSalt the 32-byte HKDF salt of the archive's keys (copied)
 * @param blockSizeBytes the archive's block size, a power of two from 4 KiB to 1 MiB
 * @param dataLengthBytes the length of the archive's {@code data/} object, at least 0
 * @param manifestLengthBytes the length of the sealed manifest object, 1 to 256 MiB
 * @param manifestSha256 SHA-256 of the sealed manifest object (32 bytes; copied)
 * @param commitment the key commitment {@link V2Keys#commitment()} (32 bytes; copied)
 * @param summary the backup's summary metadata for {@code list()} (for example UTF-8 JSON), at most
 *     1024 bytes (copied)
 */
public record CommitStatement(
    UUID repositoryId,
    UUID archiveId,
    String backupId,
    byte[] archiveSalt,
    int blockSizeBytes,
    long dataLengthBytes,
    long manifestLengthBytes,
    byte[] manifestSha256,
    byte[] commitment,
    byte[] summary) {

  static final int MAX_SUMMARY_BYTES = 1024;
  static final long MAX_MANIFEST_BYTES = 256L * 1024 * 1024;
  private static final Pattern BACKUP_ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z_.-]{0,127}");

  /**
   * Validates the components.
   *
   * @param repositoryId as described on the record
   * @param archiveId as described on the record
   * @param backupId as described on the record
   * @param archiveSalt as described on the record
   * @param blockSizeBytes as described on the record
   * @param dataLengthBytes as described on the record
   * @param manifestLengthBytes as described on the record
   * @param manifestSha256 as described on the record
   * @param commitment as described on the record
   * @param summary as described on the record
   * @throws IllegalArgumentException if a component is out of range
   */
  public CommitStatement {
    Objects.requireNonNull(repositoryId, "repositoryId");
    Objects.requireNonNull(archiveId, "archiveId");
    if (!validBackupId(backupId)) {
      throw new IllegalArgumentException("invalid backup id");
    }
    if (archiveSalt.length != V2Format.SALT_BYTES
        || !V2Format.validBlockSize(blockSizeBytes)
        || dataLengthBytes < 0
        || manifestLengthBytes < 1
        || manifestLengthBytes > MAX_MANIFEST_BYTES
        || manifestSha256.length != V2Format.HASH_BYTES
        || commitment.length != V2Format.KEY_BYTES
        || summary.length > MAX_SUMMARY_BYTES) {
      throw new IllegalArgumentException("commit statement field out of range");
    }
    archiveSalt = archiveSalt.clone();
    manifestSha256 = manifestSha256.clone();
    commitment = commitment.clone();
    summary = summary.clone();
  }

  static boolean validBackupId(String id) {
    return id != null && BACKUP_ID.matcher(id).matches();
  }

  /**
   * The archive salt.
   *
   * @return a copy
   */
  @Override
  public byte[] archiveSalt() {
    return archiveSalt.clone();
  }

  /**
   * SHA-256 of the sealed manifest object.
   *
   * @return a copy
   */
  @Override
  public byte[] manifestSha256() {
    return manifestSha256.clone();
  }

  /**
   * The key commitment.
   *
   * @return a copy
   */
  @Override
  public byte[] commitment() {
    return commitment.clone();
  }

  /**
   * The summary metadata.
   *
   * @return a copy
   */
  @Override
  public byte[] summary() {
    return summary.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CommitStatement s
        && repositoryId.equals(s.repositoryId)
        && archiveId.equals(s.archiveId)
        && backupId.equals(s.backupId)
        && Arrays.equals(archiveSalt, s.archiveSalt)
        && blockSizeBytes == s.blockSizeBytes
        && dataLengthBytes == s.dataLengthBytes
        && manifestLengthBytes == s.manifestLengthBytes
        && Arrays.equals(manifestSha256, s.manifestSha256)
        && Arrays.equals(commitment, s.commitment)
        && Arrays.equals(summary, s.summary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(archiveId, backupId, Arrays.hashCode(manifestSha256));
  }

  @Override
  public String toString() {
    return "CommitStatement[backup "
        + backupId
        + ", archive "
        + archiveId
        + ", repository "
        + repositoryId
        + ", manifest "
        + HexFormat.of().formatHex(manifestSha256)
        + "]";
  }
}
