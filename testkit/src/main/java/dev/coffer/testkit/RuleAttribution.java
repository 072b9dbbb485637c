package dev.coffer.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Makes every failure of a conformance test name the rule it checks: an exception that escapes a
 * test (a provider's {@code NullPointerException}, an {@code IOException} from a step the test did
 * not expect to fail) becomes a {@code "Pnn broken: ..."} assertion of the rule in the test
 * method's name, with the exception as its cause. Assertions and aborted tests (assumptions) pass
 * through unchanged.
 */
final class RuleAttribution implements TestExecutionExceptionHandler {

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable thrown)
      throws Throwable {
    if (thrown instanceof AssertionError || thrown instanceof TestAbortedException) {
      throw thrown;
    }
    String method = context.getRequiredTestMethod().getName();
    throw new AssertionError(
        rule(method)
            + " broken: "
            + context.getDisplayName()
            + " ended with an unexpected "
            + thrown,
        thrown);
  }

  /**
   * {@code p19_partialRestore...} gives {@code P19}; a method not named after a rule gives {@code
   * P?}.
   */
  static String rule(String method) {
    int underscore = method.indexOf('_');
    if (method.startsWith("p") && underscore > 1) {
      try {
        return "P" + Integer.parseInt(method.substring(1, underscore));
      } catch (NumberFormatException e) {
        // not a rule test
      }
    }
    return "P?";
  }
}
