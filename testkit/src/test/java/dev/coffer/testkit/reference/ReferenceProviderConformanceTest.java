package dev.coffer.testkit.reference;

import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;
import dev.coffer.testkit.KeyForm;
import java.util.Map;

/** The reference provider passes the whole conformance suite. */
class ReferenceProviderConformanceTest extends BackupProviderConformance {

  /** The mac key's documented form: 16 to 64 bytes in hex. */
  static final Map<String, KeyForm> KEY_FORMS =
      Map.of(ReferenceProvider.MAC_KEY, KeyForm.hex(16, 64));

  @Override
  protected BackupProvider provider() {
    return new ReferenceProvider();
  }

  @Override
  protected Map<String, String> options() {
    return Map.of(ReferenceProvider.MAC_KEY, "00112233445566778899aabbccddeeff");
  }

  @Override
  protected Map<String, KeyForm> keyForms() {
    return KEY_FORMS;
  }
}
