package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the repository's {@code ./coffer} script as a separate process. {@code COFFER_CLASSPATH}
 * makes it run this test class path instead of building and running the jar, so the script's
 * argument passing, exit codes and {@code main}'s stream handling are what is tested.
 */
class LauncherTest {
  private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("coffer");

  @TempDir Path tmp;

  record Outcome(int code, String out, String err) {}

  private Outcome coffer(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("COFFER_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("COFFER_REPO");
    pb.environment().remove("COFFER_KEY");
    pb.environment().remove("COFFER_PASSPHRASE");
    pb.environment().putAll(env);
    pb.redirectOutput(tmp.resolve("out.txt").toFile());
    pb.redirectError(tmp.resolve("err.txt").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "coffer did not finish");
    return new Outcome(
        p.exitValue(),
        Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void script_isExecutable_andRunsTheTool() throws Exception {
    assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " must be executable");
    Outcome v = coffer(Map.of(), "--version");
    assertEquals(0, v.code(), v.err());
    assertTrue(
        v.out().matches("coffer \\d+\\.\\d+\\.\\d+\\S*\\RJDK \\S+ \\(.+\\) at .+\\R"), v.out());
  }

  @Test
  void script_passesArgumentsAndExitCodesThrough() throws Exception {
    Outcome noRepo = coffer(Map.of(), "list");
    assertEquals(2, noRepo.code());
    assertEquals(
        "coffer: error: no repository given: use --repo URL or set COFFER_REPO",
        noRepo.err().strip());

    Path source = Files.createDirectories(tmp.resolve("dir with spaces"));
    Files.writeString(source.resolve("f"), "data");
    String key = "0123456789abcdef".repeat(4);
    Map<String, String> env =
        Map.of("COFFER_REPO", "coffer:fake:" + tmp.resolve("repo"), "COFFER_KEY", key);
    Outcome backup =
        coffer(env, "--json", "backup", source.toString(), "--label", "note=two words");
    assertEquals(0, backup.code(), backup.err());
    JsonNode doc = Json.mapper().readTree(backup.out());
    assertEquals("two words", doc.get("backup").get("labels").get("note").asText());
    assertEquals(source.toString(), doc.get("backup").get("sourceDir").asText());
    assertFalse(backup.out().contains(key) || backup.err().contains(key));

    Outcome missing = coffer(env, "verify", "no-such-id");
    assertEquals(3, missing.code());
    assertEquals(1, missing.err().lines().count(), missing.err());
  }
}
