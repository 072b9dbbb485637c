/**
 * The {@code local} backup provider: each backup is a plain, CRC-verified directory copy in a
 * repository directory, compatible with the layout of AmateRS (amaters-core 0.2.0). Reached only
 * through {@link java.util.ServiceLoader}; the module exports nothing.
 */
module dev.coffer.local {
  requires dev.coffer;
  requires com.fasterxml.jackson.databind;

  provides dev.coffer.spi.BackupProvider with
      dev.coffer.local.LocalBackupProvider;
}
