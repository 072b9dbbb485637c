package dev.coffer.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manifest's bytes. They are written field by field, so these tests pin them to what Jackson's own
 * tree and default pretty printer make of the same content (the form every earlier Coffer wrote), and to
 * the seed's field names and shapes.
 */
class ManifestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void bytesAreJacksonsPrettyFormOfTheirOwnTree_forEveryKindOfField() throws Exception {
    for (Manifest m : List.of(incremental(), full(List.of()))) {
      byte[] written = m.toJson();
      byte[] canonical = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(JSON.readTree(written));
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
            + "  \"version\" : \"" + LocalBackupProvider.VERSION + "\",\n",
        inc.substring(0, inc.indexOf("  \"coffer_format\"")));
    assertEquals("  \"backup_type\" : \"Full\",", full.lines().filter(l -> l.contains("backup_type")).findFirst()
        .orElseThrow());
    assertEquals("  \"symlinks\" : [ ]", full.lines().filter(l -> l.contains("symlinks")).findFirst().orElseThrow());
  }

  private static Manifest incremental() {
    BackupMetadata meta = new BackupMetadata("01a244b7-5085-77fd-bcb3-d104f8384d9c",
        Instant.parse("2026-12-05T06:07:08.123456789Z"), "/data/pg \"main\"", 2, 8195, BackupType.INCREMENTAL,
        "01a244b7-5c27-769c-8623-6beaed182cf0", LocalBackupProvider.NAME, LocalBackupProvider.VERSION,
        Map.of("host", "db-1 \u00e9\u00e8", "tab\tbed", "line\nbreak"));
    Map<String, Instant> dirTimes = new LinkedHashMap<>();
    dirTimes.put("base", Instant.parse("2026-01-02T03:04:05Z"));
    dirTimes.put("base/\u65e5\u672c", Instant.parse("1969-12-31T23:59:59.999Z"));
    return new Manifest(meta, 0xFFFFFFFFL, true,
        List.of(new Manifest.FileEntry("base/\u65e5\u672c/1 \"q\".dat", 8192, 0xFFFFFFFFL, 0, Instant.EPOCH, true),
            new Manifest.FileEntry("zero\u0001ctl", 3, 1, 2, Instant.parse("2026-12-05T00:00:00.5Z"), false)),
        List.of("base", "base/\u65e5\u672c", "empty"),
        List.of(new Manifest.Symlink("current", "base/\u65e5\u672c"), new Manifest.Symlink("up", "../outside")),
        dirTimes);
  }

  private static Manifest full(List<Manifest.FileEntry> files) {
    BackupMetadata meta = new BackupMetadata("01a244b7-5c27-769c-8623-6beaed182cf0", Instant.EPOCH, "/src", 0, 0,
        BackupType.FULL, null, LocalBackupProvider.NAME, LocalBackupProvider.VERSION, Map.of());
    return new Manifest(meta, 0, true, files, List.of(), List.of(), Map.of());
  }
}
