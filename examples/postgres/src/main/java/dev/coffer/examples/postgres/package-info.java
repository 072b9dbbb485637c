/**
 * PostgreSQL as a Coffer host: {@link dev.coffer.examples.postgres.PostgresBackupSource} backs up a
 * running cluster online with {@code pg_backup_start}/{@code pg_backup_stop} over JDBC, the WAL of the
 * backup included, and {@link dev.coffer.examples.postgres.PostgresRestore} restores it into a data
 * directory PostgreSQL recovers and starts on; see {@code docs/host-integration.md}.
 */
package dev.coffer.examples.postgres;
