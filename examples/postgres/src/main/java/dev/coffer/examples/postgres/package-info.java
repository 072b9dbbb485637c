/**
 * PostgreSQL as a Coffer host: {@link dev.coffer.examples.postgres.PostgresBackupSource} backs up a
 * running cluster online with {@code pg_backup_start}/{@code pg_backup_stop} over JDBC as one
 * backup, its {@code backup_label} and WAL included, which a plain restore turns into a data
 * directory PostgreSQL recovers and starts on; {@link dev.coffer.examples.postgres.PostgresRestore}
 * adds what a cluster with tablespaces needs. See {@code docs/host-integration.md}.
 */
package dev.coffer.examples.postgres;
