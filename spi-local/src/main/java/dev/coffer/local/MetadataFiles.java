package dev.coffer.local;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A backup's {@code metadata.json} and its CRC32C sidecar: read (capped, checked, parsed once per
 * exact bytes through a {@link ManifestCache}) and written. Thread-safe.
 */
final class MetadataFiles {

  private static final int MAX_SIDECAR_BYTES = 64;

  private final ManifestCache manifests = new ManifestCache();

  /**
   * Reads and checks the metadata of the backup in {@code dir}: its sidecar CRC32C (where its
   * format requires one), then its content.
   */
  StoredBackup open(Path dir, String id) throws IOException {
    byte[] json;
    try {
      json = read(dir, id);
    } catch (NoSuchFileException e) {
      throw new CorruptBackupException("metadata.json of backup " + id + " is missing", null, e);
    }
    Optional<String> problem = sidecarProblem(dir, json, id);
    StoredBackup backup = StoredBackup.of(dir, id, parse(json, id));
    if (problem.isPresent() && (sidecarPresent(dir) || backup.sidecarRequired())) {
      throw new CorruptBackupException(problem.get(), null);
    }
    return backup;
  }

  /** Metadata for list and find: a directory whose metadata cannot be parsed is not a backup. */
  Optional<BackupMetadata> forListing(Path dir, String id) throws IOException {
    try {
      return Optional.of(parse(read(dir, id), id).metadata());
    } catch (NoSuchFileException | NotDirectoryException | CorruptBackupException e) {
      return Optional.empty();
    }
  }

  /** The bytes of {@code metadata.json}, refused when over {@link Manifest#MAX_BYTES} or a link. */
  static byte[] read(Path dir, String id) throws IOException {
    return Disk.readCapped(dir.resolve(Layout.METADATA), Manifest.MAX_BYTES, id);
  }

  /** Parses a backup's metadata, or takes the manifest already parsed from exactly these bytes. */
  Manifest parse(byte[] json, String id) throws CorruptBackupException {
    Manifest manifest = manifests.get(id, json);
    if (manifest == null) {
      manifest = Manifest.parse(json, id);
      manifests.put(id, json, manifest);
    }
    return manifest;
  }

  /**
   * Writes {@code metadata.json} and its sidecar into {@code dir}; the next read of them parses
   * nothing.
   */
  void write(Path dir, Manifest manifest, boolean fsync) throws IOException {
    byte[] json = manifest.toJson();
    manifests.put(manifest.metadata().backupId(), json, manifest);
    Disk.writeNew(dir.resolve(Layout.METADATA), json, fsync);
    Disk.writeNew(dir.resolve(Layout.SIDECAR), sidecar(json), fsync);
  }

  static boolean sidecarPresent(Path dir) {
    return Files.exists(dir.resolve(Layout.SIDECAR), NOFOLLOW_LINKS);
  }

  /** What is wrong with the sidecar of {@code json}, if anything. */
  static Optional<String> sidecarProblem(Path dir, byte[] json, String id) throws IOException {
    byte[] stored;
    try {
      stored = Disk.readCapped(dir.resolve(Layout.SIDECAR), MAX_SIDECAR_BYTES, id);
    } catch (NoSuchFileException e) {
      return Optional.of("metadata.json.crc32c of backup " + id + " is missing");
    } catch (CorruptBackupException e) {
      return Optional.of(e.getMessage());
    }
    byte[] expected = sidecar(json);
    if (!Arrays.equals(stored, expected)) {
      String text = new String(stored, StandardCharsets.US_ASCII).replaceAll("[^0-9A-Za-z]", "?");
      return Optional.of(
          "crc32c mismatch for metadata.json of backup "
              + id
              + ": sidecar holds '"
              + text
              + "', computed "
              + Checksums.hex(crc32c(json)));
    }
    return Optional.empty();
  }

  private static byte[] sidecar(byte[] json) {
    return (Checksums.hex(crc32c(json)) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static long crc32c(byte[] bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes);
    return c.getValue();
  }
}
