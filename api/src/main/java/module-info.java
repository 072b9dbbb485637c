/**
 * Coffer: pluggable, verifiable backups for host databases.
 *
 * <p>Applications use {@link dev.coffer.BackupProviders} to open a {@link
 * dev.coffer.BackupRepository}; provider authors implement {@link dev.coffer.spi.BackupProvider}
 * and register it with {@code provides dev.coffer.spi.BackupProvider with ...} (and {@code
 * META-INF/services} for the class path).
 */
module dev.coffer {
  exports dev.coffer;
  exports dev.coffer.spi;
  // Helpers for provider authors, Coffer's and third parties' alike (see its package
  // documentation).
  exports dev.coffer.spi.support;
  exports dev.coffer.store;

  // Flight Recorder events for every operation (dev.coffer.Backup, ...): part of every JDK 17+
  // runtime.
  requires jdk.jfr;

  uses dev.coffer.spi.BackupProvider;
  uses dev.coffer.store.StoreProvider;
}
