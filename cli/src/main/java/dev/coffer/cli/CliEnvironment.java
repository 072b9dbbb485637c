package dev.coffer.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * What the tool reads from its surroundings besides its arguments: environment variables, whether a
 * human is watching, and a way to ask for a passphrase without echo. Tests pass their own.
 *
 * @param variables environment variables
 * @param terminal whether the standard streams are attached to a terminal (progress bar, prompts)
 * @param passwords reads a secret without echo, or returns null when no console is present
 */
record CliEnvironment(Map<String, String> variables, boolean terminal, PasswordReader passwords) {

  /** Reads a secret from the user without echoing it. */
  @FunctionalInterface
  interface PasswordReader {
    /**
     * Asks for a secret.
     *
     * @param prompt the prompt to show
     * @return the secret (the caller clears it), or null when no one can be asked
     */
    char[] read(String prompt);
  }

  CliEnvironment {
    variables = Map.copyOf(variables);
  }

  String variable(String name) {
    String v = variables.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** The real process environment and console. */
  static CliEnvironment system() {
    Console console = System.console();
    boolean terminal = isTerminal(console);
    return new CliEnvironment(
        System.getenv(),
        terminal,
        prompt -> {
          Console c = System.console();
          return c != null && isTerminal(c) ? c.readPassword("%s", prompt) : null;
        });
  }

  /**
   * Whether {@code console} is a real terminal. From JDK 22 {@link System#console()} returns a
   * console even when the streams are redirected, and {@code Console.isTerminal()} tells the
   * difference.
   */
  private static boolean isTerminal(Console console) {
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
