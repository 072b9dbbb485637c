package dev.coffer.spi;

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
  void malformedPatterns_areRefusedByName() {
    for (String bad : new String[] {"", "/pg_wal", "a//b", "../x", "a/./b", "a\\b", "a/"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> follow(bad), bad);
      assertTrue(e.getMessage().contains("followed-link pattern"), e.getMessage());
    }
  }
}
