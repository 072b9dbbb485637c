package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code coffer verify} on a write-only host (issue 19): it checks structure and signatures and
 * says that file content was not checked; with the identity it reads every byte and says nothing of
 * the kind.
 */
class WriteOnlyVerifyTest {
  @TempDir Path tmp;

  @Test
  void verifyWithoutAnIdentity_saysContentWasNotChecked_andWithItReadsEveryByte()
      throws IOException {
    Files.createDirectories(tmp.resolve("src/base"));
    Files.writeString(tmp.resolve("src/base/16384"), "page\n".repeat(1000));
    Path identity = tmp.resolve("ops.identity");
    String recipient =
        new CliRun()
            .run("keygen", "--x25519", identity.toString(), "--json")
            .expect(0)
            .json()
            .get("recipient")
            .asText();
    String repo = "coffer:archive:" + tmp.resolve("repo") + "?format=2";
    Path recipients = Files.writeString(tmp.resolve("recipients.txt"), recipient + "\n");
    CliRun host = new CliRun().with("COFFER_REPO", repo + "&recipients-file=" + recipients);
    host.run("backup", tmp.resolve("src").toString()).expect(0);
    CliRun reader = new CliRun().with("COFFER_REPO", repo + "&identity-file=" + identity);
    String id =
        reader
            .run("list", "--json")
            .expect(0)
            .json()
            .get("backups")
            .get(0)
            .get("backupId")
            .asText();

    CliRun.Result blind = host.run("verify", id).expect(0);
    assertTrue(blind.out().contains("content NOT checked"), blind.out());
    assertTrue(blind.out().contains("identity-file"), blind.out());
    JsonNode json = host.run("verify", id, "--json").expect(0).json();
    assertFalse(json.get("reports").get(0).get("contentChecked").asBoolean(), json::toString);
    assertEquals(0, json.get("bytesChecked").asLong(), json::toString);

    CliRun.Result full = reader.run("verify", id).expect(0);
    assertFalse(full.out().contains("NOT checked"), full.out());
    JsonNode read = reader.run("verify", id, "--json").expect(0).json();
    assertTrue(read.get("reports").get(0).get("contentChecked").asBoolean(), read::toString);
    assertEquals(5000, read.get("bytesChecked").asLong(), read::toString);
  }
}
