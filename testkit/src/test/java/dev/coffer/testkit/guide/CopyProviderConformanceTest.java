package dev.coffer.testkit.guide;

import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;

/** The guide's provider passes the whole conformance suite, as the guide says it does. */
class CopyProviderConformanceTest extends BackupProviderConformance {
  @Override
  protected BackupProvider provider() {
    return new CopyProvider();
  }
}
