package dev.coffer.archive;

import dev.coffer.BackupMetadata;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A backup in Coffer's archive format 1 ({@code <id>.coffer}, docs/archive-format.md): its metadata
 * comes from the authenticated manifest, restore and verify are {@link ArchiveRestore} and {@link
 * ArchiveVerify}.
 */
final class CofferArchive implements StoredBackup {

  private final RepositoryLayout layout;
  private final ArchiveSettings settings;
  private final String id;
  private final Path file;

  CofferArchive(RepositoryLayout layout, ArchiveSettings settings, String id, Path file) {
    this.layout = layout;
    this.settings = settings;
    this.id = id;
    this.file = file;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public BackupMetadata metadata() throws IOException {
    try (ArchiveReader r = ArchiveReader.open(file, id, settings.keyring(), settings.warmup())) {
      return r.manifest().metadata();
    }
  }

  @Override
  public BackupMetadata restore(RestoreRequest request) throws IOException {
    return new ArchiveRestore(layout, settings, id).run(request);
  }

  @Override
  public VerifyReport verify(ProgressListener listener) throws IOException {
    boolean keyChecked = settings.writeMode() != null;
    return new ArchiveVerify(layout, settings, keyChecked, id, file, listener).run();
  }

  @Override
  public String toString() {
    return "CofferArchive[" + id + "]";
  }
}
