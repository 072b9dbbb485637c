package dev.coffer.local;

import dev.coffer.spi.BackupProvider;
import dev.coffer.testkit.BackupProviderConformance;
import java.util.Map;

/**
 * The provider contract (P1 to P33) checked by the conformance suite, with the default options: the
 * suite's crash tests (P10) drop every byte that was not forced, so {@code fsync=false} — meant for
 * tests and benchmarks that do not simulate crashes — would rightly fail them.
 */
class LocalProviderConformanceTest extends BackupProviderConformance {

  @Override
  protected BackupProvider provider() {
    return new LocalBackupProvider();
  }

  @Override
  protected Map<String, String> options() {
    return Map.of();
  }
}
