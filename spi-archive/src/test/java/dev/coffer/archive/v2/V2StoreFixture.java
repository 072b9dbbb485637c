package dev.coffer.archive.v2;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.store.ObjectStores;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A version-2 repository on a {@code file} store under a root (on Jimfs or the real disk), with a
 * writer whose file opens are counted per path, and helpers to build, age and compare trees.
 */
final class V2StoreFixture implements Closeable {

  /**
   * Where a test runs: Jimfs (unix with POSIX and ctime views, macOS, Windows) or the real disk.
   */
  enum Where {
    JIMFS,
    JIMFS_OSX,
    JIMFS_WINDOWS,
    DISK
  }

  final Path root;
  final V2Location location;
  final ConcurrentHashMap<String, AtomicInteger> opens = new ConcurrentHashMap<>();
  private final FileSystem jimfs;
  private final Identities identities = Identities.symmetric(V2Fixtures.masterKey());

  private V2StoreFixture(Path root, FileSystem jimfs) throws IOException {
    this.root = root;
    this.jimfs = jimfs;
    this.location =
        new V2Location(ObjectStores.directory(root.resolve("store")), "repo/", UUID.randomUUID());
  }

  static V2StoreFixture on(Where where, Path tempDir) throws IOException {
    if (where == Where.DISK) {
      return new V2StoreFixture(tempDir, null);
    }
    Configuration config =
        switch (where) {
          case JIMFS_OSX -> Configuration.osX();
          case JIMFS_WINDOWS -> Configuration.windows();
          default ->
              Configuration.unix().toBuilder()
                  .setAttributeViews("basic", "owner", "posix", "unix")
                  .build();
        };
    FileSystem fs = Jimfs.newFileSystem(config);
    Path work = where == Where.JIMFS_WINDOWS ? fs.getPath("C:\\work") : fs.getPath("/work");
    return new V2StoreFixture(Files.createDirectories(work), fs);
  }

  V2ArchiveWriter writer(V2WriteOptions options) {
    return writer(options, f -> true);
  }

  /**
   * A writer that counts opens per file name and refuses to open any file {@code allowed} rejects.
   */
  V2ArchiveWriter writer(V2WriteOptions options, java.util.function.Predicate<Path> allowed) {
    BlockStream.FileOpener opener =
        f -> {
          if (!allowed.test(f)) {
            throw new IOException("injected failure opening " + f.getFileName());
          }
          opens
              .computeIfAbsent(f.getFileName().toString(), k -> new AtomicInteger())
              .incrementAndGet();
          return Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS);
        };
    return new V2ArchiveWriter(
        location,
        Recipients.symmetric(V2Fixtures.masterKey()),
        Optional.empty(),
        options,
        opener,
        Clock.systemUTC());
  }

  V2ArchiveReader reader() {
    return new V2ArchiveReader(location, identities);
  }

  /**
   * An incremental of {@code src} on the backup {@code baseId}, opened by this fixture's reader.
   */
  V2Summary incremental(Path src, String baseId, V2WriteOptions options) throws IOException {
    try (V2Backup base = reader().open(baseId)) {
      return writer(options).incremental(src, base);
    }
  }

  /**
   * Restores {@code backupId} into a new directory and asserts it equals {@code expected}'s
   * snapshot.
   */
  void assertRestoresTo(String backupId, TreeMap<String, String> expected) throws IOException {
    Path out = root.resolve("out-" + UUID.randomUUID());
    reader().restore(backupId, out);
    org.junit.jupiter.api.Assertions.assertEquals(
        expected, snapshot(out), "restore of " + backupId);
  }

  int opened(String fileName) {
    AtomicInteger n = opens.get(fileName);
    return n == null ? 0 : n.get();
  }

  long objectSize(String key) throws IOException {
    return location.store().stat(key).orElseThrow().sizeBytes();
  }

  Path store(String key) {
    Path p = root.resolve("store");
    for (String part : key.split("/")) {
      p = p.resolve(part);
    }
    return p;
  }

  /** Sets every regular file's modification time an hour back, out of any racy window. */
  static void age(Path tree) throws IOException {
    FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
    try (var s = Files.walk(tree)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setLastModifiedTime(p, old);
        }
      }
    }
  }

  /** A small tree: nested directories, an empty directory, empty and multi-block files, a link. */
  static void tree(Path src, long seed) throws IOException {
    Files.createDirectories(src.resolve("a/b/c"));
    Files.createDirectories(src.resolve("empty"));
    Files.write(src.resolve("a/pages.db"), V2Fixtures.pages(300_000, seed));
    Files.write(src.resolve("a/b/noise.bin"), V2Fixtures.noise(70_000, seed + 1));
    Files.write(
        src.resolve("a/b/c/small.txt"), "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.write(src.resolve("zero"), new byte[0]);
    Files.write(
        src.resolve("exact"), V2Fixtures.noise(2 * BlockSealer.DEFAULT_BLOCK_SIZE_BYTES, seed + 2));
    Files.createSymbolicLink(src.resolve("link"), src.getFileSystem().getPath("a/b/c/small.txt"));
  }

  /** Path -> kind and content hash (files), target (links), for comparing trees. */
  static TreeMap<String, String> snapshot(Path dir) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (!d.equals(dir)) {
              out.put(rel(dir, d), "dir");
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
            if (attrs.isSymbolicLink()) {
              out.put(rel(dir, f), "link " + Files.readSymbolicLink(f));
            } else {
              out.put(rel(dir, f), "file " + sha(f) + " " + attrs.lastModifiedTime().toMillis());
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  private static String rel(Path root, Path p) {
    List<String> parts = new ArrayList<>();
    for (Path part : root.relativize(p)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }

  private static String sha(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      MessageDigest md = BlockTable.sha256();
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    }
  }

  @Override
  public void close() throws IOException {
    location.store().close();
    if (jimfs != null) {
      jimfs.close();
    }
  }
}
