package dev.coffer.archive;

import dev.coffer.BackupMetadata;
import dev.coffer.ProgressListener;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One backup stored in an archive repository, whatever format wrote it: Coffer's archive format 1
 * ({@link CofferArchive}) or aedb's {@code AEDBARC1} ({@code dev.coffer.archive.aedb.AedbArchive}).
 * The repository finds the file, picks the implementation once, and hands the operation over.
 * Public only because the {@code aedb} package implements it; the module exports neither package.
 */
public interface StoredBackup {

  /**
   * The backup's id.
   *
   * @return the id, valid
   */
  String id();

  /**
   * The archive file holding the backup.
   *
   * @return the file, a regular file when this instance was made
   */
  Path file();

  /**
   * The listing entry, read from the archive (authenticated where the format allows).
   *
   * @return the metadata
   * @throws IOException if the archive cannot be read or does not authenticate
   */
  BackupMetadata metadata() throws IOException;

  /**
   * Restores (part of) the backup as the request says, through a staging directory.
   *
   * @param request what to restore where
   * @return the metadata of the restored backup
   * @throws IOException if the archive is damaged, the key is wrong, or the target cannot be
   *     written
   */
  BackupMetadata restore(RestoreRequest request) throws IOException;

  /**
   * Reads and checks the whole backup, collecting problems rather than stopping at the first.
   *
   * @param listener receives progress
   * @return the report
   * @throws IOException if the key is wrong or the repository cannot be read
   */
  VerifyReport verify(ProgressListener listener) throws IOException;

  /**
   * The bytes the backup occupies in the repository: its archive file's size.
   *
   * @return stored bytes
   * @throws IOException if the file cannot be read
   */
  default long storedBytes() throws IOException {
    return Files.size(file());
  }
}
