package dev.coffer.testkit;

import dev.coffer.store.ObjectStore;
import dev.coffer.store.StoreRule;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store conformance suite: extend it once per {@link ObjectStore} (and per configuration worth
 * checking) to test it against every rule of the store contract, S1 to S12. Each test is named
 * after the rule it checks and fails with {@code S7 broken: ...}. The checks themselves are {@link
 * StoreRule#check}, the same ones {@code coffer validate-store} runs against a real bucket.
 *
 * <pre>{@code
 * class MyStoreConformanceTest extends ObjectStoreConformance {
 *   @Override protected ObjectStore openStore() throws IOException {
 *     return ObjectStores.open(URI.create("mystore://bucket/tests"), Map.of("page-size", "7"));
 *   }
 * }
 * }</pre>
 *
 * <p>Give the store a small listing page size where it has one, so S9 lists across pages.
 */
public abstract class ObjectStoreConformance {

  private ObjectStore store;
  private String prefix;

  /** For subclasses. */
  protected ObjectStoreConformance() {}

  /**
   * Opens the store under test; called before each test, and the store is closed after it.
   *
   * @return a fresh open store
   * @throws IOException if it cannot be opened
   */
  protected abstract ObjectStore openStore() throws IOException;

  /**
   * Closes the store after a test; override to release what the store lives on as well (a file
   * system).
   *
   * @param store the store {@link #openStore} returned
   * @throws IOException if closing fails
   */
  protected void closeStore(ObjectStore store) throws IOException {
    store.close();
  }

  @BeforeEach
  final void openTheStore() throws IOException {
    store = openStore();
    prefix =
        "conformance-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "/";
  }

  @AfterEach
  final void closeTheStore() throws IOException {
    if (store != null) {
      try {
        if (!store.list(prefix).isEmpty()) {
          throw new AssertionError(
              "the check left objects behind under " + prefix + ": " + store.list(prefix));
        }
      } finally {
        closeStore(store);
      }
    }
  }

  private void check(StoreRule rule) throws IOException {
    rule.check(store, prefix);
  }

  @Test
  void s01_acceptsEveryValidKeyAndRefusesEveryOtherName() throws IOException {
    check(StoreRule.S1);
  }

  @Test
  void s02_writtenObjectsReadBackExactlyAtEverySize() throws IOException {
    check(StoreRule.S2);
  }

  @Test
  void s03_failedAndUnfinishedWritesAreInvisible() throws IOException {
    check(StoreRule.S3);
  }

  @Test
  void s04_replacingAnObjectIsAtomicForReaders() throws IOException {
    check(StoreRule.S4);
  }

  @Test
  void s05_ifAbsentRefusesAnExistingObjectAndLeavesItUnchanged() throws IOException {
    check(StoreRule.S5);
  }

  @Test
  void s06_missingObjectsAreNoSuchFileExceptionsNamingTheKey() throws IOException {
    check(StoreRule.S6);
  }

  @Test
  void s07_rangedReadsAreShortAtTheEndAndEmptyPastIt() throws IOException {
    check(StoreRule.S7);
  }

  @Test
  void s08_writesAndDeletesAreVisibleOnceTheyReturn() throws IOException {
    check(StoreRule.S8);
  }

  @Test
  void s09_listingsHoldEveryKeyOnceAcrossPagesAndNothingElse() throws IOException {
    check(StoreRule.S9);
  }

  @Test
  void s10_deletingAMissingObjectSucceeds() throws IOException {
    check(StoreRule.S10);
  }

  @Test
  void s11_statAndListReportSizeAndTime() throws IOException {
    check(StoreRule.S11);
  }

  @Test
  void s12_concurrentWritersAllSucceed() throws IOException {
    check(StoreRule.S12);
  }
}
