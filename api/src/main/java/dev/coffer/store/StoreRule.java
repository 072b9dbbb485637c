package dev.coffer.store;

import java.io.IOException;
import java.util.Locale;

/**
 * The rules of the store contract, each with a check that runs it against a live store: the
 * conformance suite in {@code coffer-testkit} runs one test per rule, and {@code coffer
 * validate-store} runs them all against a user's bucket. The rules themselves are in the
 * {@linkplain dev.coffer.store package documentation} and {@code docs/contract.md}.
 *
 * <p>A check writes only under the prefix it is given (in a sub-prefix named after the rule) and
 * deletes what it wrote, also when it fails. A broken promise is an {@link AssertionError} whose
 * message starts {@code S3 broken: }; an {@link IOException} means the store failed in a way the
 * rule does not excuse.
 */
public enum StoreRule {
  /** S1: every key of the alphabet is accepted, every other name refused before any I/O. */
  S1("accepts every valid key and refuses every other name before any I/O"),
  /** S2: once {@code write} returns, the object reads back as exactly the bytes written. */
  S2("a written object reads back exactly, at every size (empty, small, multi-part)"),
  /**
   * S3: a write is complete or absent: a failed write leaves nothing, readers never see a partial
   * object.
   */
  S3("a write is all or nothing: a failed or unfinished write is invisible"),
  /** S4: replacing an object is atomic for readers. */
  S4("replacing an object is atomic: readers see the old bytes or the new, never a mix"),
  /** S5: {@code IF_ABSENT} refuses an existing object and leaves it unchanged. */
  S5(
      "IF_ABSENT refuses an existing object with FileAlreadyExistsException and leaves it unchanged"),
  /** S6: a missing object is a {@code NoSuchFileException} naming the key; stat says empty. */
  S6("a missing object is a NoSuchFileException naming its key; stat is empty"),
  /** S7: a range past the end is short or empty, never an error; a negative range is refused. */
  S7("ranged reads return the bytes in range, short at the end, empty past it"),
  /** S8: a listing shows an object once its write returned, and not once its delete returned. */
  S8("list, stat and read see a write once it returned, and a delete once it returned"),
  /**
   * S9: a listing holds every key under the prefix exactly once, across pages, and nothing else.
   */
  S9("a listing holds every key with the prefix exactly once, across pages, and nothing else"),
  /** S10: deleting is idempotent. */
  S10("deleting a missing object succeeds"),
  /** S11: stat reports the size and a plausible time. */
  S11("stat and list report the size and the time of writing"),
  /** S12: the store is thread-safe under concurrent writers and readers. */
  S12("concurrent writes of different keys all succeed and read back");

  private final String title;

  StoreRule(String title) {
    this.title = title;
  }

  /**
   * One line saying what the rule promises.
   *
   * @return the title
   */
  public String title() {
    return title;
  }

  /**
   * Checks this rule against {@code store}, writing only under {@code prefix}.
   *
   * @param store the store to check
   * @param prefix a key prefix ending in {@code /} that holds no objects of anyone else
   * @throws AssertionError if the store breaks the rule; the message starts with the rule's name
   * @throws IOException if the store fails in a way the rule does not allow
   * @throws IllegalArgumentException if the prefix is not a valid prefix ending in {@code /}
   */
  public void check(ObjectStore store, String prefix) throws IOException {
    ObjectKeys.checkPrefix(prefix);
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix must end with '/': " + prefix);
    }
    String base = prefix + name().toLowerCase(Locale.ROOT) + "/";
    StoreChecks checks = new StoreChecks(this, store, base);
    try {
      checks.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking " + name(), e);
    } finally {
      checks.cleanUp();
    }
  }
}
