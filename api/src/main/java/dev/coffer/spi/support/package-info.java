/**
 * Helpers for provider authors: the parts of the {@linkplain dev.coffer.spi provider contract} that
 * every provider needs, written once. {@link dev.coffer.spi.support.SourceTree} walks a source,
 * {@link dev.coffer.spi.support.RelativePaths} checks the paths a backup stores, {@link
 * dev.coffer.spi.support.RestoreStaging} makes a restore change its target only when complete,
 * {@link dev.coffer.spi.support.ProviderOptions} parses options against their {@link
 * dev.coffer.spi.OptionInfo}s and {@link dev.coffer.spi.support.BackupIds} generates ids. {@link
 * dev.coffer.spi.support.ReadCheck} tells whether a source file changed while it was read, and
 * {@link dev.coffer.spi.support.ChangedFilesPolicy} (the {@code changed-files} option) what that
 * means for the backup (rule P34).
 *
 * <p>The package is exported to every module, not only to Coffer's own providers: a third-party
 * provider keeps the same contract and needs the same helpers (relative paths above all). It is not
 * part of what applications call; its classes may change between minor versions more freely than
 * {@link dev.coffer}.
 */
package dev.coffer.spi.support;
