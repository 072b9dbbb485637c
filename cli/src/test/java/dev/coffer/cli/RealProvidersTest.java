package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job and the key handling, against the real {@code local} and {@code archive}
 * providers (runtime dependencies of this module, reached only through the public API).
 */
class RealProvidersTest {
  @TempDir Path tmp;

  @Test
  void demo_withTheDefaultProviders_passesEveryCheck() {
    JsonNode doc =
        new CliRun()
            .run("demo", "--dir", tmp.resolve("demo").toString(), "--json")
            .expect(0)
            .json();
    assertTrue(doc.get("ok").asBoolean(), doc::toString);
    assertEquals(18, doc.get("checks").asInt(), doc::toString);
    List<String> providers = new java.util.ArrayList<>();
    doc.get("steps")
        .forEach(
            s -> {
              if (s.has("provider") && !providers.contains(s.get("provider").asText())) {
                providers.add(s.get("provider").asText());
              }
            });
    assertEquals(List.of("local", "archive"), providers);
    assertFalse(Files.exists(tmp.resolve("demo")));
  }

  /**
   * One archive planted from another key, and one local backup whose metadata is garbage: list()
   * leaves them out, the rest keeps working, and {@code verify --all} names each as failed (issue
   * 16).
   */
  @Test
  void verifyAll_namesBackupsThatListLeavesOut_andTheRestStillVerify() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(source.resolve("f"), "data\n".repeat(100));
    Path key = tmp.resolve("db.key");
    Path otherKey = tmp.resolve("other.key");
    CliRun cli = new CliRun();
    cli.run("keygen", key.toString()).expect(0);
    cli.run("keygen", otherKey.toString()).expect(0);
    String archive = "coffer:archive:" + tmp.resolve("repo");
    String good =
        cli.run(
                "--repo",
                archive,
                "backup",
                source.toString(),
                "--key-file",
                key.toString(),
                "--json")
            .expect(0)
            .json()
            .get("backup")
            .get("backupId")
            .asText();
    String planted =
        cli.run(
                "--repo",
                "coffer:archive:" + tmp.resolve("other"),
                "backup",
                source.toString(),
                "--key-file",
                otherKey.toString(),
                "--json")
            .expect(0)
            .json()
            .get("backup")
            .get("backupId")
            .asText();
    Files.copy(
        tmp.resolve("other").resolve(planted + ".coffer"),
        tmp.resolve("repo").resolve(planted + ".coffer"));
    JsonNode listed =
        cli.run("--repo", archive, "list", "--key-file", key.toString(), "--json").expect(0).json();
    assertEquals(1, listed.get("backups").size(), listed::toString);
    JsonNode all =
        cli.run("--repo", archive, "verify", "--all", "--key-file", key.toString(), "--json")
            .expect(1)
            .json();
    assertEquals(List.of(planted), failedIds(all));
    assertEquals(2, all.get("reports").size(), all::toString);
    assertTrue(all.toString().contains(good));

