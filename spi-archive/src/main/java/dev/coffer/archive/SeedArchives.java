package dev.coffer.archive;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreStaging;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where an archive repository meets the seed's {@code AEDBARC1} archives ({@code <id>.aedbarc}, read by
 * {@link LegacyArchiveReader}): listing, restore and verify. The seed format has no key commitment, no
 * per-archive keys and (in plain form) no integrity; see {@code docs/legacy-formats.md}. Only a raw
 * {@code key} (the seed's 32-byte key) opens encrypted seed archives; a repository with a key refuses plain
 * ones (downgrade), and one with a passphrase refuses seed archives altogether.
 */
final class SeedArchives {

  private SeedArchives() {}

  private static LegacyReadOptions options() {
    return LegacyReadOptions.defaults();
  }

  /** The listing entry (no key needed: the seed's entry headers are clear text). */
  static BackupMetadata metadata(Path file) throws IOException {
    return LegacyArchiveInfo.describe(file, options())
        .toMetadata(ArchiveBackupProvider.NAME, ArchiveRepository.VERSION, Optional.empty());
  }

  private static byte[] key(Keyring keyring, String id) throws WrongKeyException {
    switch (keyring.kind()) {
      case NONE:
        return null;
      case RAW:
        return keyring.rawKey().bytes();
      default:
        throw new WrongKeyException("backup " + id + " is a seed (AEDBARC1) archive: it opens with the seed's "
            + "32-byte key (option key or key-file), not with a passphrase");
    }
  }

  static BackupMetadata restore(Path file, String id, RestoreRequest request, Keyring keyring, SecretBytes manifestKey)
      throws IOException {
    try (LegacyArchiveReader reader = LegacyArchiveReader.open(file, id, key(keyring, id), options())) {
      Set<String> known = new HashSet<>();
      for (LegacyEntry e : reader.entries()) {
        known.add(e.path());
        known.addAll(RelativePaths.ancestors(e.path()));
      }
      for (String p : request.paths()) {
        if (!known.contains(p)) {
          throw new NoSuchFileException(p, null, "not in backup " + id);
        }
      }
      try (RestoreStaging staging = RestoreStaging.begin(request.target(), request.mode())) {
        LegacyReadResult result = reader.extractTo(staging.directory(), request::selects,
            manifestKey == null ? null : manifestKey.bytes());
        staging.commit();
        return LegacyArchiveInfo.describe(file, options())
            .toMetadata(ArchiveBackupProvider.NAME, ArchiveRepository.VERSION, result.manifest());
      }
    }
  }

  static VerifyReport verify(Path file, String id, Keyring keyring, SecretBytes manifestKey) throws IOException {
    try (LegacyArchiveReader reader = LegacyArchiveReader.open(file, id, key(keyring, id), options())) {
      LegacyReadResult result = reader.read(p -> false, (entry, in) -> { },
          manifestKey == null ? null : manifestKey.bytes());
      return new VerifyReport(id, List.of(), result.files(), result.bytes());
    } catch (CorruptBackupException e) {
      return new VerifyReport(id, List.of(new VerifyReport.Problem(e.path().orElse("(archive)"),
          VerifyReport.Kind.CORRUPT, e.getMessage())), 0, 0);
    }
  }
}
