package dev.coffer.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.spi.support.PosixAttributes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manifest's bytes. They are written field by field, so these tests pin them to what Jackson's
 * own tree and default pretty printer make of the same content (the form every earlier Coffer
 * wrote), and to the seed's field names and shapes.
 */
class ManifestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void bytesAreJacksonsPrettyFormOfTheirOwnTree_forEveryKindOfField() throws Exception {
    for (Manifest m : List.of(incremental(), full(List.of()))) {
      byte[] written = m.toJson();
      byte[] canonical =
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(JSON.readTree(written));
      assertEquals(new String(canonical, UTF_8), new String(written, UTF_8));
      assertEquals(m, Manifest.parse(written, m.metadata().backupId()));
    }
  }

  @Test
  void writesTheSeedsFieldsInItsShapes() throws Exception {
    String inc = new String(incremental().toJson(), UTF_8);
    String full = new String(full(List.of()).toJson(), UTF_8);
    assertEquals(
        "{\n  \"backup_id\" : \"01a244b7-5085-77fd-bcb3-d104f8384d9c\",\n"
            + "  \"created_at\" : \"2026-12-05T06:07:08.123456789Z\",\n"
            + "  \"source_dir\" : \"/data/pg \\\"main\\\"\",\n"
            + "  \"total_files\" : 2,\n  \"total_bytes\" : 8195,\n  \"checksum\" : 4294967295,\n"
            + "  \"backup_type\" : {\n    \"Incremental\" : {\n"
            + "      \"base_backup_id\" : \"01a244b7-5c27-769c-8623-6beaed182cf0\"\n    }\n  },\n"
            + "  \"version\" : \""
            + Layout.VERSION
            + "\",\n",
        inc.substring(0, inc.indexOf("  \"coffer_format\"")));
    assertEquals(
        "  \"backup_type\" : \"Full\",",
        full.lines().filter(l -> l.contains("backup_type")).findFirst().orElseThrow());
    assertEquals(
        "  \"symlinks\" : [ ]",
        full.lines().filter(l -> l.contains("symlinks")).findFirst().orElseThrow());
  }

  @Test
  void posixFields_areWrittenOnlyWhereKnown_andMalformedOnesAreCorrupt() throws Exception {
    String inc = new String(incremental().toJson(), UTF_8);
    assertTrue(
        inc.contains(
            "\"mode\" : \"4750\",\n    \"uid\" : 26,\n    \"gid\" : 0,\n    \"owner\" : \"postgres\""),
        inc);
    assertTrue(inc.contains("\"root_attributes\" : {\n    \"mode\" : \"0750\""), inc);
    assertTrue(inc.contains("\"kind\" : \"SKIPPED_SPECIAL_FILE\""), inc);
    String full = new String(full(List.of()).toJson(), UTF_8);
    for (String absent : List.of("mode", "root_attributes", "directory_attributes", "warnings")) {
      assertFalse(full.contains(absent), "a source without POSIX attributes writes no " + absent);
    }
    String id = incremental().metadata().backupId();
    for (String[] edit :
        new String[][] {
          {"\"mode\" : \"4750\"", "\"mode\" : \"9750\""},
          {"\"mode\" : \"4750\"", "\"mode\" : 2536"},
          {"\"uid\" : 26,\n    \"gid\" : 0", "\"uid\" : -5,\n    \"gid\" : 0"},
          {"\"uid\" : 26,\n    \"gid\" : 0", "\"uid\" : 4294967296,\n    \"gid\" : 0"},
          {"\"owner\" : \"postgres\"", "\"owner\" : \"../etc\""},
          {"\"root_attributes\" : {\n    \"mode\" : \"0750\",", "\"root_attributes\" : {"},
          {"\"base/\u65e5\u672c\" : {\n      \"mode\"", "\"nowhere\" : {\n      \"mode\""},
          {"\"path\" : \"run/.s.PGSQL.5432\"", "\"path\" : \"../x\""}
        }) {
      assertTrue(inc.contains(edit[0]), edit[0]);
      byte[] bad = inc.replace(edit[0], edit[1]).getBytes(UTF_8);
      assertThrows(CorruptBackupException.class, () -> Manifest.parse(bad, id), edit[1]);
    }
    Manifest unknownKind =
        Manifest.parse(inc.replace("SKIPPED_SPECIAL_FILE", "FROM_THE_FUTURE").getBytes(UTF_8), id);
    assertEquals(
        List.of(),
        unknownKind.metadata().warnings(),
        "a newer warning kind is left out, not an error");
  }

  @Test
  void parsingIsStrict_wrongTypesAndNullsAreCorrupt_absentOptionalAndUnknownFieldsAreNot()
      throws Exception {
    String inc = new String(incremental().toJson(), UTF_8);
    String id = incremental().metadata().backupId();
    for (String[] edit :
        new String[][] {
          {"\"total_files\" : 2", "\"total_files\" : \"2\""},
          {"\"total_files\" : 2", "\"total_files\" : 2.0"},
          {"\"total_files\" : 2", "\"total_files\" : null"},
          {"\"total_files\" : 2,\n", ""},
          {"\"version\" : \"", "\"version\" : 1, \"x\" : \""},
          {"\"linked\" : true", "\"linked\" : 1"},
          {"\"linked\" : true", "\"linked\" : \"true\""},
          {"\"directories\" : [ \"base\"", "\"directories\" : [ null, \"base\""},
          {"\"host\" : \"db-1", "\"host\" : 7, \"h\" : \"db-1"},
          {"\"coffer_format\" : 1", "\"coffer_format\" : null"},
          {"\"coffer_format\" : 1", "\"coffer_format\" : 2"},
          {"\"root_attributes\" : {", "\"root_attributes\" : null, \"r\" : {"},
          {"\"uid\" : 26,\n    \"gid\" : 0", "\"uid\" : null,\n    \"gid\" : 0"},
          {"\"backup_id\" : ", "\"backup_id\" : \"x\", \"backup_id\" : "}
        }) {
      assertTrue(inc.contains(edit[0]), edit[0]);
      byte[] bad = inc.replace(edit[0], edit[1]).getBytes(UTF_8);
      assertThrows(CorruptBackupException.class, () -> Manifest.parse(bad, id), edit[1]);
    }
    String withoutOptional =
        inc.replaceFirst("\"root_attributes\" : \\{[^}]*},", "\"from_the_future\" : [ 1, {} ],");
    Manifest m = Manifest.parse(withoutOptional.getBytes(UTF_8), id);
    assertEquals(
        null, m.rootAttributes(), "an absent optional field is absent, an unknown one ignored");
    assertEquals(incremental().files(), m.files());
  }

  private static Manifest incremental() {
    BackupMetadata meta =
        new BackupMetadata(
            "01a244b7-5085-77fd-bcb3-d104f8384d9c",
            Instant.parse("2026-12-05T06:07:08.123456789Z"),
            "/data/pg \"main\"",
            2,
            8195,
            BackupType.INCREMENTAL,
            "01a244b7-5c27-769c-8623-6beaed182cf0",
            Layout.NAME,
            Layout.VERSION,
            Map.of("host", "db-1 \u00e9\u00e8", "tab\tbed", "line\nbreak"),
            List.of(
                new BackupWarning(
                    "run/.s.PGSQL.5432", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket")));
    Map<String, Instant> dirTimes = new LinkedHashMap<>();
    dirTimes.put("base", Instant.parse("2026-01-02T03:04:05Z"));
    dirTimes.put("base/\u65e5\u672c", Instant.parse("1969-12-31T23:59:59.999Z"));
    return new Manifest(
        meta,
        0xFFFFFFFFL,
        true,
        List.of(
            new Manifest.FileEntry(
                "base/\u65e5\u672c/1 \"q\".dat", 8192, 0xFFFFFFFFL, 0, Instant.EPOCH, true),
            new Manifest.FileEntry(
                "zero\u0001ctl",
                3,
                1,
                2,
                Instant.parse("2026-12-05T00:00:00.5Z"),
                false,
                new PosixAttributes(04750, 26, 0, "postgres", null))),
        List.of("base", "base/\u65e5\u672c", "empty"),
        List.of(
            new Manifest.Symlink("current", "base/\u65e5\u672c"),
            new Manifest.Symlink(
                "up", "../outside", new PosixAttributes(0777, -1, -1, "p\u00e9", "g"))),
        dirTimes,
        Map.of("base/\u65e5\u672c", PosixAttributes.ofMode(0700)),
        new PosixAttributes(0750, 26, 26, null, null));
  }

  private static Manifest full(List<Manifest.FileEntry> files) {
    BackupMetadata meta =
        new BackupMetadata(
            "01a244b7-5c27-769c-8623-6beaed182cf0",
            Instant.EPOCH,
            "/src",
            0,
            0,
            BackupType.FULL,
            null,
            Layout.NAME,
            Layout.VERSION,
            Map.of());
    return new Manifest(meta, 0, true, files, List.of(), List.of(), Map.of());
  }
}
