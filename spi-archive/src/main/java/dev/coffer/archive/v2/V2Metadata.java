package dev.coffer.archive.v2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.archive.Hkdf;
import dev.coffer.archive.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The {@code meta/<id>} object of a format-2 backup: what {@link BackupMetadata} holds beyond the
 * commit's summary (source directory, provider and version, labels, warnings), as JSON sealed with
 * AES-256-GCM under the repository's metadata key {@code HKDF-Expand(HKDF-Extract(repository id,
 * master), "coffer-archive-v2 metadata", 32)}, with the repository id, archive id and backup id as
 * associated data: it cannot be forged without the key, nor moved to another backup or repository.
 * One key per repository (not per archive), so a listing opens no key slot: one small read per
 * backup, and a later catalog object sealed under the same key can hold many of them.
 *
 * <pre>
 * version 0x01 | nonce (12, random) | AES-256-GCM(json) || tag (16)
 * </pre>
 */
final class V2Metadata {

  /** The most bytes a metadata object may have (labels and warnings included). */
  static final int MAX_BYTES = 1024 * 1024;

  private static final byte VERSION = 1;
  private static final byte[] LABEL =
      "coffer-archive-v2 metadata".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private V2Metadata() {}

  /** The metadata key of a repository. */
  static SecretBytes key(SecretBytes master, UUID repositoryId) {
    return derive(Ids.bytes(repositoryId), master);
  }

  /**
   * The metadata key of one archive of a write-only repository (no master key): derived from the
   * archive's keys, so that the host seals it with the data key it wraps to the recipients, and an
   * identity opens it with the data key of the archive's key slot.
   */
  static SecretBytes archiveKey(V2Keys keys) {
    return derive(Ids.bytes(keys.archiveId()), keys.manifest);
  }

  /** HKDF-Expand(HKDF-Extract(salt, ikm), "coffer-archive-v2 metadata", 32). */
  private static SecretBytes derive(byte[] salt, SecretBytes ikm) {
    return derive(salt, ikm, LABEL);
  }

  /** HKDF-Expand(HKDF-Extract(salt, ikm), label, 32): a 32-byte key of format 2. */
  static SecretBytes derive(byte[] salt, SecretBytes ikm, byte[] label) {
    byte[] prk = Hkdf.extract(salt, ikm.bytes());
    byte[] k = Hkdf.expand(prk, label, 32);
    try {
      return new SecretBytes(k);
    } finally {
      Arrays.fill(prk, (byte) 0);
      Arrays.fill(k, (byte) 0);
    }
  }

  /** Seals the fields the summary does not carry. */
  static byte[] seal(SecretBytes key, UUID repositoryId, UUID archiveId, BackupMetadata m) {
    byte[] json = V2Json.bytes(fields(m));
    byte[] nonce = new byte[V2Format.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    byte[] sealed = new Gcm(key).seal(nonce, aad(repositoryId, archiveId, m.backupId()), json);
    return ByteBuffer.allocate(1 + nonce.length + sealed.length)
        .put(VERSION)
        .put(nonce)
        .put(sealed)
        .array();
  }

  /** The fields of {@code m} the summary does not carry, as JSON (also a catalog entry's). */
  static ObjectNode fields(BackupMetadata m) {
    ObjectNode o = V2Json.object();
    o.put("source_dir", m.sourceDir());
    o.put("provider", m.provider());
    o.put("version", m.version());
    ObjectNode labels = o.putObject("labels");
    m.labels().forEach(labels::put);
    ArrayNode warnings = o.putArray("warnings");
    for (BackupWarning w : m.warnings()) {
      warnings
          .addObject()
          .put("path", w.path())
          .put("kind", w.kind().name())
          .put("detail", w.detail());
    }
    return o;
  }

  /**
   * Opens a metadata object and joins it with the commit's summary.
   *
   * @throws CorruptBackupException if it does not authenticate or is malformed
   */
  static BackupMetadata open(
      SecretBytes key, UUID repositoryId, UUID archiveId, V2Summary summary, byte[] stored)
      throws CorruptBackupException {
    String id = summary.backupId();
    int header = 1 + V2Format.NONCE_BYTES;
    if (stored.length < header + V2Format.TAG_BYTES
        || stored.length > MAX_BYTES
        || stored[0] != VERSION) {
      throw corrupt(id, "malformed");
    }
    byte[] json =
        new Gcm(key)
            .open(
                Arrays.copyOfRange(stored, 1, header),
                aad(repositoryId, archiveId, id),
                stored,
                header,
                stored.length - header);
    if (json == null) {
      throw corrupt(id, "failed authentication (wrong key or modified bytes)");
    }
    return V2Json.parse(json, "metadata of backup " + id, n -> join(n, summary));
  }

  /**
   * {@code summary} joined with the fields of {@link #fields}: the backup's metadata.
   *
   * @throws V2Json.Malformed if the fields are malformed or do not fit the summary
   */
  static BackupMetadata join(JsonNode n, V2Summary summary) {
    V2Json.fields(n, "source_dir", "provider", "version", "labels", "warnings");
    Map<String, String> labels = new TreeMap<>();
    JsonNode l = n.get("labels");
    if (!l.isObject()) {
      throw new V2Json.Malformed("labels is not an object");
    }
    for (Iterator<String> it = l.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode value = l.get(name);
      if (!value.isTextual()) {
        throw new V2Json.Malformed("a label is not a string");
      }
      labels.put(name, value.textValue());
    }
    List<BackupWarning> warnings =
        V2Json.list(
            n,
            "warnings",
            w -> {
              V2Json.fields(w, "path", "kind", "detail");
              try {
                return new BackupWarning(
                    V2Json.text(w, "path"),
                    BackupWarning.Kind.valueOf(String.valueOf(V2Json.text(w, "kind"))),
                    V2Json.text(w, "detail"));
              } catch (IllegalArgumentException | NullPointerException e) {
                throw new V2Json.Malformed("a warning is malformed");
              }
            });
    try {
      return new BackupMetadata(
          summary.backupId(),
          summary.createdAt(),
          V2Json.text(n, "source_dir"),
          summary.files(),
          summary.logicalBytes(),
          V2Manifest.FULL.equals(summary.type()) ? BackupType.FULL : BackupType.INCREMENTAL,
          summary.baseBackupId(),
          V2Json.text(n, "provider"),
          V2Json.text(n, "version"),
          labels,
          new ArrayList<>(warnings));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new V2Json.Malformed("inconsistent");
    }
  }

  private static byte[] aad(UUID repositoryId, UUID archiveId, String backupId) {
    byte[] id = backupId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(LABEL.length + 1 + 32 + id.length)
        .put(LABEL)
        .put((byte) 0)
        .put(Ids.bytes(repositoryId))
        .put(Ids.bytes(archiveId))
        .put(id)
        .array();
  }

  private static CorruptBackupException corrupt(String backupId, String what) {
    return new CorruptBackupException(
        "metadata object of backup " + backupId + " " + what, V2Layout.META + backupId);
  }
}
