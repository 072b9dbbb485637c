/**
 * Coffer's application API: open a {@link dev.coffer.BackupRepository} with {@link
 * dev.coffer.BackupProviders}, then back up, list, verify, restore, delete and prune.
 *
 * <pre>{@code
 * try (BackupRepository repo = BackupProviders.open("coffer:local:/var/backups/db")) {
 *   BackupMetadata b = repo.backup(BackupRequest.full(dataDir).withLabel("lsn", "0/16B3748"));
 *   VerifyReport report = repo.verify(b.id());
 *   repo.restore(b.id(), Path.of("/srv/restored"));
 * }
 * }</pre>
 *
 * <p>Errors are {@link java.io.IOException}s: {@link dev.coffer.BackupException} and its subclasses
 * for conditions callers handle, the JDK's own types ({@link java.nio.file.NoSuchFileException},
 * {@link java.nio.file.DirectoryNotEmptyException}) where they fit. Caller mistakes are {@link
 * java.lang.IllegalArgumentException}s. No method returns {@code null} unless its documentation
 * says so.
 */
package dev.coffer;
