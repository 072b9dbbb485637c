package dev.coffer.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class WalFilesTest {

  private static final long MIB_16 = 16L << 20;

  @Test
  void range_withinOneId_listsEverySegmentInOrder() {
    assertEquals(
        List.of("000000010000000000000003", "000000010000000000000004", "000000010000000000000005"),
        WalFiles.range("000000010000000000000003", "000000010000000000000005", MIB_16));
  }

  @Test
  void range_acrossTheIdBoundary_carriesIntoTheHighHalf() {
    // 16 MiB segments: 256 per id, the last one is ...000000FF
    assertEquals(
        List.of("0000000200000000000000FE", "0000000200000000000000FF", "000000020000000100000000"),
        WalFiles.range("0000000200000000000000FE", "000000020000000100000000", MIB_16));
  }

  @Test
  void range_withOneGibSegments_hasFourSegmentsPerId() {
    assertEquals(
        List.of("000000010000000000000003", "000000010000000100000000"),
        WalFiles.range("000000010000000000000003", "000000010000000100000000", 1L << 30));
  }

  @Test
  void range_refusesOtherTimelinesReversedRangesAndImpossibleSegments() {
    assertThrows(
        IllegalArgumentException.class,
        () -> WalFiles.range("000000010000000000000003", "000000020000000000000004", MIB_16));
    assertThrows(
        IllegalArgumentException.class,
        () -> WalFiles.range("000000010000000000000005", "000000010000000000000004", MIB_16));
    assertThrows(
        IllegalArgumentException.class,
        () -> WalFiles.range("000000010000000000000100", "000000010000000000000100", MIB_16));
    assertThrows(
        IllegalArgumentException.class,
        () -> WalFiles.range("00000001000000000000000", "000000010000000000000004", MIB_16));
    assertThrows(
        IllegalArgumentException.class,
        () -> WalFiles.range("000000010000000000000003", "000000010000000000000004", 3L << 20));
  }

  @Test
  void lsn_readsPostgresTextForm() {
    assertEquals(0x16_B374D848L, WalFiles.lsn("16/B374D848"));
    assertEquals(0x3000028L, WalFiles.lsn("0/3000028"));
    assertThrows(IllegalArgumentException.class, () -> WalFiles.lsn("3000028"));
    assertThrows(IllegalArgumentException.class, () -> WalFiles.lsn("0/"));
    assertThrows(IllegalArgumentException.class, () -> WalFiles.lsn("0/xyz"));
  }

  @Test
  void timeline_isTheFirstEightHexDigits() {
    assertEquals(0x1A, WalFiles.timeline("0000001A0000000000000003"));
  }
}
