package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the tool in-process with captured streams and a chosen environment. */
final class CliRun {
  final Map<String, String> env = new HashMap<>();
  boolean terminal;
  CliEnvironment.PasswordReader passwords = prompt -> null;
  final List<String> prompts = new ArrayList<>();

  /** The outcome of one run. */
  record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return Json.mapper().readTree(out);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new UncheckedIOException(
            new java.io.IOException("stdout is not one JSON document: " + out + " / " + err, e));
      }
    }

    Result expect(int expected) {
      assertEquals(expected, code, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
      return this;
    }
  }

  CliRun with(String name, String value) {
    env.put(name, value);
    return this;
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliEnvironment e =
        new CliEnvironment(
            env,
            terminal,
            prompt -> {
              prompts.add(prompt);
              return passwords.read(prompt);
            });
    int code = CofferCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), e);
    return new Result(code, out.toString(), err.toString());
  }
}
