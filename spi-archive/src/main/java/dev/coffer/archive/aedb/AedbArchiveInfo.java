package dev.coffer.archive.aedb;

import static java.util.Objects.requireNonNull;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a repository can list about an aedb archive without a key: its id (the file name without
 * {@code .aedbarc}), its last-modified time, whether it is encrypted, and its entry count and
 * stored size from the header pass. The aedb format records neither a creation time nor
 * decompressed sizes.
 *
 * @param backupId the id, valid under {@link BackupIds#isValid}
 * @param encrypted whether the entries are encrypted
 * @param files the number of file entries
 * @param storedPayloadBytes the sum of the payload lengths (compressed, and encrypted if so)
 * @param archiveBytes the archive's size
 * @param lastModified the archive file's last-modified time
 */
record AedbArchiveInfo(
    String backupId,
    boolean encrypted,
    long files,
    long storedPayloadBytes,
    long archiveBytes,
    Instant lastModified) {

  /** The label naming the legacy format in {@link #toMetadata}. */
  static final String FORMAT_LABEL = "legacy.format";

  /**
   * The backup id of an aedb archive file name.
   *
   * @param archive an archive file
   * @return the name without {@code .aedbarc}, or empty when the name does not end so or the rest
   *     is not a valid backup id (such a file is not a listable backup)
   */
  static Optional<String> idOf(Path archive) {
    Path name = archive.getFileName();
    if (name == null) {
      return Optional.empty();
    }
    String s = name.toString();
    if (!s.endsWith(AedbFormat.FILE_SUFFIX)) {
      return Optional.empty();
    }
    String id = s.substring(0, s.length() - AedbFormat.FILE_SUFFIX.length());
    return BackupId.isValid(id) ? Optional.of(id) : Optional.empty();
  }

  /**
   * Runs the header pass over an aedb archive (no key needed, payloads not read).
   *
   * @param archive the archive file
   * @param options limits and switches
   * @return the description
   * @throws IllegalArgumentException if the file name does not yield a valid id (see {@link #idOf})
   * @throws dev.coffer.CorruptBackupException if the archive is malformed
   * @throws IOException if it cannot be read
   */
  static AedbArchiveInfo describe(Path archive, AedbReadOptions options) throws IOException {
    String id =
        idOf(archive)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "not a aedb archive name (<valid id>"
                            + AedbFormat.FILE_SUFFIX
                            + "): "
                            + archive.getFileName()));
    Instant modified = Files.getLastModifiedTime(archive, LinkOption.NOFOLLOW_LINKS).toInstant();
    AedbScan scan = AedbArchiveReader.scan(archive, id, options);
    return new AedbArchiveInfo(
        id,
        scan.encrypted(),
        scan.entries().size(),
        scan.payloadBytes(),
        scan.archiveBytes(),
        modified);
  }

  /**
   * The listing entry for this archive. An aedb archive is always listed as a full backup: aedb's
   * incremental manifests name bases by aedb's ids, which Coffer cannot resolve; such facts go into
   * labels. {@code totalBytes} is the stored payload size, since the format does not record
   * decompressed sizes (the label {@code legacy.total-bytes} says so).
   *
   * @param provider the provider name to record
   * @param version the software version to record
   * @param manifest the archive's manifest if it was read (its creation time then replaces the file
   *     time)
   * @return the metadata
   */
  BackupMetadata toMetadata(String provider, String version, Optional<AedbManifest> manifest) {
    requireNonNull(manifest, "manifest");
    Map<String, String> labels = new TreeMap<>();
    labels.put(FORMAT_LABEL, "AEDBARC1");
    labels.put("legacy.encrypted", Boolean.toString(encrypted));
    labels.put("legacy.total-bytes", "stored");
    manifest.ifPresent(
        m -> {
          labels.put("legacy.backup-id", m.backupId());
          labels.put("legacy.backup-type", m.backupType());
          labels.put("legacy.aedb-version", m.aedbVersion());
          if (m.parentBackupId() != null) {
            labels.put("legacy.parent-backup-id", m.parentBackupId());
          }
        });
    Instant created = manifest.map(AedbManifest::createdAt).orElse(lastModified);
    return new BackupMetadata(
        backupId,
        created,
        "",
        files,
        storedPayloadBytes,
        BackupType.FULL,
        null,
        provider,
        version,
        labels);
  }
}
