package dev.coffer.examples.s3;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import dev.coffer.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Coffer on S3 in one command, with no account and no server to install: starts S3Proxy on
 * 127.0.0.1 (objects in memory), then backs a directory up through {@code
 * coffer:archive:s3://coffer-example/demo?format=2&endpoint=...&path-style=true}, lists the
 * repository, verifies the backup, restores it into a new directory and compares every file and
 * directory with the source.
 *
 * <pre>
 * mvn -B -q -pl examples/s3 -am package -DskipTests -Prun-example [-Dexec.args="/some/directory"]
 * </pre>
 *
 * <p>Argument: the directory to back up (by default a small generated tree, with one file larger
 * than a multipart part). The key is random for the run; the credentials are the loopback server's,
 * given to the AWS SDK through its default chain (system properties), never in the URL.
 */
public final class S3BackupExample {

  static final String BUCKET = "coffer-example";

  private final PrintStream out;

  S3BackupExample(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the example.
   *
   * @param args {@code [directory]}
   * @throws Exception if any step fails; the message says which
   */
  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("coffer-s3-example");
    Path source = args.length > 0 ? Path.of(args[0]) : sampleTree(work.resolve("source"));
    new S3BackupExample(System.out).run(source, work.resolve("restored"));
  }

  /**
   * Starts the server, backs {@code source} up, lists, verifies, restores into {@code target} and
   * compares.
   *
   * @return the number of entries (files and directories) compared equal
   */
  int run(Path source, Path target) throws Exception {
    LoopbackS3.useAsSdkCredentials();
    try (LoopbackS3 server = LoopbackS3.start(0, null, -1, BUCKET)) {
      String url =
          "coffer:archive:s3://"
              + BUCKET
              + "/demo?format=2&endpoint="
              + server.endpoint()
              + "&region=us-east-1&path-style=true&part-size-mib=5";
      out.println("1. S3Proxy serves S3 on " + server.endpoint() + " (objects in memory)");
      out.println("   repository: " + url);
      String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
      try (BackupRepository repo = BackupProviders.open(url, Map.of("key", key))) {
        BackupMetadata backup = repo.backup(BackupRequest.full(source));
        out.printf(
            "2. backup %s of %s: %d files, %d bytes, %d bytes stored in the bucket%n",
            backup.backupId(),
            source,
            backup.totalFiles(),
            backup.totalBytes(),
            repo.storedBytes(BackupId.of(backup.backupId())));
        List<BackupMetadata> listed = repo.list();
        out.println("3. list: " + listed.stream().map(BackupMetadata::backupId).toList());
        if (listed.size() != 1 || !listed.get(0).backupId().equals(backup.backupId())) {
          throw new IllegalStateException("list does not show exactly the backup just made");
        }
        BackupId id = BackupId.of(backup.backupId());
        VerifyReport report = repo.verify(id);
        out.println("4. verify: " + (report.ok() ? "OK" : "FAILED " + report.problems()));
        if (!report.ok()) {
          throw new IllegalStateException("verify found problems: " + report.problems());
        }
        repo.restore(RestoreRequest.of(id, target));
        out.println("5. restored into " + target);
      }
    }
    Map<String, String> expected = tree(source);
    Map<String, String> restored = tree(target);
    if (!expected.equals(restored)) {
      throw new IllegalStateException(
          "the restore differs from the source: "
              + expected.size()
              + " entries against "
              + restored.size());
    }
    out.println(
        "6. compared: " + expected.size() + " files and directories equal (content and size)");
    return expected.size();
  }

  /** Every entry under {@code root}: its relative name and what it is (a digest for a file). */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String name = root.relativize(p).toString().replace('\\', '/');
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          entries.put(name, "directory");
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          entries.put(name, Files.size(p) + " " + sha256(p));
        } else {
          entries.put(name, "other");
        }
      }
    }
    return entries;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A small tree: text files, an empty directory and one 7 MiB file (a multipart upload). */
  static Path sampleTree(Path root) throws IOException {
    Files.createDirectories(root.resolve("base/1"));
    Files.createDirectories(root.resolve("pg_wal/archive_status"));
    Files.writeString(root.resolve("PG_VERSION"), "15\n");
    Files.writeString(root.resolve("postgresql.conf"), "port = 5432\nshared_buffers = 128MB\n");
    byte[] table = new byte[7 * 1024 * 1024];
    new Random(17).nextBytes(table);
    Files.write(root.resolve("base/1/16384"), table);
    Files.writeString(root.resolve("base/1/PG_VERSION"), "15\n");
    return root;
  }
}
