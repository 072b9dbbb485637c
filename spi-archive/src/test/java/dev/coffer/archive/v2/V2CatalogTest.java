package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.archive.SecretBytes;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStores;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog of a format-2 repository on a directory store over Jimfs: a listing reads the newest
 * catalog and only the backups it lacks; a catalog that is damaged, foreign, moved, lost in a race,
 * or older than a deletion or a rekey only costs reads and never changes the listing.
 */
class V2CatalogTest {

  private static final byte[] KEY = V2Fixtures.masterKey().bytes().clone();

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");
  private final CountingStore store;

  V2CatalogTest() throws IOException {
    store = new CountingStore(ObjectStores.directory(root.resolve("repo")));
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private V2Repository open() throws IOException {
    return V2Repos.open(store, KEY, Clock.systemUTC());
  }

  private List<BackupMetadata> backUp(V2Repository repo, int n) throws IOException {
    List<BackupMetadata> made = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path src = V2Repos.source(root.resolve("src" + i), "backup " + i + "\n");
      made.add(repo.backup(BackupRequest.full(src).withLabel("n", Integer.toString(i))));
    }
    return made;
  }

  private List<String> catalogs() throws IOException {
    return store.list(V2Catalog.CATALOG).stream().map(ObjectInfo::key).sorted().toList();
  }

  /** The listing a fresh instance gives, with the reads it took. */
  private List<BackupMetadata> freshListing() throws IOException {
    store.reset();
    try (V2Repository r = open()) {
      return r.list();
    }
  }

  /** The truth: the listing of a fresh instance with every catalog set aside. */
  private List<BackupMetadata> listingWithoutCatalog() throws IOException {
    List<byte[]> kept = new ArrayList<>();
    List<String> names = catalogs();
    for (String c : names) {
      try (InputStream in = store.read(c)) {
        kept.add(in.readAllBytes());
      }
      store.delete(c);
    }
    List<BackupMetadata> truth = freshListing();
    assertEquals(truth.size(), store.reads("commits/"), "without a catalog every commit is read");
    for (int i = 0; i < names.size(); i++) {
      store.write(names.get(i), new ByteArrayInputStream(kept.get(i)), WriteMode.IF_ABSENT);
    }
    return truth;
  }

  @Test
  void aListing_readsTheNewestCatalogOnce_andOnlyTheCommitsItLacks() throws IOException {
    try (V2Repository repo = open()) {
      backUp(repo, V2Catalog.EVERY + 4);
    }
    assertEquals(1, catalogs().size(), "the 16th backup wrote the first generation");
    List<BackupMetadata> listed = freshListing();
    assertEquals(1, store.reads("catalog/"));
    assertEquals(4, store.reads("commits/"), "only the 4 backups after the catalog are read");
    assertEquals(4, store.reads("meta/"));
    assertEquals(V2Catalog.EVERY + 4, listed.size());
    assertEquals(listingWithoutCatalog(), listed, "labels, times, counts: the same metadata");
  }

  @Test
  void generations_followTheBackups_andOnlyTheNewestTwoAreKept() throws IOException {
    try (V2Repository repo = open()) {
      backUp(repo, 3 * V2Catalog.EVERY);
      assertEquals(
          List.of(repo.catalog.name(2), repo.catalog.name(3)),
          catalogs(),
          "generation 1 was removed when generation 3 was written");
    }
    assertEquals(3 * V2Catalog.EVERY, freshListing().size());
    assertEquals(0, store.reads("commits/"), "the newest catalog holds every backup");
  }

  @Test
  void aDamagedOrMovedCatalog_onlyCostsReads() throws IOException {
    try (V2Repository repo = open()) {
      backUp(repo, V2Catalog.EVERY);
    }
    List<BackupMetadata> truth = listingWithoutCatalog();
    String name = catalogs().get(0);
    byte[] bytes;
    try (InputStream in = store.read(name)) {
      bytes = in.readAllBytes();
    }
    byte[] damaged = bytes.clone();
    damaged[damaged.length / 2] ^= 1;
    store.write(name, new ByteArrayInputStream(damaged), WriteMode.REPLACE);
    assertEquals(truth, freshListing());
    assertEquals(truth.size(), store.reads("commits/"));

    store.delete(name); // moved to a later generation: its associated data names generation 1
    store.write(
        V2Catalog.CATALOG + "00000000000000ff",
        new ByteArrayInputStream(bytes),
        WriteMode.IF_ABSENT);
    assertEquals(truth, freshListing());
    assertEquals(truth.size(), store.reads("commits/"));
  }

