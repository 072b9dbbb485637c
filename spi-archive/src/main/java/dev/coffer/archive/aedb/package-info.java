/**
 * Reading the formats of aedb 0.1.10, the system Coffer replaces: its {@code AEDBARC1} archives and
 * its signed backup manifests ({@code docs/aedb-formats.md}). Not exported; opened to Jackson for
 * the manifest record. Entry point: {@link dev.coffer.archive.aedb.AedbArchive}, the {@code
 * StoredBackup} of an {@code <id>.aedbarc} file in an archive repository.
 */
package dev.coffer.archive.aedb;
