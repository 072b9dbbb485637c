package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupId;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.NoSuchBackupException;
import dev.coffer.RetentionPolicy;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leases against a prune racing a backup, on a directory store over Jimfs, each race made
 * deterministic by a hook (the backup's progress listener, or {@link V2Removal#hook} between a
 * removal's commit deletion and its second reading of the leases).
 */
class V2LeasesTest {

  private static final byte[] KEY = V2Fixtures.masterKey().bytes().clone();

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");
  private final CountingStore store;
  private int sources;

  V2LeasesTest() throws IOException {
    store = new CountingStore(ObjectStores.directory(root.resolve("repo")));
  }

  @AfterEach
  void close() throws IOException {
    V2Removal.hook = id -> {};
    fs.close();
  }

  private V2Repository open() throws IOException {
    return V2Repos.open(store, KEY, Clock.systemUTC());
  }

  private Path source() throws IOException {
    sources++;
    return V2Repos.source(root.resolve("src" + sources), "content " + sources + "\n");
  }

  private List<String> ids(V2Repository repo) throws IOException {
    return repo.list().stream().map(BackupMetadata::backupId).toList();
  }

  private void lease(String backupId, String base, Instant expires) throws IOException {
    String json =
        "{\"backup_id\":\""
            + backupId
            + "\",\"base_backup_id\":"
            + (base == null ? "null" : "\"" + base + "\"")
            + ",\"expires\":\""
            + expires
            + "\"}";
    store.write(
        "leases/" + backupId,
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
        WriteMode.REPLACE);
  }

  @Test
  void aPruneWhileAnIncrementalRuns_keepsItsBaseAndTheBaseChain() throws IOException {
    try (V2Repository repo = open();
        V2Repository other = open()) {
      BackupMetadata a = repo.backup(BackupRequest.full(source()));
      BackupMetadata b =
          repo.backup(BackupRequest.incremental(source(), BackupId.of(a.backupId())));
      BackupMetadata c = repo.backup(BackupRequest.full(source()));
      AtomicBoolean pruned = new AtomicBoolean();
      BackupMetadata d =
          repo.backup(
              BackupRequest.incremental(source(), BackupId.of(b.backupId()))
                  .withProgress(
                      p -> {
                        if (pruned.compareAndSet(false, true)) {
                          try { // another host prunes to the newest listed backup, c
                            assertEquals(1, store.list("leases/").size(), "d holds its lease");
                            assertEquals(List.of(), other.prune(RetentionPolicy.keepLast(1)));
                          } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                          }
                        }
                      }));
      assertTrue(pruned.get());
      assertEquals(List.of(d.backupId(), c.backupId(), b.backupId(), a.backupId()), ids(other));
      assertTrue(other.verify(BackupId.of(d.backupId())).ok());
      assertEquals(List.of(), store.list("leases/"), "the lease ends with the backup");
      List<BackupMetadata> removed = other.prune(RetentionPolicy.keepLast(1));
      assertEquals(List.of(c.backupId()), removed.stream().map(BackupMetadata::backupId).toList());
      assertEquals(List.of(d.backupId(), b.backupId(), a.backupId()), ids(other));
    }
  }

  @Test
  void aLeaseWrittenAfterThePruneReadTheLeases_getsItsBaseBack() throws IOException {
    try (V2Repository repo = open()) {
      BackupMetadata a = repo.backup(BackupRequest.full(source()));
      BackupMetadata c = repo.backup(BackupRequest.full(source()));
      String running = BackupIds.newId().value();
      V2Removal.hook =
          id -> {
            if (id.equals(a.backupId())) { // a backup based on a starts now
              lease(running, a.backupId(), Instant.now().plus(Duration.ofMinutes(10)));
            }
          };
      assertEquals(List.of(), repo.prune(RetentionPolicy.keepLast(1)));
      assertEquals(List.of(c.backupId(), a.backupId()), ids(repo));
      assertTrue(repo.verify(BackupId.of(a.backupId())).ok(), "nothing of a was removed");
      BackupInUseException e =
          assertThrows(BackupInUseException.class, () -> repo.delete(BackupId.of(a.backupId())));
      assertTrue(e.getMessage().contains(running), e.getMessage());
      store.delete("leases/" + running); // the backup ends
      V2Removal.hook = id -> {};
      repo.delete(BackupId.of(a.backupId()));
      assertEquals(List.of(c.backupId()), ids(repo));
    }
  }

  @Test
  void anIncrementalWhoseBaseIsRemovedBeforeItsLeaseIsSeen_failsAndDependsOnNothing()
      throws IOException {
    try (V2Repository repo = open();
        V2Repository other = open()) {
      BackupMetadata a = repo.backup(BackupRequest.full(source()));
      BackupMetadata c = repo.backup(BackupRequest.full(source()));
      Path src = source();
      V2Removal.hook =
          id -> { // the backup starts after the prune removed a's commit: its base is gone
            assertThrows(
                NoSuchBackupException.class,
                () -> other.backup(BackupRequest.incremental(src, BackupId.of(a.backupId()))));
          };
      assertEquals(
          List.of(a.backupId()),
          repo.prune(RetentionPolicy.keepLast(1)).stream().map(BackupMetadata::backupId).toList());
      assertEquals(List.of(c.backupId()), ids(repo));
      assertEquals(List.of(), store.list("leases/"));
    }
  }

  @Test
  void anIncrementalWhoseBaseCommitVanishesBeforeItCommits_fails() throws IOException {
    try (V2Repository repo = open()) {
      BackupMetadata a = repo.backup(BackupRequest.full(source()));
      AtomicBoolean removed = new AtomicBoolean();
      assertThrows(
          NoSuchBackupException.class,
          () ->
              repo.backup(
                  BackupRequest.incremental(source(), BackupId.of(a.backupId()))
                      .withProgress(
                          p -> { // a prune that did not honour the lease
                            if (removed.compareAndSet(false, true)) {
                              try {
                                store.delete("commits/" + a.backupId());
                              } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                              }
                            }
                          })));
      assertEquals(List.of(), ids(repo), "the incremental was not published");
    }
  }

  @Test
  void expiredLeases_protectNothing_andGoOnceExpiredLongerThanTheLeftoverAge() throws IOException {
    String gone = BackupIds.newId().value();
    BackupMetadata a;
    try (V2Repository repo = open()) {
      a = repo.backup(BackupRequest.full(source()));
      repo.backup(BackupRequest.full(source()));
      lease(gone, a.backupId(), Instant.now().minus(Duration.ofMinutes(1)));
      assertEquals(
          1, repo.prune(RetentionPolicy.keepLast(1)).size(), "an expired lease is ignored");
    }
    Clock inAnHour = Clock.offset(Clock.system(ZoneOffset.UTC), Duration.ofHours(1));
    V2Repos.open(store, KEY, inAnHour).close();
    assertEquals(1, store.list("leases/").size(), "kept until the leftover age has passed");
    Clock tomorrow = Clock.offset(Clock.system(ZoneOffset.UTC), Duration.ofHours(25));
    V2Repos.open(store, KEY, tomorrow).close();
    assertEquals(List.of(), store.list("leases/"));
  }

  @Test
  void aLiveLease_keepsTheObjectsOfItsBackupFromTheLeftoverSweep_andRenewalMovesItsExpiry()
      throws IOException {
    open().close();
    String running = BackupIds.newId().value();
    store.write("data/" + running, new ByteArrayInputStream(new byte[] {1}), WriteMode.IF_ABSENT);
    Clock tomorrow = Clock.fixed(Instant.now().plus(Duration.ofHours(25)), ZoneOffset.UTC);
    V2Repos.open(store, KEY, tomorrow).close();
    assertFalse(store.stat("data/" + running).isPresent(), "a day-old object without commit");
    store.write("data/" + running, new ByteArrayInputStream(new byte[] {1}), WriteMode.IF_ABSENT);
    V2Leases leases = new V2Leases(store, new V2Layout(""), tomorrow);
    V2Leases.Held held = leases.take(running, null);
    try {
      V2Repos.open(store, KEY, tomorrow).close();
      assertTrue(store.stat("data/" + running).isPresent(), "its lease says it is running");
      Instant first = leases.live().get(0).expires();
      V2Leases later =
          new V2Leases(store, new V2Layout(""), Clock.offset(tomorrow, Duration.ofMinutes(5)));
      V2Leases.Held renewed = later.take(running, null); // written again five minutes on
      try {
        assertEquals(
            Duration.ofMinutes(5), Duration.between(first, leases.live().get(0).expires()));
      } finally {
        renewed.close();
      }
    } finally {
      held.close();
    }
    assertEquals(List.of(), store.list("leases/").stream().map(ObjectInfo::key).toList());
  }
}
