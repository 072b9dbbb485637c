package dev.coffer.archive.v2;

import dev.coffer.BackupId;
import dev.coffer.CorruptBackupException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * What a listing shows of a backup without opening its manifest: the commit's summary (JSON, at
 * most {@code CommitStatement.MAX_SUMMARY_BYTES}). It is authenticated by the commit's checksum and
 * signature, not encrypted: it holds no path and no content.
 *
 * @param backupId the backup
 * @param createdAt when it was taken
 * @param type {@code FULL} or {@code INCREMENTAL}
 * @param baseBackupId the base of an incremental, or null
 * @param files how many regular files it holds
 * @param logicalBytes their total size
 * @param storedBytes the size of its own {@code data/} object
 */
public record V2Summary(
    String backupId,
    Instant createdAt,
    String type,
    String baseBackupId,
    long files,
    long logicalBytes,
    long storedBytes) {

  byte[] encode() {
    return V2Json.bytes(
        V2Json.object()
            .put("backup_id", backupId)
            .put("created_at", createdAt.toString())
            .put("type", type)
            .put("base_backup_id", baseBackupId)
            .put("files", files)
            .put("logical_bytes", logicalBytes)
            .put("stored_bytes", storedBytes));
  }

  /** The JSON form, as read (times as text, checked after). */
  private record Json(
      String backupId,
      String createdAt,
      String type,
      String baseBackupId,
      long files,
      long logicalBytes,
      long storedBytes) {
    static Json read(com.fasterxml.jackson.databind.JsonNode node) {
      var o =
          V2Json.fields(
              node,
              "backup_id",
              "created_at",
              "type",
              "base_backup_id",
              "files",
              "logical_bytes",
              "stored_bytes");
      return new Json(
          V2Json.text(o, "backup_id"),
          V2Json.text(o, "created_at"),
          V2Json.text(o, "type"),
          V2Json.text(o, "base_backup_id"),
          V2Json.integer(o, "files"),
          V2Json.integer(o, "logical_bytes"),
          V2Json.integer(o, "stored_bytes"));
    }
  }

  static V2Summary decode(byte[] bytes, String expectedId) throws CorruptBackupException {
    Json j = V2Json.parse(bytes, "summary of backup " + expectedId, Json::read);
    boolean typeOk =
        (V2Manifest.FULL.equals(j.type()) && j.baseBackupId() == null)
            || (V2Manifest.INCREMENTAL.equals(j.type())
                && BackupId.isValid(String.valueOf(j.baseBackupId())));
    if (!expectedId.equals(j.backupId())
        || !typeOk
        || j.files() < 0
        || j.logicalBytes() < 0
        || j.storedBytes() < 0
        || j.createdAt() == null) {
      throw new CorruptBackupException(
          "summary of backup " + expectedId + " is inconsistent", null);
    }
    try {
      return new V2Summary(
          j.backupId(),
          Instant.parse(j.createdAt()),
          j.type(),
          j.baseBackupId(),
          j.files(),
          j.logicalBytes(),
          j.storedBytes());
    } catch (DateTimeParseException e) {
      throw new CorruptBackupException(
          "summary of backup " + expectedId + " has a malformed time", null);
    }
  }
}
