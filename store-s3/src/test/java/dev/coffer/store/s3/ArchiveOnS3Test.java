package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import dev.coffer.WrongKeyException;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code archive} provider, format 2, on the {@code s3} store against a real S3 server (S3Proxy
 * in this JVM on 127.0.0.1), through {@code
 * BackupProviders.open("coffer:archive:s3://bucket/prefix?format=2&endpoint=...")} as a user opens
 * it: full and incremental backups, listing, verify, restore with content and POSIX modes, delete,
 * and a wrong key.
 */
class ArchiveOnS3Test {

  private static final String BUCKET = "archive-on-s3";
  private static final String KEY =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  private static final String OTHER_KEY =
      "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  private static S3ProxyServer server;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.shared(BUCKET);
  }

  /** The repository URL of {@code prefix}: store options in the URL, as a user writes them. */
  private static String url(String prefix) {
    return "coffer:archive:s3://"
        + BUCKET
        + "/"
        + prefix
        + "?format=2&endpoint="
        + server.endpoint()
        + "&region=us-east-1&path-style=true&part-size-mib=5";
  }

  private static BackupRepository open(String prefix, String key) throws IOException {
    return BackupProviders.open(url(prefix), Map.of("key", key));
  }

  @Test
  void backupIncrementalListVerifyRestoreAndDelete_throughAnS3Url() throws Exception {
    Path source = dir.resolve("pgdata");
    Files.createDirectories(source.resolve("base/1"));
    Random random = new Random(17);
    byte[] big = new byte[7 * 1024 * 1024]; // more than one 5 MiB part: a multipart upload
    random.nextBytes(big);
    Files.write(source.resolve("base/1/16384"), big);
    Files.writeString(source.resolve("PG_VERSION"), "15\n");
    Files.writeString(source.resolve("postgresql.conf"), "port = 5432\n");
    Files.writeString(source.resolve("gone.tmp"), "deleted before the incremental\n");
    chmod(source.resolve("PG_VERSION"), "rw-------");
    chmod(source.resolve("base"), "rwx------");
    chmod(source, "rwx------");

    BackupMetadata full;
    BackupMetadata incremental;
    try (BackupRepository repo = open("db1", KEY)) {
      assertEquals("s3://" + BUCKET + "/db1/", repo.info().location());
      full = repo.backup(BackupRequest.full(source).withLabel("lsn", "0/16B3748"));
      big[123_456] ^= 1;
      Files.write(source.resolve("base/1/16384"), big);
      Files.writeString(source.resolve("new.conf"), "added\n");
      Files.delete(source.resolve("gone.tmp"));
      incremental = repo.backup(BackupRequest.incrementalFromLatest(repo, source));
      assertEquals(full.backupId(), incremental.baseBackupId());
      long fullBytes = repo.storedBytes(BackupId.of(full.backupId()));
      long incrementalBytes = repo.storedBytes(BackupId.of(incremental.backupId()));
      assertTrue(
          incrementalBytes < fullBytes / 4,
          "only changed blocks are stored: " + incrementalBytes + " of " + fullBytes);
    }

    try (BackupRepository repo = open("db1", KEY)) {
      assertEquals(
          List.of(incremental.backupId(), full.backupId()),
          repo.list().stream().map(BackupMetadata::backupId).toList());
      assertEquals(Map.of("lsn", "0/16B3748"), repo.list().get(1).labels());
      assertTrue(repo.verify(BackupId.of(full.backupId())).ok());
      assertTrue(repo.verify(BackupId.of(incremental.backupId())).ok());
      Path target = dir.resolve("restored");
      repo.restore(RestoreRequest.of(BackupId.of(incremental.backupId()), target));
      assertEquals(snapshot(source), snapshot(target));
      assertEquals("rwx------", mode(target));
      assertEquals("rw-------", mode(target.resolve("PG_VERSION")));
      Path older = dir.resolve("older");
      repo.restore(RestoreRequest.of(BackupId.of(full.backupId()), older));
      assertTrue(Files.exists(older.resolve("gone.tmp")));
      assertFalse(Files.exists(older.resolve("new.conf")));

      assertThrows(BackupInUseException.class, () -> repo.delete(BackupId.of(full.backupId())));
      repo.delete(BackupId.of(incremental.backupId()));
      repo.delete(BackupId.of(full.backupId()));
      assertTrue(repo.list().isEmpty());
    }
    try (ObjectStore store = store("db1")) {
      assertEquals(
          List.of("coffer-repository"),
          store.list("").stream().map(ObjectInfo::key).toList(),
          "deleting both backups leaves the config alone in the bucket");
    }
  }

  @Test
  void aWrongKey_isWrongKeyException_andTheRepositoryIsUnchanged() throws Exception {
    Path source = dir.resolve("src");
    Files.createDirectories(source);
    Files.writeString(source.resolve("a"), "a");
    String id;
    try (BackupRepository repo = open("db2", KEY)) {
      id = repo.backup(BackupRequest.full(source)).backupId();
    }
    WrongKeyException e = assertThrows(WrongKeyException.class, () -> open("db2", OTHER_KEY));
    assertFalse(e.getMessage().contains(OTHER_KEY), e.getMessage());
    try (BackupRepository repo = open("db2", KEY)) {
      assertEquals(List.of(id), repo.list().stream().map(BackupMetadata::backupId).toList());
    }
  }

  @Test
  void twoHostsBackingUpToOnePrefixAtOnce_bothSucceed_andBothAreListed() throws Exception {
    Path source = dir.resolve("src");
    Files.createDirectories(source);
    byte[] data = new byte[3 * 1024 * 1024];
    new Random(5).nextBytes(data);
    Files.write(source.resolve("table"), data);
    open("db4", KEY).close(); // the config exists before the race: both hosts open it
    ExecutorService hosts = Executors.newFixedThreadPool(2);
    try {
      List<Future<String>> backups = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        backups.add(
            hosts.submit(
                () -> {
                  try (BackupRepository host = open("db4", KEY)) {
                    return host.backup(BackupRequest.full(source)).backupId();
                  }
                }));
      }
      Set<String> ids = new TreeSet<>();
      for (Future<String> b : backups) {
        ids.add(b.get());
      }
      assertEquals(2, ids.size(), "distinct ids: " + ids);
      try (BackupRepository repo = open("db4", KEY)) {
        assertEquals(
            ids, new TreeSet<>(repo.list().stream().map(BackupMetadata::backupId).toList()));
        for (String id : ids) {
          assertTrue(repo.verify(BackupId.of(id)).ok(), id);
        }
      }
    } finally {
      hosts.shutdownNow();
    }
  }

  @Test
  void format1OnS3_isRefusedWithAClearMessage_andNothingIsWritten() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BackupProviders.open(
                    url("db3").replace("format=2", "format=1"), Map.of("key", KEY)));
    assertTrue(e.getMessage().contains("format=2"), e.getMessage());
    assertFalse(e.getMessage().contains(KEY), e.getMessage());
    try (ObjectStore store = store("db3")) {
      assertTrue(store.list("").isEmpty(), "a refused open writes nothing");
    }
  }

  private static ObjectStore store(String prefix) throws IOException {
    return ObjectStores.open(
        URI.create("s3://" + BUCKET + "/" + prefix), server.options(server.endpoint()));
  }

  private static void chmod(Path p, String mode) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  /** Every entry under {@code root}: its mode and, for a file, the SHA-256 of its content. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String content = Files.isRegularFile(p) ? " " + sha256(Files.readAllBytes(p)) : "";
        out.put(root.relativize(p).toString(), mode(p) + content);
      }
    }
    return out;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
