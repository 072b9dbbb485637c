/**
 * Coffer on S3 without an AWS account: {@link dev.coffer.examples.s3.LoopbackS3} starts an
 * S3-compatible server (S3Proxy) on 127.0.0.1, and {@link dev.coffer.examples.s3.S3BackupExample}
 * backs a directory up through {@code coffer:archive:s3://...}, lists, verifies, restores and
 * compares. See {@code docs/object-storage.md}.
 */
package dev.coffer.examples.s3;
