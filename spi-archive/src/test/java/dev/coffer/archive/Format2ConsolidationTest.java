package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.RetentionPolicy;
import dev.coffer.testkit.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Long chains in format 2 (option {@code max-chain}): the backup asked for on a base with that many
 * incrementals below it is a full backup whose unchanged files are copied from the chain, not read
 * from the source; and prune, with every retention choice over chains consolidated so, never takes
 * a block a kept backup references (every kept backup restores byte for byte).
 */
class Format2ConsolidationTest {

  @TempDir Path disk;

  private Path root(String place) {
    return TestSupport.root(place, disk);
  }

  /** A clock the test moves: every backup is made at the time it says. */
  private static final class StepClock extends Clock {
    Instant now;

    StepClock(Instant start) {
      this.now = start;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static BackupRepository open(Path repo, int maxChain, Clock clock) throws IOException {
    Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
    o.put("format", "2");
    o.put("max-chain", Integer.toString(maxChain));
    return FormatTwo.open(repo, o, clock, () -> dev.coffer.spi.support.BackupIds.newId().value());
  }

  /** A database-like source: tables of 4 blocks of random pages, written at {@code when}. */
  private static final class Db {
    final Path dir;
    final Random random = new Random(18);
    final Map<String, byte[]> files = new TreeMap<>();

    Db(Path dir) throws IOException {
      this.dir = Files.createDirectories(dir);
    }

    void write(String name, byte[] content, Instant when) throws IOException {
      Files.write(dir.resolve(name), content);
      // older than the scan by more than the racily-clean window, so an unchanged file is trusted
      Files.setLastModifiedTime(dir.resolve(name), FileTime.from(when.minusSeconds(3600)));
      files.put(name, content.clone());
    }

    void table(String name, Instant when) throws IOException {
      byte[] t = new byte[4 * 65536 + 1000];
      random.nextBytes(t);
      write(name, t, when);
    }

    void changePage(String name, int page, Instant when) throws IOException {
      byte[] t = files.get(name).clone();
      byte[] p = new byte[8192];
      random.nextBytes(p);
      System.arraycopy(p, 0, t, page * 8192, Math.min(8192, t.length - page * 8192));
      write(name, t, when);
    }

    void delete(String name) throws IOException {
      Files.delete(dir.resolve(name));
      files.remove(name);
    }

    Map<String, byte[]> snapshot() {
      Map<String, byte[]> copy = new TreeMap<>();
      files.forEach((k, v) -> copy.put(k, v.clone()));
      return copy;
    }
  }

  private static Map<String, byte[]> restored(BackupRepository r, BackupId id, Path target)
      throws IOException {
    r.restore(id, target);
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(target)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static void assertSameTree(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach(
        (k, v) -> assertTrue(java.util.Arrays.equals(v, actual.get(k)), k + " differs"));
  }

  @ParameterizedTest
  @MethodSource("dev.coffer.archive.TestSupport#places")
  void theBackupPastMaxChain_isAFullCopiedFromTheChain_withoutReadingUnchangedFiles(String place)
      throws IOException {
    Path plain = root(place);
    FaultyFileSystem faulty = FaultyFileSystem.wrap(plain.getFileSystem());
    Path root = faulty.wrap(plain);
    StepClock clock = new StepClock(Instant.parse("2026-11-01T01:00:00Z"));
    Db db = new Db(root.resolve("db"));
    db.table("a", clock.now);
    db.table("b", clock.now);
    db.table("c", clock.now);
    List<BackupMetadata> chain = new ArrayList<>();
    List<Map<String, byte[]>> states = new ArrayList<>();
    Map<String, Integer> reads = new HashMap<>();
    try (BackupRepository r = open(root.resolve("repo"), 2, clock)) {
      chain.add(r.backup(db.dir));
      states.add(db.snapshot());
      for (int day = 1; day <= 4; day++) {
        clock.now = clock.now.plus(Duration.ofDays(1));
        db.changePage("a", day, clock.now);
        if (day == 3) {
          db.table("d", clock.now);
        }
        reads.clear();
        for (String f : List.of("a", "b", "c", "d")) { // each counts the next read of its file
          faulty.beforeOpenForReading(db.dir.resolve(f), p -> reads.merge(f, 1, Integer::sum));
        }
        chain.add(r.backup(BackupRequest.incremental(db.dir, chain.get(day - 1).id())));
        states.add(db.snapshot());
        if (day == 3) {
          assertEquals(Map.of("a", 1, "d", 1), reads, "only the changed and the new file are read");
        }
      }
      assertEquals(BackupType.INCREMENTAL, chain.get(1).backupType());
      assertEquals(BackupType.INCREMENTAL, chain.get(2).backupType());
      BackupMetadata consolidated = chain.get(3);
      assertEquals(BackupType.FULL, consolidated.backupType(), "the third incremental on one full");
      assertNull(consolidated.baseBackupId());
      assertTrue(
          r.storedBytes(consolidated.id()) > 4L * (4 * 65536),
          "a consolidated full stores every block: " + r.storedBytes(consolidated.id()));
      assertEquals(BackupType.INCREMENTAL, chain.get(4).backupType());
      assertEquals(consolidated.backupId(), chain.get(4).baseBackupId());
      // the old chain goes; the consolidated full and its incremental keep every block
      for (int i = 2; i >= 0; i--) {
        r.delete(chain.get(i).id());
      }
      for (int i = 3; i <= 4; i++) {
        assertSameTree(states.get(i), restored(r, chain.get(i).id(), root.resolve("out" + i)));
        assertTrue(r.verify(chain.get(i).id()).ok());
      }
    }
  }

  @Test
  void maxChain_outOfRange_isRefusedNamingTheOption() {
    Path root = TestSupport.root(TestSupport.jimfs("unix"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> open(root.resolve("repo"), 0, Clock.systemUTC()));
    assertTrue(e.getMessage().contains("max-chain"), e.getMessage());
  }

  @Test
  void prune_withEveryRetentionChoiceOverConsolidatedChains_keepsEveryBlockOfEveryKeptBackup()
      throws IOException {
    FileSystem fs = TestSupport.jimfs("unix");
    Path root = TestSupport.root(fs);
    int days = 9;
    Instant start = Instant.now().minus(Duration.ofDays(days)).plusSeconds(600);
    StepClock clock = new StepClock(start);
    Db db = new Db(root.resolve("db"));
    db.table("a", start);
    db.table("b", start);
    Path repo = root.resolve("repo");
    Map<String, Map<String, byte[]>> stateOf = new LinkedHashMap<>();
    try (BackupRepository r = open(repo, 3, clock)) {
      BackupMetadata last = r.backup(db.dir);
      stateOf.put(last.backupId(), db.snapshot());
      for (int day = 1; day < days; day++) {
        clock.now = start.plus(Duration.ofDays(day));
        db.changePage(day % 2 == 0 && day < 6 ? "a" : "b", day, clock.now);
        if (day == 4) {
          db.table("c", clock.now);
        }
        if (day == 6) {
          db.delete("a");
        }
        last = r.backup(BackupRequest.incremental(db.dir, last.id()));
        stateOf.put(last.backupId(), db.snapshot());
      }
      assertEquals(3, r.list().stream().filter(b -> b.backupType() == BackupType.FULL).count());
    }
    List<RetentionPolicy> policies = new ArrayList<>();
    for (int k = 1; k <= days; k++) {
      policies.add(RetentionPolicy.keepLast(k));
      policies.add(RetentionPolicy.keepWithin(Duration.ofDays(k)));
    }
    policies.add(RetentionPolicy.keepLast(1).orWithin(Duration.ofDays(5)));
    policies.add(RetentionPolicy.keepLast(4).orWithin(Duration.ofDays(2)));
    Set<Integer> remainingCounts = new HashSet<>();
    Set<List<String>> checkedSets = new HashSet<>();
    for (RetentionPolicy policy : policies) {
      Path copy = root.resolve("copy");
      copyTree(repo, copy);
      try (BackupRepository r = open(copy, 3, clock)) {
        List<BackupMetadata> before = r.list(); // newest first
        List<BackupMetadata> pruned = r.prune(policy);
        List<BackupMetadata> after = r.list();
        remainingCounts.add(after.size());
        assertEquals(before.size(), pruned.size() + after.size(), policy.toString());
        for (int i = 0; i < Math.min(policy.keepLast(), before.size()); i++) {
          assertTrue(after.contains(before.get(i)), policy + " deleted a kept backup");
        }
        // the same backups as after an earlier policy were restored then
        boolean seen = !checkedSets.add(after.stream().map(BackupMetadata::backupId).toList());
        for (BackupMetadata kept : seen ? List.<BackupMetadata>of() : after) {
          assertSameTree(
              stateOf.get(kept.backupId()),
              restored(r, kept.id(), root.resolve("out-" + kept.backupId())));
          assertTrue(r.verify(kept.id()).ok(), policy + ": " + kept.backupId());
        }
      }
      deleteTree(copy);
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (p.getFileName().toString().startsWith("out-")) {
            deleteTree(p);
          }
        }
      }
    }
    assertTrue(remainingCounts.size() >= 3, "policies kept " + remainingCounts + " backups");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
