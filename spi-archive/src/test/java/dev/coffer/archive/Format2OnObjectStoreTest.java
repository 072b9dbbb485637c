package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.v2.V2Repository;
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
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code archive} provider opened on an {@link ObjectStore} (here a directory store on Jimfs
 * behind a wrapper that records {@code close}; the S3 server test is store-s3's ArchiveOnS3Test):
 * format 2 only, the config in the store, the store closed with the repository, and leftovers
 * removed by age.
 */
class Format2OnObjectStoreTest {

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private static Map<String, String> v2(String keyHex) {
    Map<String, String> o = new HashMap<>(TestSupport.keyOptions(keyHex));
    o.put("format", "2");
    return o;
  }

  private ClosingStore store() throws IOException {
    return new ClosingStore(ObjectStores.directory(root.resolve("bucket")));
  }

  @Test
  void format2_inAStore_backsUpListsAndRestores_andKeepsItsConfigThere() throws IOException {
    Path source = TestSupport.sampleSource(root.resolve("src"));
    ClosingStore store = store();
    BackupMetadata b;
    try (BackupRepository r = new ArchiveBackupProvider().open(store, v2(TestSupport.KEY_HEX))) {
      assertInstanceOf(V2Repository.class, r);
      b = r.backup(BackupRequest.full(source));
      assertEquals("archive", r.info().provider());
      assertTrue(r.info().location().startsWith("jimfs://"), r.info().location());
      assertFalse(store.closed, "the open repository uses the store");
    }
    assertTrue(store.closed, "closing the repository closes the store it owns");
    ClosingStore again = store();
    assertTrue(again.stat("coffer-repository").isPresent());
    try (BackupRepository r =
        new ArchiveBackupProvider().open(again, TestSupport.keyOptions(TestSupport.KEY_HEX))) {
      assertEquals(List.of(b.backupId()), r.list().stream().map(m -> m.backupId()).toList());
      Path target = root.resolve("restored");
      r.restore(RestoreRequest.of(BackupId.of(b.backupId()), target));
      assertEquals(TestSupport.names(source), TestSupport.names(target));
    }
  }

  @Test
  void format1OrNoFormat_onAnEmptyStore_isRefused_writingNothing() throws IOException {
    for (String format : new String[] {"1", null}) {
      ClosingStore store = store();
      Map<String, String> o = new HashMap<>(TestSupport.keyOptions(TestSupport.KEY_HEX));
      if (format != null) {
        o.put("format", format);
      }
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> new ArchiveBackupProvider().open(store, o));
      assertTrue(e.getMessage().contains("format=2"), e.getMessage());
      assertFalse(e.getMessage().contains(TestSupport.KEY_HEX), e.getMessage());
      assertTrue(store.list("").isEmpty(), "a refused open writes nothing");
      assertFalse(store.closed, "a refused open leaves the store to its caller");
    }
  }

  @Test
  void aWrongKey_isWrongKeyException_andAStoreOfOtherObjectsIsRefused() throws IOException {
    new ArchiveBackupProvider().open(store(), v2(TestSupport.KEY_HEX)).close();
    assertThrows(
        WrongKeyException.class,
        () -> new ArchiveBackupProvider().open(store(), v2(TestSupport.OTHER_KEY_HEX)));
    ObjectStore other = ObjectStores.directory(root.resolve("other"));
    other.write("notes.txt", new ByteArrayInputStream(new byte[] {1}), WriteMode.REPLACE);
    IOException e =
        assertThrows(
            IOException.class,
            () -> new ArchiveBackupProvider().open(other, v2(TestSupport.KEY_HEX)));
    assertTrue(e.getMessage().contains("no coffer-repository object"), e.getMessage());
    assertFalse(other.stat("coffer-repository").isPresent());
  }

  @Test
  void objectsOfABackupWithoutCommit_areRemovedByAnOpenOnlyOnceADayOld() throws IOException {
    new ArchiveBackupProvider().open(store(), v2(TestSupport.KEY_HEX)).close();
    String id = BackupIds.newId().value();
    ObjectStore s = store();
    s.write("data/" + id, new ByteArrayInputStream(new byte[] {1, 2}), WriteMode.IF_ABSENT);
    s.write("manifests/" + id, new ByteArrayInputStream(new byte[] {3}), WriteMode.IF_ABSENT);
    Clock now = Clock.systemUTC();
    FormatTwo.open(store(), v2(TestSupport.KEY_HEX), now, () -> "unused").close();
    assertTrue(s.stat("data/" + id).isPresent(), "a writer may still be about to commit");
    Clock later = Clock.offset(Clock.system(ZoneOffset.UTC), Duration.ofHours(25));
    FormatTwo.open(store(), v2(TestSupport.KEY_HEX), later, () -> "unused").close();
    assertFalse(s.stat("data/" + id).isPresent(), "a day later the writer is gone");
    assertFalse(s.stat("manifests/" + id).isPresent());
    assertTrue(s.stat("coffer-repository").isPresent());
  }

  /** A store that records whether it was closed. */
  @Test
  void open_abortsTheUnfinishedUploadsOfWritersGone_olderThanTheLeftoverAge_only()
      throws IOException {
    Path source = TestSupport.sampleSource(root.resolve("src"));
    ClosingStore store = store();
    try (BackupRepository r = new ArchiveBackupProvider().open(store, v2(TestSupport.KEY_HEX))) {
      r.backup(source);
    }
    java.time.Instant now = java.time.Instant.now();
    ClosingStore again = store();
    again.uploads.put("data/" + BackupIds.newId().value(), now.minus(Duration.ofHours(25)));
    again.uploads.put("manifests/" + BackupIds.newId().value(), now.minus(Duration.ofHours(30)));
    String fresh = "data/" + BackupIds.newId().value();
    again.uploads.put(fresh, now.minus(Duration.ofMinutes(5)));
    String withinTwoHours = "data/" + BackupIds.newId().value();
    again.uploads.put(withinTwoHours, now.minus(Duration.ofMinutes(90)));
    try (BackupRepository r = new ArchiveBackupProvider().open(again, v2(TestSupport.KEY_HEX))) {
      assertEquals(1, r.list().size());
    }
    assertEquals(
        Map.of(fresh, again.uploads.get(fresh), withinTwoHours, again.uploads.get(withinTwoHours)),
        again.uploads);
    Map<String, String> hour = new HashMap<>(v2(TestSupport.KEY_HEX));
    hour.put("leftover-hours", "1");
    ClosingStore third = store();
    third.uploads.putAll(again.uploads);
    new ArchiveBackupProvider().open(third, hour).close();
    assertEquals(Map.of(fresh, again.uploads.get(fresh)), third.uploads);
  }

  private static final class ClosingStore extends ForwardingStore {
    volatile boolean closed;

    /** Unfinished uploads, as an object store would keep them: key to the time it started. */
    final Map<String, java.time.Instant> uploads = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public int abortUnfinishedWrites(
        String prefix, java.util.function.BiPredicate<String, java.time.Instant> abandoned) {
      int before = uploads.size();
      uploads
          .entrySet()
          .removeIf(e -> e.getKey().startsWith(prefix) && abandoned.test(e.getKey(), e.getValue()));
      return before - uploads.size();
    }

    ClosingStore(ObjectStore inner) {
      super(inner);
    }

    @Override
    public void close() throws IOException {
      closed = true;
      super.close();
    }
  }
}
