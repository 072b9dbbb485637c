/**
 * HSQLDB as a Coffer host: {@link dev.coffer.examples.hsqldb.HsqldbBackupSource} has HSQLDB write
 * an online copy of itself ({@code BACKUP DATABASE TO '<dir>/' BLOCKING AS FILES}) into a staging
 * directory, which Coffer copies and which is deleted when the copy ends. See {@code
 * docs/host-integration.md}.
 */
package dev.coffer.examples.hsqldb;
