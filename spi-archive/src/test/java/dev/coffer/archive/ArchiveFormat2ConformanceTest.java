package dev.coffer.archive;

import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;
import dev.coffer.testkit.KeyForm;
import java.util.Map;

/**
 * The provider contract checked by the TCK on format-2 repositories ({@code format=2}): objects on
 * a directory store, block-level incrementals, a raw key in a symmetric key slot.
 */
class ArchiveFormat2ConformanceTest extends BackupProviderConformance {

  @Override
  protected BackupProvider provider() {
    return new ArchiveBackupProvider();
  }

  @Override
  protected Map<String, String> options() {
    return Map.of("key", TestSupport.KEY_HEX, "threads", "2", "format", "2");
  }

  @Override
  protected Map<String, KeyForm> keyForms() {
    return Map.of("key", KeyForm.hex(32));
  }

  @Override
  protected dev.coffer.testkit.RecipientKeys recipientKeys(java.nio.file.Path dir)
      throws java.io.IOException {
    return WriteOnlyHost.recipientKeys(dir, Map.of("threads", "2"));
  }
}