  @Test
  void aCatalogOfAnotherRepositoryOrKey_cannotAddOrAlterABackup() throws IOException {
    List<BackupMetadata> made;
    try (V2Repository repo = open()) {
      made = backUp(repo, 2);
    }
    List<BackupMetadata> truth = freshListing();
    BackupMetadata altered = relabelled(made.get(0));
    BackupMetadata invented = relabelled(made.get(1));
    List<BackupMetadata> forged =
        List.of(altered, withId(invented, "0190a1b2-c3d4-7e5f-8a6b-000000000001"));
    UUID repositoryId;
    try (V2Repository repo = open()) {
      repositoryId = repo.v2.repositoryId();
    }
    SecretBytes master = new SecretBytes(KEY);
    SecretBytes otherKey = new SecretBytes(V2Fixtures.dataKey().bytes());
    // the same key, another repository id; and this repository's id under another key
    new V2Catalog(
            new V2Location(store, "", UUID.randomUUID()),
            List.of(V2Catalog.key(master, repositoryId)),
            1)
        .write(5, forged);
    new V2Catalog(
            new V2Location(store, "", repositoryId),
            List.of(V2Catalog.key(otherKey, repositoryId)),
            1)
        .write(6, forged);
    assertEquals(2, catalogs().size());
    assertEquals(truth, freshListing(), "neither catalog opens: the commits are read");
    assertEquals(2, store.reads("commits/"));
    assertFalse(freshListing().contains(altered));
  }

  @Test
  void anEntryWhoseCommitIsGone_isDropped_andARekeyedCommitKeepsItsEntry() throws IOException {
    List<BackupMetadata> made;
    int n = 2 * V2Catalog.EVERY;
    try (V2Repository repo = open()) {
      made = backUp(repo, n);
      repo.delete(BackupId.of(made.get(n - 3).backupId()));
      repo.prune(RetentionPolicy.keepLast(n - 4));
    }
    List<BackupMetadata> listed = freshListing();
    assertEquals(n - 4, listed.size());
    assertFalse(listed.stream().anyMatch(m -> m.backupId().equals(made.get(n - 3).backupId())));
    assertEquals(0, store.reads("commits/"), "what is left is all in the catalog");

    String id = made.get(n - 1).backupId();
    byte[] before;
    try (InputStream in = store.read("commits/" + id)) {
      before = in.readAllBytes();
    }
    CommitObject commit = CommitObject.decode(before, repoId(), id);
    SecretBytes master = new SecretBytes(KEY);
    byte[] rekeyed =
        commit
            .rekey(Identities.symmetric(master), Recipients.symmetric(master), new SecureRandom())
            .encode();
    assertFalse(Arrays.equals(before, rekeyed), "new key slots");
    store.write("commits/" + id, new ByteArrayInputStream(rekeyed), WriteMode.REPLACE);
    assertEquals(listed, freshListing());
    assertEquals(listed, listingWithoutCatalog());
  }

  @Test
  void aCatalogOfMostlyDeletedBackups_isRemovedByTheDeletion() throws IOException {
    try (V2Repository repo = open()) {
      List<BackupMetadata> made = backUp(repo, 2 * V2Catalog.EVERY);
      for (int i = 0; i < V2Catalog.EVERY - 1; i++) {
        repo.delete(BackupId.of(made.get(i).backupId()));
      }
      assertEquals(2, catalogs().size(), "15 of 32 entries gone: kept");
      repo.delete(BackupId.of(made.get(V2Catalog.EVERY).backupId()));
      assertEquals(List.of(), catalogs(), "16 of 32 gone: it would save fewer reads than it costs");
      assertEquals(V2Catalog.EVERY - 1, repo.prune(RetentionPolicy.keepLast(1)).size());
      backUp(repo, V2Catalog.EVERY - 2);
      assertEquals(List.of(), catalogs(), "fewer than 16 backups listed: no catalog yet");
    }
    assertEquals(V2Catalog.EVERY - 1, freshListing().size());
  }

