/**
 * The {@code archive} provider (format v1, see {@code docs/archive-format.md}). Only
 * {@link dev.coffer.archive.ArchiveBackupProvider} is public; the writer is a pipeline of small stages
 * composed in {@code ArchiveWriter}: hash ({@code FileHasher}) -&gt; compress ({@code BlockCompressor}) -&gt;
 * encrypt or sign ({@code ChunkSealer}) -&gt; frame ({@code ChunkedOutput}).
 */
package dev.coffer.archive;