    String local = "coffer:local:" + tmp.resolve("local-repo");
    String a =
        cli.run("--repo", local, "backup", source.toString(), "--json")
            .expect(0)
            .json()
            .get("backup")
            .get("backupId")
            .asText();
    String b =
        cli.run("--repo", local, "backup", source.toString(), "--json")
            .expect(0)
            .json()
            .get("backup")
            .get("backupId")
            .asText();
    Files.writeString(tmp.resolve("local-repo").resolve(b).resolve("metadata.json"), "{ not json");
    assertEquals(
        1, cli.run("--repo", local, "list", "--json").expect(0).json().get("backups").size());
    JsonNode localAll = cli.run("--repo", local, "verify", "--all", "--json").expect(1).json();
    assertEquals(List.of(b), failedIds(localAll));
    assertTrue(localAll.toString().contains(a));
  }

  private static List<String> failedIds(JsonNode verifyAll) {
    List<String> failed = new java.util.ArrayList<>();
    verifyAll
        .get("reports")
        .forEach(
            r -> {
              if (!r.get("ok").asBoolean()) {
                failed.add(r.get("backupId").asText());
              }
            });
    return failed;
  }

  @Test
  void archive_withAKeygenKeyFile_backsUpVerifiesAndRestores_andAWrongKeyExits1()
      throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src/wal"));
    Files.writeString(source.resolve("000001.log"), "segment one\n".repeat(1000));
    Path key = tmp.resolve("db.key");
    CliRun cli = new CliRun().with("COFFER_REPO", "coffer:archive:" + tmp.resolve("repo"));
    cli.run("keygen", key.toString()).expect(0);
    String id =
        cli.run("backup", tmp.resolve("src").toString(), "--key-file", key.toString(), "--json")
            .expect(0)
            .json()
            .get("backup")
            .get("backupId")
            .asText();
    assertTrue(
        cli.run("verify", id, "--key-file", key.toString(), "--json")
            .expect(0)
            .json()
            .get("ok")
            .asBoolean());
    cli.run("restore", "latest", tmp.resolve("out").toString(), "--key-file", key.toString())
        .expect(0);
    assertEquals(List.of(), DemoTree.differences(tmp.resolve("src"), tmp.resolve("out")));

    Path other = tmp.resolve("other.key");
    cli.run("keygen", other.toString()).expect(0);
    CliRun.Result wrong = cli.run("verify", id, "--key-file", other.toString());
    assertEquals(1, wrong.code(), wrong.err());
    String keyHex = Files.readString(key).strip();
    String otherHex = Files.readString(other).strip();
    assertFalse(wrong.err().contains(keyHex) || wrong.err().contains(otherHex), wrong.err());
    assertEquals(1, cli.run("list", "--no-prompt").code(), "an encrypted repository without a key");
  }

  @Test
  void local_followsNamedLinks_skipsSocketsWithAWarning_andRestoresModesAndOwnersByPolicy()
      throws Exception {
    Path source = Files.createDirectories(tmp.resolve("pgdata"));
    Files.writeString(source.resolve("PG_VERSION"), "15");
    Files.setPosixFilePermissions(
        source.resolve("PG_VERSION"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(
        source, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path wal = Files.createDirectories(tmp.resolve("wal"));
    Files.writeString(wal.resolve("000000010000000000000001"), "wal");
    Files.createSymbolicLink(source.resolve("pg_wal"), wal);
    CliRun cli = new CliRun().with("COFFER_REPO", "coffer:local:" + tmp.resolve("repo"));
    try (java.nio.channels.ServerSocketChannel server =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(source.resolve(".s.PGSQL.5432")));
      CliRun.Result refused = cli.run("backup", source.toString(), "--special-files", "fail");
      assertEquals(3, refused.code(), refused.err());
      assertTrue(refused.err().contains(".s.PGSQL.5432"), refused.err());
      assertEquals(2, cli.run("backup", source.toString(), "--special-files", "sometimes").code());

      CliRun.Result done =
          cli.run("backup", source.toString(), "--follow-link", "pg_wal", "--json").expect(0);
      assertTrue(
          done.err().contains("coffer: warning: skipped special file .s.PGSQL.5432 (socket)"),
          done.err());
      assertEquals(
          "SKIPPED_SPECIAL_FILE",
          done.json().get("backup").get("warnings").get(0).get("kind").asText());
    }
    JsonNode restored =
        cli.run("restore", "latest", tmp.resolve("out").toString(), "--owners", "current", "--json")
            .expect(0)
            .json();
    assertEquals("CURRENT", restored.get("owners").asText());
    assertTrue(
        Files.isDirectory(tmp.resolve("out/pg_wal"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals("wal", Files.readString(tmp.resolve("out/pg_wal/000000010000000000000001")));
    assertEquals(
        "rwx------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(tmp.resolve("out"))));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(tmp.resolve("out/PG_VERSION"))));
  }

  @Test
  void verifyAll_withTheLocalProvider_showsProgressPerBackupFileByFile_andReportsEachAndTheTotals()
      throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src/wal"));
    Files.writeString(source.resolve("000001.log"), "segment one\n".repeat(1000));
    Files.writeString(tmp.resolve("src/base.dat"), "x".repeat(5000));
    CliRun cli = new CliRun().with("COFFER_REPO", "coffer:local:" + tmp.resolve("repo"));
    cli.run("backup", tmp.resolve("src").toString(), "--quiet").expect(0);
    cli.run("backup", tmp.resolve("src").toString(), "--quiet").expect(0);

    CliRun.Result r = cli.run("verify", "--all", "--json").expect(0);
    JsonNode doc = r.json();
    assertEquals(2, doc.get("backups").asInt());
    assertEquals(0, doc.get("failed").asInt());
    assertEquals(4, doc.get("filesChecked").asLong());
    assertEquals(2 * 17_000, doc.get("bytesChecked").asLong());
    List<JsonNode> finals = new java.util.ArrayList<>();
    for (String line : r.err().lines().toList()) {
      JsonNode n = Json.mapper().readTree(line);
      assertEquals("VERIFY", n.get("phase").asText(), line);
      if (n.get("done").asBoolean()) {
        finals.add(n);
      }
    }
    assertEquals(2, finals.size(), "one finished progress stream per backup: " + r.err());
    for (JsonNode n : finals) {
      assertEquals(2, n.get("filesDone").asLong(), n::toString);
      assertEquals(2, n.get("filesTotal").asLong(), "the provider's own totals, not -1: " + n);
      assertEquals(17_000, n.get("bytesTotal").asLong(), n::toString);
    }

    String human = cli.run("verify", "--all").expect(0).out();
    assertEquals(2, human.lines().filter(l -> l.startsWith("ok     ")).count(), human);
    assertTrue(human.contains("All 2 backups verified: 4 files, "), human);
  }

  /** Format 2 needs no CLI option of its own: the URL's {@code format=2} reaches the provider. */
  @Test
  void archiveFormat2_throughTheRepositoryUrl_backsUpIncrementallyListsVerifiesAndRestores()
      throws IOException {
    CliRun cli =
        new CliRun().with("COFFER_REPO", "coffer:archive:" + tmp.resolve("repo") + "?format=2");
    backupIncrementalListVerifyRestore(cli, tmp);
    assertTrue(Files.isRegularFile(tmp.resolve("repo/coffer-repository")));
  }

  /**
   * Through {@code cli}'s repository: a full backup of {@code tmp/src} (with a key made by {@code
   * keygen}), an incremental from latest after one new file, both listed and verified, and the
   * latest restored to {@code tmp/out} equal to the source.
   */
  static void backupIncrementalListVerifyRestore(CliRun cli, Path tmp) throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src/base"));
    Files.writeString(source.resolve("16384"), "page one\n".repeat(10000));
    Path key = tmp.resolve("db.key");
    cli.run("keygen", key.toString()).expect(0);
    cli.run("backup", tmp.resolve("src").toString(), "--key-file", key.toString()).expect(0);
    Files.writeString(source.resolve("16385"), "page two\n");
    JsonNode incr =
        cli.run(
                "backup",
                tmp.resolve("src").toString(),
                "--key-file",
                key.toString(),
                "--incremental-from",
                "latest",
                "--json")
            .expect(0)
            .json()
            .get("backup");
    assertEquals("INCREMENTAL", incr.get("backupType").asText(), incr::toString);
    JsonNode listed = cli.run("list", "--key-file", key.toString(), "--json").expect(0).json();
    assertEquals(2, listed.get("backups").size(), listed::toString);
    cli.run("verify", "--all", "--key-file", key.toString()).expect(0);
    cli.run("restore", "latest", tmp.resolve("out").toString(), "--key-file", key.toString())
        .expect(0);
    assertEquals(List.of(), DemoTree.differences(tmp.resolve("src"), tmp.resolve("out")));
  }

  /**
   * {@code keygen --x25519} writes an identity and prints its recipient; a host given only the
   * recipient backs up to a write-only repository and cannot list it; the identity lists and
   * restores.
   */
  @Test
  void keygenX25519_recipientBacksUpWriteOnly_andTheIdentityRestores() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src/base"));
    Files.writeString(source.resolve("16384"), "page\n".repeat(1000));
    Path identity = tmp.resolve("ops.identity");
    CliRun cli = new CliRun();
    JsonNode keys = cli.run("keygen", "--x25519", identity.toString(), "--json").expect(0).json();
    String recipient = keys.get("recipient").asText();
    assertTrue(recipient.startsWith("coffer-x25519-public:"), recipient);
    assertTrue(Files.readString(identity).startsWith("coffer-x25519-secret:"));
    Path recipients = tmp.resolve("recipients.txt");
    Files.writeString(recipients, recipient + "\n");
    String repo = "coffer:archive:" + tmp.resolve("repo") + "?format=2";
    CliRun host = new CliRun().with("COFFER_REPO", repo + "&recipients-file=" + recipients);
    host.run("backup", tmp.resolve("src").toString()).expect(0);
    CliRun.Result blind = host.run("list", "--no-prompt");
    assertTrue(blind.code() != 0, "a write-only host lists nothing: " + blind.out());
    CliRun reader = new CliRun().with("COFFER_REPO", repo + "&identity-file=" + identity);
    JsonNode listed = reader.run("list", "--json").expect(0).json();
    assertEquals(1, listed.get("backups").size(), listed::toString);
    reader.run("restore", "latest", tmp.resolve("out").toString()).expect(0);
    assertEquals(List.of(), DemoTree.differences(tmp.resolve("src"), tmp.resolve("out")));
  }

  /**
   * {@code keygen --ed25519} writes a host key and prints its public key: backups signed with it
   * are listed by a reader trusting it, and by no reader trusting another host.
   */
  @Test
  void keygenEd25519_signsBackups_andTrustedHostListsOnlyThose() throws IOException {
    Files.createDirectories(tmp.resolve("src"));
    Files.writeString(tmp.resolve("src/PG_VERSION"), "15\n");
    Path key = tmp.resolve("db.key");
    Path hostKey = tmp.resolve("db1.host");
    Path otherHost = tmp.resolve("db2.host");
    CliRun cli = new CliRun();
    cli.run("keygen", key.toString()).expect(0);
    String db1 =
        cli.run("keygen", "--ed25519", hostKey.toString(), "--json")
            .expect(0)
            .json()
            .get("publicKey")
            .asText();
    String db2 =
        cli.run("keygen", "--ed25519", otherHost.toString(), "--json")
            .expect(0)
            .json()
            .get("publicKey")
            .asText();
    assertTrue(db1.startsWith("coffer-ed25519-public:"), db1);
    String repo = "coffer:archive:" + tmp.resolve("repo") + "?format=2";
    cli.run(
            "--repo",
            repo + "&host-key-file=" + hostKey,
            "backup",
            tmp.resolve("src").toString(),
            "--key-file",
            key.toString())
        .expect(0);
    JsonNode trusted =
        cli.run(
                "--repo",
                repo + "&trusted-host=" + db1,
                "list",
                "--key-file",
                key.toString(),
                "--json")
            .expect(0)
            .json();
    assertEquals(1, trusted.get("backups").size(), trusted::toString);
    JsonNode other =
        cli.run(
                "--repo",
                repo + "&trusted-host=" + db2,
                "list",
                "--key-file",
                key.toString(),
                "--json")
            .expect(0)
            .json();
    assertEquals(0, other.get("backups").size(), other::toString);
    cli.run("keygen", "--x25519", "--ed25519", tmp.resolve("both").toString()).expect(2);
  }
}