  @Test
  void aLostRaceForTheNextGeneration_losesNoBackup() throws IOException {
    try (V2Repository repo = open()) {
      backUp(repo, V2Catalog.EVERY - 1);
      store.beforeWrite =
          key -> { // another writer wins generation 1 first (here with bytes no key opens)
            if (key.startsWith(V2Catalog.CATALOG)) {
              store.beforeWrite = k -> {};
              store.write(key, new ByteArrayInputStream(new byte[64]), WriteMode.IF_ABSENT);
            }
          };
      backUp(repo, 1);
      assertEquals(List.of(repo.catalog.name(1)), catalogs());
    }
    assertEquals(V2Catalog.EVERY, freshListing().size(), "every backup is listed");
    assertEquals(V2Catalog.EVERY, store.reads("commits/"), "at the price of reading them");
    try (V2Repository repo = open()) {
      backUp(repo, 1); // the next backup writes the generation after the lost one
      assertTrue(catalogs().contains(repo.catalog.name(2)), catalogs().toString());
    }
    assertEquals(V2Catalog.EVERY + 1, freshListing().size());
    assertEquals(0, store.reads("commits/"));
  }

  @Test
  void inRecipientsMode_anIdentitySealsTheCatalog_andAWriteOnlyHostWritesNone() throws IOException {
    X25519Identity identity = X25519Identity.generate(new SecureRandom());
    List<X25519Recipient> to = List.of(identity.recipient());
    Clock clock = Clock.systemUTC();
    try (V2Repository writeOnly = V2Repos.open(store, to, List.of(), clock)) {
      assertFalse(writeOnly.catalog.enabled());
      for (int i = 0; i < V2Catalog.EVERY; i++) {
        writeOnly.backup(BackupRequest.full(V2Repos.source(root.resolve("w" + i), "w" + i)));
      }
    }
    assertEquals(
        List.of(), catalogs(), "a host without an identity cannot read what it would seal");
    try (V2Repository both = V2Repos.open(store, to, List.of(identity), clock)) {
      both.backup(BackupRequest.full(V2Repos.source(root.resolve("b"), "b")));
    }
    assertEquals(1, catalogs().size());
    store.reset();
    List<BackupMetadata> listed;
    try (V2Repository reader = V2Repos.open(store, List.of(), List.of(identity), clock)) {
      listed = reader.list();
    }
    assertEquals(V2Catalog.EVERY + 1, listed.size());
    assertEquals(0, store.reads("commits/"), "no key slot opened per backup");
    X25519Identity stranger = X25519Identity.generate(new SecureRandom());
    UUID any = UUID.randomUUID();
    assertNotEquals(
        Arrays.toString(V2Catalog.key(identity, any).bytes()),
        Arrays.toString(V2Catalog.key(stranger, any).bytes()),
        "each identity has its own catalog key");
  }

  private UUID repoId() throws IOException {
    try (V2Repository repo = open()) {
      return repo.v2.repositoryId();
    }
  }

  private static BackupMetadata relabelled(BackupMetadata m) {
    return new BackupMetadata(
        m.backupId(),
        m.createdAt(),
        "/forged",
        m.totalFiles() + 1,
        m.totalBytes(),
        m.backupType(),
        m.baseBackupId(),
        m.provider(),
        m.version(),
        java.util.Map.of("forged", "yes"),
        m.warnings());
  }

  private static BackupMetadata withId(BackupMetadata m, String id) {
    return new BackupMetadata(
        id,
        m.createdAt(),
        m.sourceDir(),
        m.totalFiles(),
        m.totalBytes(),
        m.backupType(),
        m.baseBackupId(),
        m.provider(),
        m.version(),
        m.labels(),
        m.warnings());
  }
}
