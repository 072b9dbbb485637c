package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRequest;
import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.ArchiveBackupProvider;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Format 1's attack and corruption tests (ArchiveAttackTest) on format 2, through the {@code
 * archive} provider with {@code format=2}, on the real disk and on Jimfs: every byte of every
 * object of a backup flipped, every object truncated at every offset and extended, objects swapped
 * between backups and repositories, hostile paths in a manifest sealed under the repository's own
 * key, an incremental on a tampered base; and the new attack surface, block references (a block of
 * another repository, out of range, of the wrong size). Every one is refused by restore before
 * anything is written, and reported by verify.
 */
class Format2ProviderAttackTest {

  private static final String KEY =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  private static final Instant OLD = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir Path disk;
  private FileSystem jimfs;

  @AfterEach
  void closeJimfs() throws IOException {
    if (jimfs != null) {
      jimfs.close();
    }
  }

  static Stream<String> places() {
    return Stream.of("disk", "jimfs");
  }

  private Path root(String place) throws IOException {
    if (place.equals("disk")) {
      return disk;
    }
    jimfs =
        Jimfs.newFileSystem(
            Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix")
                .build());
    return Files.createDirectories(jimfs.getPath("/work"));
  }

  private static V2Repository open(Path repo) throws IOException {
    return (V2Repository)
        new ArchiveBackupProvider().open(repo, Map.of("format", "2", "key", KEY, "threads", "2"));
  }

  /** A small source: two blocks of random bytes, a text file, a nested file, a link. */
  private static Path source(Path root) throws IOException {
    Path src = Files.createDirectories(root.resolve("src/nested"));
    byte[] big = new byte[65536 + 3000];
    new Random(6).nextBytes(big);
    Files.write(root.resolve("src/table"), big);
    Files.writeString(root.resolve("src/text.txt"), "hello ".repeat(100));
    Files.writeString(src.resolve("inner"), "inner");
    for (String f : List.of("table", "text.txt", "nested/inner")) {
      Files.setLastModifiedTime(root.resolve("src").resolve(f), FileTime.from(OLD));
    }
    return root.resolve("src");
  }

  private static Path object(Path repo, String key) {
    return repo.resolve(key);
  }

