package dev.coffer.archive.aedb;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.archive.StoredBackup;
import dev.coffer.spi.support.RelativePaths;
import dev.coffer.spi.support.RestoreStaging;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One of aedb's {@code AEDBARC1} archives ({@code <id>.aedbarc}, read by {@link AedbArchiveReader})
 * in an archive repository: its listing, restore and verify. The format has no key commitment, no
 * per-archive keys and (in plain form) no integrity; see {@code docs/aedb-formats.md}. Only a raw
 * {@code key} (aedb's 32-byte key) opens encrypted aedb archives; a repository with a key refuses
 * plain ones (downgrade), and one with a passphrase refuses aedb archives altogether (its {@link
 * KeySource} says so).
 */
public final class AedbArchive implements StoredBackup {

  /** The file name suffix of aedb archives. */
  public static final String FILE_SUFFIX = AedbFormat.FILE_SUFFIX;

  /** Gives aedb's 32-byte key, or refuses the repository's key for aedb archives. */
  @FunctionalInterface
  public interface KeySource {
    /**
     * The key of an aedb archive.
     *
     * @param backupId the archive's id, for messages
     * @return aedb's 32-byte key, or {@code null} when the repository has no key
     * @throws WrongKeyException if the repository's key cannot open aedb archives (a passphrase)
     */
    SecretBytes key(String backupId) throws WrongKeyException;
  }

  private final String id;
  private final Path file;
  private final KeySource keys;
  private final SecretBytes manifestKey;
  private final String provider;
  private final String version;

  /**
   * An aedb archive of the repository.
   *
   * @param id its id (the file name without {@link #FILE_SUFFIX})
   * @param file the archive file
   * @param keys where its key comes from
   * @param manifestKey the HMAC key of aedb's signed manifests, or {@code null}
   * @param provider the provider name its metadata records
   * @param version the software version its metadata records
   */
  public AedbArchive(
      String id,
      Path file,
      KeySource keys,
      SecretBytes manifestKey,
      String provider,
      String version) {
    this.id = id;
    this.file = file;
    this.keys = keys;
    this.manifestKey = manifestKey;
    this.provider = provider;
    this.version = version;
  }

  /**
   * The backup id of an aedb archive file name.
   *
   * @param archive an archive file
   * @return the name without {@code .aedbarc}, or empty when it is not a listable aedb archive's
   *     name
   */
  public static Optional<String> idOf(Path archive) {
    return AedbArchiveInfo.idOf(archive);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Path file() {
    return file;
  }

  /** The listing entry (no key needed: aedb's entry headers are clear text). */
  @Override
  public BackupMetadata metadata() throws IOException {
    return AedbArchiveInfo.describe(file, AedbReadOptions.defaults())
        .toMetadata(provider, version, Optional.empty());
  }

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(file, id, keys.key(id), AedbReadOptions.defaults())) {
      Set<String> known = new HashSet<>();
      for (AedbEntry e : reader.entries()) {
        known.add(e.path());
        known.addAll(RelativePaths.ancestors(e.path()));
      }
      for (String p : request.paths()) {
        if (!known.contains(p)) {
          throw new NoSuchFileException(p, null, "not in backup " + id);
        }
      }
      try (RestoreStaging staging = RestoreStaging.begin(request.target(), request.mode())) {
        // every file is created through the staging object, never through its directory's name
        AedbReadResult result =
            reader.read(
                request::selects,
                (entry, content) -> {
                  try (OutputStream os = Channels.newOutputStream(staging.newFile(entry.path()))) {
                    content.transferTo(os);
                  }
                },
                manifestKey);
        staging.commit();
        return AedbArchiveInfo.describe(file, AedbReadOptions.defaults())
            .toMetadata(provider, version, result.manifest());
      }
    }
  }

  /**
   * Reads every entry; reports start and end only, as aedb's format has no per-file index to count.
   */
  @Override
  public VerifyReport verify(ProgressListener listener) throws IOException {
    listener.onProgress(new Progress(Progress.Phase.VERIFY, 0, -1, 0, -1, ""));
    VerifyReport report = verify();
    listener.onProgress(
        new Progress(
            Progress.Phase.VERIFY,
            report.filesChecked(),
            report.filesChecked(),
            report.bytesChecked(),
            report.bytesChecked(),
            ""));
    return report;
  }

  private VerifyReport verify() throws IOException {
    try (AedbArchiveReader reader =
        AedbArchiveReader.open(file, id, keys.key(id), AedbReadOptions.defaults())) {
      AedbReadResult result = reader.read(p -> false, (entry, in) -> {}, manifestKey);
      return new VerifyReport(id, List.of(), result.files(), result.bytes());
    } catch (CorruptBackupException e) {
      return new VerifyReport(
          id,
          List.of(
              new VerifyReport.Problem(
                  e.path().orElse("(archive)"), VerifyReport.Kind.CORRUPT, e.getMessage())),
          0,
          0);
    }
  }
}
