package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.archive.v2.V2Repository;
import dev.coffer.testkit.Snapshot;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 1 beside format 2 (docs/archive-format.md §15 "Format 1 beside format 2"): format-1
 * backups and the seed's aedb archives stay listed, verified and restored by the same provider
 * after format-2 repositories were written and read in the same JVM; an incremental asked for with
 * {@code format=2} on a format-1 base is refused at open with a message that says what to do, and
 * changes nothing.
 */
class Format1CompatibilityTest {

  private static final String SEED_KEY = "09".repeat(32);

  @TempDir Path tmp;

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(Format1CompatibilityTest.class.getResource("/aedb/" + name).toURI());
  }

  private static Map<String, String> options(String format) {
    Map<String, String> o = new HashMap<>();
    o.put("key", SEED_KEY);
    o.put("threads", "2");
    if (format != null) {
      o.put("format", format);
    }
    return o;
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p) + (Files.isRegularFile(p) ? ":" + size(p) : ""))
          .sorted()
          .toList();
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void format1BackupsAndAedbArchives_stayReadableVerifiableAndRestorable_besideFormat2()
      throws Exception {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path v1 = tmp.resolve("v1");
    BackupMetadata full;
    BackupMetadata inc;
    try (BackupRepository r = new ArchiveBackupProvider().open(v1, options(null))) {
      full = r.backup(src);
      TestSupport.write(src.resolve("text.txt"), "changed");
      inc = r.backup(BackupRequest.incremental(src, full.id()));
    }
    Snapshot incState = Snapshot.of(src);
    Files.copy(fixture("aedb-encrypted.aedbarc"), v1.resolve("seed-enc.aedbarc"));
    // format 2 written and read in the same JVM
    try (BackupRepository r = new ArchiveBackupProvider().open(tmp.resolve("v2"), options("2"))) {
      assertInstanceOf(V2Repository.class, r);
      BackupMetadata b = r.backup(src);
      r.restore(b.id(), tmp.resolve("v2-out"));
      assertEquals(incState, Snapshot.of(tmp.resolve("v2-out")));
    }
    for (String format : new String[] {null, "1"}) {
      try (BackupRepository r = new ArchiveBackupProvider().open(v1, options(format))) {
        assertInstanceOf(ArchiveRepository.class, r, "format " + format);
        assertEquals(3, r.list().size());
        for (String id : List.of(full.backupId(), inc.backupId(), "seed-enc")) {
          assertTrue(r.verify(BackupId.of(id)).ok(), id);
        }
        Path out = Files.createDirectories(tmp.resolve("out-" + format));
        r.restore(inc.id(), out.resolve("inc"));
        assertEquals(incState, Snapshot.of(out.resolve("inc")));
        r.restore(BackupId.of("seed-enc"), out.resolve("seed"));
        assertEquals(Snapshot.of(fixture("source")), Snapshot.of(out.resolve("seed")));
      }
    }
  }

  @Test
  void anIncrementalWithFormat2_onAFormat1Base_isRefusedSayingWhatToDo_andChangesNothing()
      throws IOException {
    Path src = TestSupport.sampleSource(tmp.resolve("src"));
    Path v1 = tmp.resolve("v1");
    BackupMetadata full;
    try (BackupRepository r = new ArchiveBackupProvider().open(v1, options(null))) {
      full = r.backup(src);
    }
    List<String> before = listing(v1);
    IOException e =
        assertThrows(IOException.class, () -> new ArchiveBackupProvider().open(v1, options("2")));
    assertTrue(e.getMessage().contains("format 1"), e.getMessage());
    assertTrue(e.getMessage().contains("full backup"), e.getMessage());
    assertEquals(before, listing(v1), "the refused open wrote nothing");
    // left as it is, the repository goes on in format 1: incrementals on its backups work
    TestSupport.write(src.resolve("text.txt"), "changed");
    try (BackupRepository r = new ArchiveBackupProvider().open(v1, options(null))) {
      BackupMetadata inc = r.backup(BackupRequest.incremental(src, full.id()));
      assertEquals(BackupType.INCREMENTAL, inc.backupType());
      r.restore(inc.id(), tmp.resolve("out"));
      assertEquals(Snapshot.of(src), Snapshot.of(tmp.resolve("out")));
    }
  }
}
