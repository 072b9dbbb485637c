package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Option {@code leftover-hours} of format 2: how old the objects of a backup without a commit (in
 * an object store) and an expired lease (anywhere) are before an {@code open} removes them; bounded
 * from 1 hour to a year.
 */
class Format2LeftoverAgeTest {

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private static Map<String, String> options(String hours) {
    Map<String, String> o = new HashMap<>(TestSupport.keyOptions(TestSupport.KEY_HEX));
    o.put("format", "2");
    if (hours != null) {
      o.put("leftover-hours", hours);
    }
    return o;
  }

  private static Clock in(Duration d) {
    return Clock.fixed(Instant.now().plus(d), ZoneOffset.UTC);
  }

  /** Opens and closes the repository with option {@code hours}, {@code after} from now. */
  private void openAfter(String hours, Duration after) throws IOException {
    FormatTwo.open(
            ObjectStores.directory(root.resolve("bucket")), options(hours), in(after), () -> "x")
        .close();
  }

  private void lease(ObjectStore s, String id, Instant expires) throws IOException {
    byte[] json =
        ("{\"backup_id\":\"" + id + "\",\"base_backup_id\":null,\"expires\":\"" + expires + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    s.write("leases/" + id, new ByteArrayInputStream(json), WriteMode.REPLACE);
  }

  @Test
  void twoHours_removeObjectsWithoutCommitAndExpiredLeasesAfterTwoHoursNotBefore()
      throws IOException {
    ObjectStore s = ObjectStores.directory(root.resolve("bucket"));
    FormatTwo.open(s, options(null), Clock.systemUTC(), () -> "unused").close();
    String id = BackupIds.newId().value();
    String crashed = BackupIds.newId().value();
    s = ObjectStores.directory(root.resolve("bucket"));
    s.write("data/" + id, new ByteArrayInputStream(new byte[] {1}), WriteMode.IF_ABSENT);
    lease(s, crashed, Instant.now());

    openAfter("2", Duration.ofMinutes(90));
    assertTrue(s.stat("data/" + id).isPresent(), "90 minutes: kept");
    assertTrue(s.stat("leases/" + crashed).isPresent());

    openAfter("2", Duration.ofMinutes(150));
    assertFalse(s.stat("data/" + id).isPresent(), "150 minutes: removed");
    assertFalse(s.stat("leases/" + crashed).isPresent());
  }

  @Test
  void theDefault_isADay() throws IOException {
    ObjectStore s = ObjectStores.directory(root.resolve("bucket"));
    FormatTwo.open(s, options(null), Clock.systemUTC(), () -> "unused").close();
    String id = BackupIds.newId().value();
    s = ObjectStores.directory(root.resolve("bucket"));
    s.write("data/" + id, new ByteArrayInputStream(new byte[] {1}), WriteMode.IF_ABSENT);
    openAfter(null, Duration.ofHours(23));
    assertTrue(s.stat("data/" + id).isPresent());
    openAfter(null, Duration.ofHours(25));
    assertFalse(s.stat("data/" + id).isPresent());
  }

  @Test
  void zeroOrMoreThanAYear_isRefusedBeforeAnythingIsWritten() throws IOException {
    for (String hours : new String[] {"0", "8761", "-1", "day"}) {
      ObjectStore s = ObjectStores.directory(root.resolve("refused"));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new ArchiveBackupProvider().open(s, options(hours)));
      assertTrue(e.getMessage().contains("leftover-hours"), e.getMessage());
      assertTrue(s.list("").isEmpty(), hours);
    }
    new ArchiveBackupProvider()
        .open(ObjectStores.directory(root.resolve("ok")), options("8760"))
        .close();
  }
}
