package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link BackupRepository#rekey}'s default refuses, naming the provider, telling no listener, also
 * through the observing wrapper; {@link RekeyReport} refuses impossible counts.
 */
class RekeyReportTest {

  @Test
  void theDefaultRekey_isUnsupported_namingTheProvider_andTellsNoListener() throws Exception {
    List<RekeyReport> told = new ArrayList<>();
    try (BackupRepository repo =
        BackupProviders.open("coffer:fake:" + Path.of("unused-location"), Map.of())) {
      UnsupportedOperationException e =
          assertThrows(
              UnsupportedOperationException.class,
              () -> repo.rekey(Map.of("key", "secret-value-42"), told::add));
      assertTrue(
          e.getMessage().contains("'fake'") && e.getMessage().contains("REKEY"), e::getMessage);
      assertTrue(!e.getMessage().contains("secret-value-42"), e::getMessage);
    }
    assertEquals(List.of(), told);
  }

  @Test
  void aReport_refusesNegativeCounts_andMoreDoneThanThereAre() {
    assertEquals(3, new RekeyReport(3, 2, 1, 700).backups());
    assertThrows(IllegalArgumentException.class, () -> new RekeyReport(1, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new RekeyReport(1, 0, 0, -1));
    assertThrows(IllegalArgumentException.class, () -> new RekeyReport(-1, 0, 0, 0));
  }
}
