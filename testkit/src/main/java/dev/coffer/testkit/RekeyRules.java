package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.RekeyReport;
import dev.coffer.RestoreRequest;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Rule P36 of the provider contract: key rotation ({@link BackupRepository#rekey}) of a repository
 * whose {@code info()} supports {@link Capability#REKEY} changes no stored byte of data (every
 * stored file larger than {@value #SMALL} bytes stays byte-equal, and what it writes does not grow
 * with the backups' size), after it the old keys fail with {@link WrongKeyException} and the new
 * keys restore every backup as it was; without the capability, rekey is refused with {@link
 * UnsupportedOperationException} and changes nothing. The new keys are the test's secret options
 * with another value of the same form.
 */
final class RekeyRules extends ConformanceEnvironment {

  /** The most bytes a rekey may write per backup (key material and small sealed objects). */
  static final int SMALL = 4096;

  RekeyRules(ConformanceEnvironment env) {
    super(env);
  }

  /** The test's secret options, each with another value of its form: the new keys. */
  private Map<String, String> newKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    for (OptionInfo o : provider.options()) {
      String v = options().get(o.name());
      if (o.secret() && v != null && !v.isEmpty()) {
        keys.put(o.name(), EncryptionRules.otherValueLike(v));
      }
    }
    return keys;
  }

  void p36_rekeyCapability_changesNoDataByte_andOnlyTheNewKeysOpenAfterwards(Fs fs)
      throws Exception {
    Path root = root(fs);
    Path location = root.resolve("repo");
    Path small = smallTree(root.resolve("small"));
    Path large = Files.createDirectories(root.resolve("large"));
    gen.file(large.resolve("table.dat"), 1 << 20, false);
    BackupRepository repo = open(location);
    Assumptions.assumeTrue(
        repo.info().supports(Capability.REKEY), "no REKEY capability: the twin checks refusal");
    Map<String, String> newKeys = newKeys();
    Assumptions.assumeFalse(
        newKeys.isEmpty(), "P36 not exercised: options() gives no secret option a value");
    Snapshot smallSource = Snapshot.of(small);
    Snapshot largeSource = Snapshot.of(large);
    List<BackupMetadata> backups = new ArrayList<>();
    setUp("two backups", () -> backups.add(repo.backup(small)));
    setUp("two backups", () -> backups.add(repo.backup(large)));
    Snapshot before = Snapshot.of(location);
    List<RekeyReport> told = new ArrayList<>();
    RekeyReport done = repo.rekey(newKeys, told::add);
    repo.close();
    Snapshot after = Snapshot.of(location);
    check(
        done.backups() == 2 && done.rekeyed() + done.skipped() == 2 && done.rekeyed() == 2,
        "P36",
        () -> "a rekey of two backups reported " + done);
    check(!told.isEmpty(), "P36", () -> "the rekey told its progress listener nothing");
    long changed = 0;
    for (Map.Entry<String, Snapshot.Entry> e : before.entries().entrySet()) {
      Snapshot.Entry now = after.entries().get(e.getKey());
      if (e.getValue().bytes() != null && e.getValue().size() > SMALL) {
        check(
            now != null && e.getValue().same(now),
            "P36",
            () -> "rekey changed or removed stored file " + e.getKey() + " (data, not a key)");
      }
    }
    for (Map.Entry<String, Snapshot.Entry> e : after.entries().entrySet()) {
      Snapshot.Entry was = before.entries().get(e.getKey());
      if (e.getValue().bytes() != null && (was == null || !was.same(e.getValue()))) {
        changed += e.getValue().size();
      }
    }
    long written = changed;
    check(
        written <= (long) SMALL * (backups.size() + 1) && done.bytesWritten() <= SMALL * 3L,
        "P36",
        () ->
            "rekey of two backups (one of 1 MiB) wrote "
                + written
                + " bytes of new or changed files and reported "
                + done.bytesWritten()
                + "; at most "
                + SMALL
                + " per backup, whatever its size");
    BackupRepository old;
    try {
      old = openChecked(location, provider, options());
    } catch (WrongKeyException refusedAtOpen) {
      old = null;
    }
    if (old != null) {
      BackupRepository o = old;
      expect(
          WrongKeyException.class,
          "P36",
          "a restore with the old keys after rekey",
          () -> o.restore(RestoreRequest.of(backups.get(1).id(), root.resolve("old"))));
    }
    Map<String, String> next = new LinkedHashMap<>(options());
    next.putAll(newKeys);
    BackupRepository rekeyed = openChecked(location, provider, next);
    int listed = rekeyed.list().size();
    check(listed == 2, "P36", () -> "after rekey the new keys list " + listed + " of 2 backups");
    rekeyed.restore(RestoreRequest.of(backups.get(0).id(), root.resolve("t0")));
    sameTree("P36", "a restore with the new keys", smallSource, root.resolve("t0"));
    rekeyed.restore(RestoreRequest.of(backups.get(1).id(), root.resolve("t1")));
    sameTree("P36", "a restore with the new keys", largeSource, root.resolve("t1"));
  }

  void p36_withoutRekeyCapability_rekeyIsRefusedAndChangesNothing(Fs fs) throws Exception {
    Backed b = smallBackup(fs);
    Assumptions.assumeFalse(
        b.repo.info().supports(Capability.REKEY), "REKEY capability: the rule itself checks it");
    Path location = b.root.resolve("repo");
    Snapshot before = Snapshot.of(location);
    expect(
        UnsupportedOperationException.class,
        "P36",
        "rekey of a repository without REKEY",
        () -> b.repo.rekey(newKeys(), r -> {}));
    unchanged("P36", "a refused rekey", before, location);
    int listed = b.repo.list().size();
    check(
        listed == 1, "P36", () -> "after a refused rekey the repository lists " + listed + " of 1");
  }
}
