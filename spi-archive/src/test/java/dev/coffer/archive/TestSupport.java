package dev.coffer.archive;

import dev.coffer.testkit.BackupProviderConformance.Fs;
import dev.coffer.testkit.JimfsRoots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Shared fixtures: file systems, trees, keys and repositories with injected randomness. */
final class TestSupport {

  static final String KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  static final String OTHER_KEY_HEX =
      "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

  private TestSupport() {}

  /** Options with a raw key. */
  static Map<String, String> keyOptions(String hex) {
    Map<String, String> o = new HashMap<>();
    o.put("key", hex);
    o.put("threads", "2");
    return o;
  }

  /** Options with a passphrase and cheap Argon2 parameters. */
  static Map<String, String> passphraseOptions(String passphrase) {
    Map<String, String> o = new HashMap<>();
    o.put("passphrase", passphrase);
    o.put("argon2-memory-kib", "64");
    o.put("argon2-iterations", "1");
    o.put("argon2-parallelism", "1");
    o.put("threads", "2");
    return o;
  }

  static Map<String, String> plainOptions() {
    Map<String, String> o = new HashMap<>();
    o.put("mode", "plain");
    o.put("threads", "2");
    return o;
  }

  /** A repository with deterministic randomness, clock and ids. */
  static ArchiveRepository deterministic(
      Path location, Map<String, String> options, long seed, String id, int chunkSize)
      throws IOException {
    Random r = new Random(seed);
    return ArchiveBackupProvider.open(
        location,
        options,
        r::nextBytes,
        Clock.fixed(T0, ZoneOffset.UTC),
        () -> id,
        chunkSize,
        GcmWarmupSwitch.fromSystemProperty());
  }

  static ArchiveRepository open(Path location, Map<String, String> options) throws IOException {
    return (ArchiveRepository) new ArchiveBackupProvider().open(location, options);
  }

  static Stream<String> fileSystems() {
    return Stream.of("unix", "osx", "windows");
  }

  static FileSystem jimfs(String kind) {
    return JimfsRoots.of(
            kind.equals("osx") ? Fs.OSX : kind.equals("windows") ? Fs.WINDOWS : Fs.UNIX)
        .getFileSystem();
  }

  /** The places a test of both file systems runs in: the disk, and a unix Jimfs. */
  static Stream<String> places() {
    return Stream.of("disk", "jimfs");
  }

  /** A test's directory at {@code place} ({@link #places}): {@code disk}, or a fresh Jimfs root. */
  static Path root(String place, Path disk) {
    return place.equals("disk") ? disk : root(jimfs("unix"));
  }

  /** Root directory of a fresh Jimfs of {@code kind}. */
  static Path root(FileSystem fs) {
    return fs.getRootDirectories().iterator().next();
  }

  /** A small source tree: nested files, an empty directory, compressible and random content. */
  static Path sampleSource(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("wal_tail"));
    Files.createDirectories(dir.resolve("empty/nested"));
    write(dir.resolve("backup_manifest.json"), "{\"x\":1}");
    write(dir.resolve("wal_tail/segment_1.aedbwal"), "segment");
    write(dir.resolve("wal_tail/zero"), "");
    byte[] rnd = new byte[3000];
    new Random(7).nextBytes(rnd);
    Files.write(dir.resolve("random.bin"), rnd);
    Files.write(
        dir.resolve("text.txt"), "hello coffer ".repeat(500).getBytes(StandardCharsets.UTF_8));
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          Files.setLastModifiedTime(p, FileTime.from(T0.minusSeconds(3600)));
        }
      }
    }
    return dir;
  }

  static void write(Path p, String content) throws IOException {
    Files.write(p, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Names in a directory (to check that nothing was left behind). */
  static List<String> names(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    }
    out.sort(null);
    return out;
  }

  /**
   * Backs up {@code request} (its own listener still called) and checks its progress: no report
   * past its totals, one naming {@code told}, and the last one equal to the backup's totals.
   */
  static dev.coffer.BackupMetadata backUpCheckingProgress(
      dev.coffer.BackupRepository repo, dev.coffer.BackupRequest request, String told)
      throws IOException {
    List<dev.coffer.Progress> seen = new ArrayList<>();
    dev.coffer.BackupMetadata md =
        repo.backup(
            request.withProgress(
                p -> {
                  seen.add(p);
                  request.progress().onProgress(p);
                }));
    for (dev.coffer.Progress p : seen) {
      org.junit.jupiter.api.Assertions.assertTrue(
          p.bytesDone() <= p.bytesTotal() && p.filesDone() <= p.filesTotal(), p.toString());
    }
    org.junit.jupiter.api.Assertions.assertTrue(
        seen.stream().anyMatch(p -> p.currentPath().equals(told)),
        "the changed or vanished file is told: " + seen);
    dev.coffer.Progress last = seen.get(seen.size() - 1);
    org.junit.jupiter.api.Assertions.assertEquals(
        List.of(md.totalFiles(), md.totalFiles(), md.totalBytes(), md.totalBytes()),
        List.of(last.filesDone(), last.filesTotal(), last.bytesDone(), last.bytesTotal()),
        last.toString());
    return md;
  }
}
