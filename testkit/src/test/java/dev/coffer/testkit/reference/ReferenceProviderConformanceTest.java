package dev.coffer.testkit.reference;

import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;
import java.util.Map;

/** The reference provider passes the whole conformance suite. */
class ReferenceProviderConformanceTest extends BackupProviderConformance {
  @Override
  protected BackupProvider provider() {
    return new ReferenceProvider();
  }

  @Override
  protected Map<String, String> options() {
    return Map.of(ReferenceProvider.MAC_KEY, "00112233445566778899aabbccddeeff");
  }
}
