package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {

  private static final Instant T0 = Instant.parse("2026-11-22T03:32:04.349338298Z");

  private static BackupMetadata meta(String id, Instant at, String base) {
    return new BackupMetadata(
        id,
        at,
        "/data",
        3,
        42,
        base == null ? BackupType.FULL : BackupType.INCREMENTAL,
        base,
        "local",
        "0.1.0",
        Map.of());
  }

  @Test
  void metadata_roundTripsThroughJsonForBothTypes() throws Exception {
    ObjectMapper json = new ObjectMapper().findAndRegisterModules();
    json.registerModule(
        new com.fasterxml.jackson.databind.module.SimpleModule()
            .addSerializer(
                Instant.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer())
            .addDeserializer(
                Instant.class,
                new com.fasterxml.jackson.databind.deser.std.StdDeserializer<Instant>(
                    Instant.class) {
                  private static final long serialVersionUID = 1L;

                  @Override
                  public Instant deserialize(
                      com.fasterxml.jackson.core.JsonParser p,
                      com.fasterxml.jackson.databind.DeserializationContext c)
                      throws java.io.IOException {
                    return Instant.parse(p.getValueAsString());
                  }
                }));
    BackupMetadata full =
        new BackupMetadata(
            "94af8703-9b80-4406-a418-5c6d6af33b74",
            T0,
            "/var/lib/db",
            14,
            3151112,
            BackupType.FULL,
            null,
            "local",
            "0.2.0",
            Map.of("lsn", "0/16B3748", "host", "db1"));
    BackupMetadata incr =
        new BackupMetadata(
            "b2",
            T0.plusSeconds(60),
            "/var/lib/db",
            15,
            3151200,
            BackupType.INCREMENTAL,
            full.backupId(),
            "archive",
            "0.1.0",
            Map.of());
    for (BackupMetadata m : List.of(full, incr)) {
      String text = json.writeValueAsString(m);
      assertEquals(m, json.readValue(text, BackupMetadata.class), text);
    }
    assertTrue(
        json.writeValueAsString(full).contains("\"2026-11-22T03:32:04.349338298Z\""),
        "nanoseconds kept");
  }

  @Test
  void metadata_validatesTypeAgainstBaseAndTotals() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new BackupMetadata(
                "a", T0, "/s", 0, 0, BackupType.INCREMENTAL, null, "p", "v", Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BackupMetadata("a", T0, "/s", 0, 0, BackupType.FULL, "base", "p", "v", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> meta("../evil", T0, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BackupMetadata("a", T0, "/s", -1, 0, BackupType.FULL, null, "p", "v", Map.of()));
    assertThrows(NullPointerException.class, () -> meta("a", null, null));
    assertEquals(
        Map.of(),
        new BackupMetadata("a", T0, "/s", 0, 0, BackupType.FULL, null, "p", "v", null).labels());
  }

  @Test
  void metadata_labelsAreSortedAndImmutable() {
    BackupMetadata m =
        new BackupMetadata(
            "a",
            T0,
            "/s",
            0,
            0,
            BackupType.FULL,
            null,
            "p",
            "v",
            Map.of("z", "1", "a", "2", "m", "3"));
    assertEquals(List.of("a", "m", "z"), List.copyOf(m.labels().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> m.labels().put("x", "y"));
  }

  @Test
  void newestFirst_ordersByTimeThenId() {
    BackupMetadata old = meta("a", T0, null);
    BackupMetadata sameTimeB = meta("b", T0.plusSeconds(1), null);
    BackupMetadata sameTimeC = meta("c", T0.plusSeconds(1), null);
    List<BackupMetadata> sorted = new java.util.ArrayList<>(List.of(old, sameTimeB, sameTimeC));
    sorted.sort(BackupMetadata.NEWEST_FIRST);
    assertEquals(List.of("c", "b", "a"), sorted.stream().map(BackupMetadata::backupId).toList());
  }

  @Test
  void retention_keepLastAndWithinAreAUnion() {
    Instant now = T0.plus(Duration.ofDays(10));
    List<BackupMetadata> all =
        List.of(
            meta("d1", T0.plus(Duration.ofDays(1)), null),
            meta("d5", T0.plus(Duration.ofDays(5)), null),
            meta("d9", T0.plus(Duration.ofDays(9)), null),
            meta("d10", T0.plus(Duration.ofDays(10)), null));
    assertEquals(List.of("d5", "d1"), ids(RetentionPolicy.keepLast(2).unkept(all, now, false)));
    assertEquals(
        List.of("d1"), ids(RetentionPolicy.keepWithin(Duration.ofDays(6)).unkept(all, now, false)));
    assertEquals(
        List.of("d1"),
        ids(RetentionPolicy.keepLast(1).orWithin(Duration.ofDays(6)).unkept(all, now, false)));
    assertEquals(List.of(), ids(RetentionPolicy.keepLast(10).unkept(all, now, false)));
  }

  @Test
  void retention_keepsBasesOfKeptIncrementalsWhenAsked() {
    Instant now = T0.plus(Duration.ofDays(10));
    List<BackupMetadata> chain =
        List.of(
            meta("full", T0, null),
            meta("i1", T0.plusSeconds(10), "full"),
            meta("i2", T0.plusSeconds(20), "i1"),
            meta("other", T0.plusSeconds(5), null));
    assertEquals(
        List.of("i1", "other", "full"), ids(RetentionPolicy.keepLast(1).unkept(chain, now, false)));
    assertEquals(List.of("other"), ids(RetentionPolicy.keepLast(1).unkept(chain, now, true)));
  }

  @Test
  void retention_refusesPoliciesThatKeepNothing() {
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.keepLast(0));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.keepWithin(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.keepLast(-1));
    assertThrows(
        IllegalArgumentException.class, () -> RetentionPolicy.keepWithin(Duration.ofDays(-1)));
  }

  @Test
  void backupRequest_validatesBaseAndLabels() {
    Path src = Path.of("src");
    assertFalse(BackupRequest.full(src).incremental());
    assertTrue(BackupRequest.incremental(src, BackupId.of("base-1")).incremental());
    assertThrows(
        IllegalArgumentException.class, () -> BackupRequest.incremental(src, BackupId.of("../x")));
    assertThrows(IllegalArgumentException.class, () -> BackupRequest.full(src).withLabel(" ", "v"));
    assertThrows(
        IllegalArgumentException.class,
        () -> BackupRequest.full(src).withLabel("k", "v".repeat(5000)));
    assertThrows(NullPointerException.class, () -> BackupRequest.full(null));
    BackupRequest r = BackupRequest.full(src).withLabel("b", "2").withLabel("a", "1");
    assertEquals(Map.of("a", "1", "b", "2"), r.labels());
    assertEquals(ProgressListener.NONE, r.progress());
  }

  @Test
  void restoreRequest_selectsRequestedPathsAndTheirContents() {
    RestoreRequest all = RestoreRequest.of(BackupId.of("b"), Path.of("t"));
    assertFalse(all.partial());
    assertTrue(all.selects("anything/at/all"));
    RestoreRequest some = all.withPaths(List.of("wal", "base/1259"));
    assertTrue(some.partial());
    assertTrue(some.selects("wal"));
    assertTrue(some.selects("wal/000001"));
    assertTrue(some.selects("base/1259"));
    assertFalse(some.selects("wal2"));
    assertFalse(some.selects("base/12590"));
    assertThrows(IllegalArgumentException.class, () -> all.withPaths(List.of("../etc")));
    assertEquals(RestoreMode.REPLACE, all.withMode(RestoreMode.REPLACE).mode());
  }

  @Test
  void progress_fractionHandlesUnknownAndEmptyTotals() {
    assertEquals(-1, new Progress(Progress.Phase.BACKUP, 0, -1, 0, -1, "").fractionDone());
    assertEquals(1.0, new Progress(Progress.Phase.BACKUP, 0, 0, 0, 0, "").fractionDone());
    assertEquals(0.25, new Progress(Progress.Phase.RESTORE, 1, 4, 25, 100, "x").fractionDone());
  }

  @Test
  void verifyReport_okOnlyWithoutProblems() {
    assertTrue(new VerifyReport("b", List.of(), 3, 10).ok());
    VerifyReport bad =
        new VerifyReport(
            "b",
            List.of(
                new VerifyReport.Problem(
                    "wal/1", VerifyReport.Kind.CORRUPT, "crc32c stored 1, computed 2")),
            3,
            10);
    assertFalse(bad.ok());
  }

  @Test
  void exceptions_carryWhatCallersNeed() {
    assertEquals("x", new NoSuchBackupException("x").backupId());
    assertEquals(List.of("i1"), new BackupInUseException("b", List.of("i1")).dependents());
    assertTrue(new BackupInUseException("b", List.of("i1")).getMessage().contains("i1"));
    assertEquals("wal/1", new CorruptBackupException("bad", "wal/1").path().orElseThrow());
    assertTrue(new CorruptBackupException("bad", null).path().isEmpty());
  }

  @Test
  void newRequestSettings_haveSafeDefaults_andSurviveTheOtherWithers() {
    BackupRequest b = BackupRequest.full(Path.of("/data"));
    assertEquals(SpecialFiles.SKIP, b.specialFiles());
    assertEquals(java.util.Set.of(), b.followedLinks());
    BackupRequest pg =
        b.withFollowedLinks(java.util.Set.of("pg_wal", "pg_tblspc/*"))
            .withSpecialFiles(SpecialFiles.FAIL)
            .withLabel("k", "v")
            .withProgress(p -> {});
    assertEquals(java.util.Set.of("pg_tblspc/*", "pg_wal"), pg.followedLinks());
    assertEquals(SpecialFiles.FAIL, pg.specialFiles());
    assertThrows(
        IllegalArgumentException.class, () -> b.withFollowedLinks(java.util.Set.of("../etc")));

    RestoreRequest r = RestoreRequest.of(BackupId.of("b1"), Path.of("/restore"));
    assertEquals(OwnerPolicy.AUTO, r.owners());
    RestoreRequest numeric =
        r.withOwners(OwnerPolicy.NUMERIC).withMode(RestoreMode.REPLACE).withPaths(List.of("a"));
    assertEquals(OwnerPolicy.NUMERIC, numeric.owners());
    assertEquals(
        OwnerPolicy.AUTO,
        new RestoreRequest(BackupId.of("b1"), Path.of("/r"), RestoreMode.CREATE, null, null)
            .owners());
  }

  @Test
  void hostHooks_defaultToNothing_surviveTheOtherWithers_andAreValidated() throws Exception {
    BackupRequest b = BackupRequest.full(Path.of("/data"));
    assertEquals(java.util.Set.of(), b.excluded());
    assertSame(SourceEnd.NONE, b.finisher().finish());
    BackupRequest.Finisher finisher = () -> new SourceEnd(Path.of("/end"), Map.of("stop", "2"));
    BackupRequest pg =
        b.withExcluded(java.util.Set.of("postmaster.pid", "pg_wal/*"))
            .withFinisher(finisher)
            .withLabel("k", "v")
            .withProgress(p -> {})
            .withFollowedLinks(java.util.Set.of("pg_wal"))
            .withSpecialFiles(SpecialFiles.FAIL);
    assertEquals(java.util.Set.of("pg_wal/*", "postmaster.pid"), pg.excluded());
    assertSame(finisher, pg.finisher());
    assertEquals(
        java.util.Set.of(),
        new BackupRequest(Path.of("/d"), null, null, null, null, null).excluded());
    assertSame(
        BackupRequest.Finisher.NONE, new BackupRequest(Path.of("/d"), null, null, null).finisher());
    assertThrows(IllegalArgumentException.class, () -> b.withExcluded(java.util.Set.of("../etc")));
    assertThrows(NullPointerException.class, () -> b.withFinisher(null));

    assertEquals(Map.of(), new SourceEnd(null, null).labels());
    assertThrows(IllegalArgumentException.class, () -> new SourceEnd(null, Map.of(" ", "v")));
    Map<String, String> labels = new java.util.HashMap<>(Map.of("stop", "2"));
    SourceEnd end = new SourceEnd(null, labels);
    labels.clear();
    assertEquals(Map.of("stop", "2"), end.labels(), "labels are copied");
  }

  @Test
  void metadataWarnings_defaultToNone_andAreCopied() {
    BackupMetadata plain = meta("a", T0, null);
    assertEquals(List.of(), plain.warnings());
    List<BackupWarning> list = new java.util.ArrayList<>();
    list.add(
        new BackupWarning("run/mysql.sock", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket"));
    BackupMetadata warned =
        new BackupMetadata("a", T0, "/s", 0, 0, BackupType.FULL, null, "p", "v", null, list);
    list.clear();
    assertEquals(1, warned.warnings().size());
    assertEquals(
        "skipped special file run/mysql.sock (socket)", warned.warnings().get(0).toString());
  }

  private static List<String> ids(List<BackupMetadata> list) {
    return list.stream().map(BackupMetadata::backupId).toList();
  }
}
