/**
 * The {@code archive} provider: one streaming, compressed, encrypted (or signed) archive file per
 * backup. It exports nothing; applications reach it through {@link dev.coffer.BackupProviders}.
 */
module dev.coffer.archive {
  requires dev.coffer;
  requires com.github.luben.zstd_jni;
  requires org.bouncycastle.provider;
  requires com.fasterxml.jackson.databind;

  // The manifest records (of both formats) are (de)serialised reflectively by Jackson; nothing is
  // exported.
  opens dev.coffer.archive to
      com.fasterxml.jackson.databind;
  opens dev.coffer.archive.aedb to
      com.fasterxml.jackson.databind;

  provides dev.coffer.spi.BackupProvider with
      dev.coffer.archive.ArchiveBackupProvider;
}
