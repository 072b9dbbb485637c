package dev.coffer.archive.aedb;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a complete read of an aedb archive found: every entry was decoded (and, if encrypted,
 * authenticated) and hashed; a manifest inside the archive was verified and cross-checked.
 *
 * @param files how many file entries were read
 * @param bytes their total decompressed size
 * @param sha256 lowercase hex SHA-256 of every entry, by path
 * @param manifest the archive's {@code backup_manifest.json}, verified and cross-checked, if it has
 *     one
 * @param unlistedPaths entries the manifest does not list (besides the manifest and its signature);
 *     empty without a manifest. aedb never checked these, so they are reported, not refused.
 */
record AedbReadResult(
    long files,
    long bytes,
    Map<String, String> sha256,
    Optional<AedbManifest> manifest,
    List<String> unlistedPaths) {

  /** Copies the collections. */
  AedbReadResult {
    sha256 = Map.copyOf(sha256);
    unlistedPaths = List.copyOf(unlistedPaths);
  }
}
