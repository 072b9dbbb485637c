package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.SpecialFiles;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScanOptionsTest {

  private static ScanOptions follow(String... patterns) {
    return new ScanOptions(Set.of(patterns), SpecialFiles.SKIP);
  }

  @Test
  void follows_matchesWholeComponentsWithGlobs() {
    ScanOptions pg = follow("pg_wal", "pg_tblspc/*");
    assertTrue(pg.follows("pg_wal"));
    assertTrue(pg.follows("pg_tblspc/16384"));
    assertFalse(pg.follows("pg_wal/000000010000000000000001"), "a pattern names one depth only");
    assertFalse(pg.follows("pg_tblspc"));
    assertFalse(pg.follows("pg_tblspc/16384/PG_15"));
    assertFalse(pg.follows("base/pg_wal"));
    assertFalse(pg.follows("pg_wal2"));
    ScanOptions q = follow("log?/*.d");
    assertTrue(q.follows("log1/x.d"));
    assertTrue(q.follows("log1/.d"));
    assertFalse(q.follows("log12/x.d"));
    assertFalse(q.follows("log1/x.dd"));
    assertFalse(ScanOptions.DEFAULT.follows("pg_wal"));
  }

  @Test
  void excludes_usesTheSameSyntax_andLeavesDefaultsAlone() {
    ScanOptions pg =
        new ScanOptions(
            Set.of(), SpecialFiles.SKIP, Set.of("postmaster.pid", "pg_wal/*", "base/*/pgsql_tmp*"));
    assertTrue(pg.excludes("postmaster.pid"));
    assertTrue(pg.excludes("pg_wal/000000010000000000000001"));
    assertFalse(pg.excludes("pg_wal"), "dir/* leaves the directory itself in");
    assertTrue(pg.excludes("base/16384/pgsql_tmp12.0"));
    assertFalse(pg.excludes("base/pgsql_tmp"));
    assertFalse(pg.excludes("postmaster.pid.old"));
    assertFalse(pg.follows("postmaster.pid"), "exclusions are not followed links");
    assertFalse(follow("pg_wal").excludes("pg_wal"));
    assertFalse(ScanOptions.DEFAULT.excludes("anything"));
  }

  @Test
  void malformedExclusionPatterns_areRefusedAsExclusions() {
    for (String bad :
        new String[] {"", "/postmaster.pid", "a//b", "..", "a/../b", "a\\b", "pg_wal/"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new ScanOptions(Set.of(), SpecialFiles.SKIP, Set.of(bad)),
              bad);
      assertTrue(e.getMessage().startsWith("excluded pattern"), e.getMessage());
    }
  }

  @Test
  void malformedPatterns_areRefusedByName() {
    for (String bad : new String[] {"", "/pg_wal", "a//b", "../x", "a/./b", "a\\b", "a/"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> follow(bad), bad);
      assertTrue(e.getMessage().contains("followed-link pattern"), e.getMessage());
    }
  }
}
