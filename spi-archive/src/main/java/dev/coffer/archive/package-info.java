/**
 * The {@code archive} provider (format v1, see {@code docs/archive-format.md}, section 14 for the
 * classes). Applications reach only {@link dev.coffer.archive.ArchiveBackupProvider}, through
 * {@code ServiceLoader}; {@code StoredBackup} and {@code SecretBytes} are public only for the
 * module's {@code aedb} package (the module exports nothing). The repository dispatches each
 * request once to a {@code StoredBackup} and an operation class ({@code ArchiveBackup}, {@code
 * ArchiveRestore}, {@code ArchiveVerify}); the writer is a pipeline of small stages composed in
 * {@code ArchiveWriter}: hash ({@code FileHasher}) -&gt; compress ({@code BlockCompressor}) -&gt;
 * encrypt or sign ({@code ChunkSealer}) -&gt; frame ({@code ChunkedOutput}).
 */
package dev.coffer.archive;