  /**
   * Restore (a fresh repository instance, so no cache helps) refuses, writing nothing; verify
   * reports it. Returns the refusal.
   */
  private static IOException assertRefused(Path repo, BackupId id, Path root, String what)
      throws IOException {
    Path target = root.resolve("out");
    List<String> before = names(root);
    IOException refused = null;
    try (V2Repository r = open(repo)) {
      try {
        r.restore(id, target);
        fail("restore accepted " + what);
      } catch (CorruptBackupException | WrongKeyException | dev.coffer.NoSuchBackupException e) {
        refused = e;
      }
      assertFalse(Files.exists(target), what);
      assertEquals(before, names(root), what);
      try {
        assertFalse(r.verify(id).ok(), "verify accepted " + what);
      } catch (WrongKeyException | dev.coffer.NoSuchBackupException e) {
        // a damaged key slot or a commit under another name: refused before any content is read
      }
    }
    return refused;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A tiny source, so every byte of every object can be tried: one block per file. */
  private static Path tinySource(Path root) throws IOException {
    Path src = Files.createDirectories(root.resolve("tiny/d"));
    byte[] bytes = new byte[64];
    new Random(9).nextBytes(bytes);
    Files.write(root.resolve("tiny/r"), bytes);
    Files.writeString(src.resolve("t"), "tiny ".repeat(8));
    return root.resolve("tiny");
  }

  /** The objects of one backup, by store key. */
  private static List<String> objectsOf(String id) {
    return List.of("commits/" + id, "manifests/" + id, "meta/" + id, "data/" + id);
  }

  @ParameterizedTest
  @MethodSource("places")
  void everyByteOfEveryObject_flipped_isRefusedBeforeWriting(String place) throws IOException {
    Path root = root(place);
    Path repo = root.resolve("repo");
    BackupMetadata b;
    try (V2Repository r = open(repo)) {
      b = r.backup(tinySource(root));
    }
    int stride = place.equals("disk") ? 7 : 1; // every byte on Jimfs; every 7th on the disk
    for (String key : objectsOf(b.backupId())) {
      Path file = object(repo, key);
      byte[] intact = Files.readAllBytes(file);
      for (int i = 0; i < intact.length; i += stride) {
        byte[] bad = intact.clone();
        bad[i] ^= (byte) (1 << (i % 8));
        Files.write(file, bad);
        assertRefused(repo, b.id(), root, key + " byte " + i);
      }
      Files.write(file, intact);
    }
    try (V2Repository r = open(repo)) {
      assertTrue(r.verify(b.id()).ok(), "the intact backup still verifies");
    }
  }

  @ParameterizedTest
  @MethodSource("places")
  void everyObject_truncatedAtEveryOffsetOrExtended_isRefusedBeforeWriting(String place)
      throws IOException {
    Path root = root(place);
    Path repo = root.resolve("repo");
    BackupMetadata b;
    try (V2Repository r = open(repo)) {
      b = r.backup(tinySource(root));
    }
    int stride = place.equals("disk") ? 7 : 1;
    for (String key : objectsOf(b.backupId())) {
      Path file = object(repo, key);
      byte[] intact = Files.readAllBytes(file);
      for (int n = 0; n < intact.length; n += stride) {
        Files.write(file, Arrays.copyOf(intact, n));
        assertRefused(repo, b.id(), root, key + " cut at " + n);
      }
      byte[] longer = Arrays.copyOf(intact, intact.length + 1);
      Files.write(file, longer);
      assertRefused(repo, b.id(), root, key + " extended by a byte");
      Files.write(file, intact);
    }
  }

  @ParameterizedTest
  @MethodSource("places")
  void objectsSwappedBetweenBackupsOrRepositories_areRefused(String place) throws IOException {
    Path root = root(place);
    Path repo = root.resolve("repo");
    Path other = root.resolve("other");
    Path src = source(root);
    BackupMetadata a;
    BackupMetadata b;
    BackupMetadata foreign;
    try (V2Repository r = open(repo)) {
      a = r.backup(src);
      Files.writeString(src.resolve("text.txt"), "changed ".repeat(90));
      b = r.backup(src);
    }
    try (V2Repository r = open(other)) { // the same key, another repository id
      foreign = r.backup(src);
    }
    for (String kind : List.of("commits/", "manifests/", "meta/", "data/")) {
      for (Path from :
          List.of(object(repo, kind + b.backupId()), object(other, kind + foreign.backupId()))) {
        Path victim = object(repo, kind + a.backupId());
        byte[] intact = Files.readAllBytes(victim);
        Files.write(victim, Files.readAllBytes(from));
        assertRefused(repo, a.id(), root, kind + " of " + from.getParent().getParent());
        Files.write(victim, intact);
      }
    }
    // a whole backup of another repository planted under its own name
    for (String key : objectsOf(foreign.backupId())) {
      Files.createDirectories(object(repo, key).getParent());
      Files.copy(object(other, key), object(repo, key));
    }
    try (V2Repository r = open(repo)) {
      assertFalse(r.list().stream().anyMatch(m -> m.backupId().equals(foreign.backupId())));
    }
    assertRefused(repo, foreign.id(), root, "a backup of another repository");
  }

  @ParameterizedTest
  @MethodSource("places")
  void anIncrementalOnATamperedBase_isRefused_andTheBaseIsLeftAsItWas(String place)
      throws IOException {
    Path root = root(place);
    Path repo = root.resolve("repo");
    Path src = source(root);
    try (V2Repository r = open(repo)) {
      BackupMetadata full = r.backup(src);
      Files.writeString(src.resolve("n"), "n");
      BackupMetadata inc = r.backup(BackupRequest.incremental(src, full.id()));
      Path manifest = object(repo, "manifests/" + full.backupId());
      byte[] m = Files.readAllBytes(manifest);
      m[m.length - 1] ^= 1;
      Files.write(manifest, m);
      assertThrows(
          CorruptBackupException.class, () -> r.backup(BackupRequest.incremental(src, full.id())));
      assertEquals(2, r.list().size(), "no backup was added");
      assertRefused(repo, inc.id(), root, "the tip of a tampered base");
      assertArrayEquals(m, Files.readAllBytes(manifest), "nothing repairs or rewrites the base");
    }
  }

  // ---- forged manifests, sealed under the repository's own keys (an attacker holding the key,
  // or a broken writer): the checks after authentication

  /** Replaces backup {@code id}'s manifest by {@code edit} of it, resealed, and its commit. */
  static void forge(V2Repository r, String id, UnaryOperator<V2Manifest> edit) throws IOException {
    try (V2Backup b = r.reader().open(id)) {
      byte[] sealed = ManifestSealer.seal(b.keys(), V2Json.encode(edit.apply(b.manifest())), 3);
      CommitStatement s = b.statement();
      CommitStatement forged =
          new CommitStatement(
              s.repositoryId(),
              s.archiveId(),
              s.backupId(),
              s.archiveSalt(),
              s.blockSizeBytes(),
              s.dataLengthBytes(),
              sealed.length,
              ManifestSealer.hash(sealed),
              s.commitment(),
              s.summary());
      byte[] old = Files.readAllBytes(r.location.resolve("commits/" + id));
      CommitCodec.Parts p = CommitCodec.decode(old, s.repositoryId(), id);
      byte[] commit = CommitCodec.encode(new CommitCodec.Parts(forged, p.slots(), null, null));
      r.store.delete("manifests/" + id);
      r.store.write("manifests/" + id, new ByteArrayInputStream(sealed), WriteMode.IF_ABSENT);
      r.store.delete("commits/" + id);
      r.store.write("commits/" + id, new ByteArrayInputStream(commit), WriteMode.IF_ABSENT);
    }
  }

  private static V2Manifest withFiles(V2Manifest m, List<V2Manifest.FileEntry> files) {
    return rebuilt(m, m.archives(), files);
  }

  /** The manifest with file {@code path}'s references replaced (its content hash follows them). */
  private static V2Manifest withRefs(
      V2Manifest m, String path, UnaryOperator<List<BlockRef>> edit, boolean sizeFollows) {
    List<V2Manifest.FileEntry> files = new ArrayList<>();
    for (V2Manifest.FileEntry f : m.files()) {
      if (!f.path().equals(path)) {
        files.add(f);
        continue;
      }
      List<BlockRef> refs;
      try {
        refs = edit.apply(f.refs(m.chainSize() + 1, m.blockSize()));
      } catch (CorruptBackupException e) {
        throw new AssertionError(e);
      }
      long size = sizeFollows ? refs.stream().mapToLong(BlockRef::rawLength).sum() : f.size();
      files.add(
          new V2Manifest.FileEntry(
              f.path(),
              size,
              f.mtimeNs(),
              f.ctimeNs(),
              f.fileKey(),
              f.posix(),
              HexFormat.of().formatHex(BlockTable.contentHash(refs)),
              BlockTable.encode(refs)));
    }
    return withFiles(m, files);
  }

  /** The manifest with another chain table (type and base follow it, so the table is used). */
  private static V2Manifest withArchives(V2Manifest m, List<V2Manifest.ChainEntry> archives) {
    return rebuilt(m, archives, m.files());
  }

  /** {@code m} with another chain table (type and base following it) and other files. */
  private static V2Manifest rebuilt(
      V2Manifest m, List<V2Manifest.ChainEntry> archives, List<V2Manifest.FileEntry> files) {
    return new V2Manifest(
        m.format(),
        m.backupId(),
        m.archiveId(),
        m.createdAt(),
        archives.isEmpty() ? V2Manifest.FULL : V2Manifest.INCREMENTAL,
        archives.isEmpty() ? null : archives.get(0).backupId(),
        m.scanStartedNs(),
        m.granularityNs(),
        m.blockSize(),
        archives,
        m.rootPosix(),
        m.directories(),
        files,
        m.links());
  }

  private static BlockRef with(
      BlockRef r, int index, long number, long offset, int stored, int raw, byte[] sha) {
    return new BlockRef(index, number, offset, stored, raw, sha);
  }

  static Stream<String> hostilePaths() {
    return Stream.of(
        "../evil", "/abs", "a/../../b", "", "./a", "a\u0000b", "nested/../../x", "table/under");
  }

  @ParameterizedTest
  @MethodSource("hostilePaths")
  void aHostilePath_inAManifestSealedUnderTheKey_isRefusedBeforeWriting(String hostile)
      throws IOException {
    Path root = root("jimfs");
    Path repo = root.resolve("repo");
    BackupMetadata b;
    try (V2Repository r = open(repo)) {
      b = r.backup(source(root));
      forge(
          r,
          b.backupId(),
          m -> {
            List<V2Manifest.FileEntry> files = new ArrayList<>(m.files());
            V2Manifest.FileEntry f = files.remove(files.size() - 1);
            files.add(
                new V2Manifest.FileEntry(
                    hostile,
                    f.size(),
                    f.mtimeNs(),
                    f.ctimeNs(),
                    f.fileKey(),
                    f.posix(),
                    f.sha256(),
                    f.blocks()));
            return withFiles(m, files);
          });
    }
    assertRefused(repo, b.id(), root, "path " + hostile);
  }

  @ParameterizedTest
  @MethodSource("places")
  void blockReferences_outOfRangeOrOfTheWrongSize_areRefusedBeforeWriting(String place)
      throws IOException {
    Path root = root(place);
    Path repo = root.resolve("repo");
    BackupMetadata b;
    try (V2Repository r = open(repo)) {
      b = r.backup(source(root));
    }
    Path manifest = object(repo, "manifests/" + b.backupId());
    Path commit = object(repo, "commits/" + b.backupId());
    byte[] intactManifest = Files.readAllBytes(manifest);
    byte[] intactCommit = Files.readAllBytes(commit);
    long dataLength = Files.size(object(repo, "data/" + b.backupId()));
    Map<String, UnaryOperator<BlockRef>> attacks =
        Map.of(
            "archive index outside the chain",
            x ->
                with(
                    x, 1, x.blockNumber(), x.offset(), x.storedLength(), x.rawLength(), x.sha256()),
            "offset past the data object",
            x ->
                with(
                    x, 0, x.blockNumber(), dataLength, x.storedLength(), x.rawLength(), x.sha256()),
            "offset inside another block",
            x ->
                with(
                    x,
                    0,
                    x.blockNumber(),
                    x.offset() + 1,
                    x.storedLength(),
                    x.rawLength(),
                    x.sha256()),
            "a block number the archive does not hold",
            x ->
                with(
                    x,
                    0,
                    x.blockNumber() + 7,
                    x.offset(),
                    x.storedLength(),
                    x.rawLength(),
                    x.sha256()),
            "raw length one more",
            x ->
                with(
                    x,
                    0,
                    x.blockNumber(),
                    x.offset(),
                    x.storedLength(),
                    x.rawLength() + 1,
                    x.sha256()),
            "stored length one less",
            x ->
                with(
                    x,
                    0,
                    x.blockNumber(),
                    x.offset(),
                    x.storedLength() - 1,
                    x.rawLength(),
                    x.sha256()),
            "stored length reaching past the data object",
            x ->
                with(
                    x,
                    0,
                    x.blockNumber(),
                    x.offset(),
                    (int) dataLength + 1,
                    x.rawLength(),
                    x.sha256()),
            "another block's hash",
            x ->
                with(
                    x,
                    0,
                    x.blockNumber(),
                    x.offset(),
                    x.storedLength(),
                    x.rawLength(),
                    new byte[32]));
    for (Map.Entry<String, UnaryOperator<BlockRef>> attack : attacks.entrySet()) {
      for (boolean sizeFollows : new boolean[] {false, true}) {
        try (V2Repository r = open(repo)) {
          forge(
              r,
              b.backupId(),
              m ->
                  withRefs(
                      m,
                      "table",
                      refs -> {
                        List<BlockRef> out = new ArrayList<>(refs);
                        out.set(1, attack.getValue().apply(out.get(1)));
                        return out;
                      },
                      sizeFollows));
        }
        assertRefused(repo, b.id(), root, attack.getKey());
        Files.write(manifest, intactManifest);
        Files.write(commit, intactCommit);
      }
    }
    try (V2Repository r = open(repo)) {
      assertTrue(r.verify(b.id()).ok(), "the intact backup still verifies");
    }
  }

  @ParameterizedTest
  @MethodSource("places")
  void aBlockReference_intoABackupOfAnotherRepository_isRefusedBeforeWriting(String place)
      throws IOException {
    Path root = root(place);
    Path repo = root.resolve("repo");
    Path other = root.resolve("other");
    Path src = source(root);
    BackupMetadata mine;
    BackupMetadata foreign;
    V2Manifest.ChainEntry theirs;
    BlockRef theirBlock;
    try (V2Repository r = open(other)) { // same key and the same bytes, another repository
      foreign = r.backup(src);
      try (V2Backup fb = r.reader().open(foreign.backupId())) {
        theirs = fb.asChainEntry();
        theirBlock = fb.ownRefs().get(0);
      }
    }
    try (V2Repository r = open(repo)) {
      mine = r.backup(src);
    }
    // their objects planted in this repository, named in the chain table and referenced
    for (String key : objectsOf(foreign.backupId())) {
      Files.createDirectories(object(repo, key).getParent());
      Files.copy(object(other, key), object(repo, key));
    }
    BlockRef planted = theirBlock.withArchiveIndex(1);
    try (V2Repository r = open(repo)) {
      forge(
          r,
          mine.backupId(),
          m ->
              withRefs(
                  withArchives(m, List.of(theirs)),
                  "table",
                  refs -> {
                    List<BlockRef> out = new ArrayList<>(refs);
                    out.set(0, planted);
                    return out;
                  },
                  false));
    }
    IOException e = assertRefused(repo, mine.id(), root, "a block of another repository");
    assertTrue(e.getMessage().contains(foreign.backupId()), e.getMessage());
    // and referenced as if it were one of this archive's own blocks
    for (String key : objectsOf(foreign.backupId())) {
      Files.delete(object(repo, key));
    }
    try (V2Repository r = open(repo)) {
      forge(
          r,
          mine.backupId(),
          m ->
              withRefs(
                  withArchives(m, List.of()),
                  "table",
                  refs -> {
                    List<BlockRef> out = new ArrayList<>(refs);
                    out.set(0, theirBlock);
                    return out;
                  },
                  false));
    }
    assertRefused(repo, mine.id(), root, "a block of another repository as an own block");
    assertEquals(
        "inner",
        new String(Files.readAllBytes(src.resolve("nested/inner")), StandardCharsets.UTF_8));
  }
}
