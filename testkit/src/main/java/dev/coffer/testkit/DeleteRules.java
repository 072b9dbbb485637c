package dev.coffer.testkit;

import dev.coffer.BackupId;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.NoSuchBackupException;
import dev.coffer.RetentionPolicy;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P22 to P24 of the provider contract: delete and prune remove exactly what they should and
 * keep the rest restorable, and unknown, malformed or hostile ids are unknown.
 */
final class DeleteRules extends ConformanceEnvironment {

  DeleteRules(ConformanceEnvironment env) {
    super(env);
  }

  void p22_delete_removesTheBackupAndKeepsOthersRestorable(Fs fs) throws Exception {
    Backed given = smallBackup(fs);
    BackupMetadata doomed = given.repo.backup(given.source);
    given.repo.delete(doomed.id());
    check(
        given.repo.list().equals(List.of(given.backup)),
        "P22",
        () -> "after delete, list() is " + safeList(given.repo));
    check(
        given.repo.find(doomed.id()).isEmpty(), "P22", () -> "after delete, find() still finds it");
    expect(
        NoSuchBackupException.class,
        "P22",
        "restore of a deleted backup",
        () -> given.repo.restore(doomed.id(), given.root.resolve("x")));
    expect(
        NoSuchBackupException.class,
        "P22",
        "a second delete",
        () -> given.repo.delete(doomed.id()));
    Path target = given.root.resolve("restored");
    given.repo.restore(given.backup.id(), target);
    sameTree("P22", "the backup that was kept", Snapshot.of(given.source), target);
    try (BackupRepository again = openAt(provider(), given.root.resolve("repo"), options())) {
      check(
          again.list().equals(List.of(given.backup)),
          "P22",
          () -> "after delete and reopen, list() is " + safeList(again));
    }
  }

  void p22_independentIncrementals_deletingBaseKeepsDependentsRestorable(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.INCREMENTAL)
            && capabilities.contains(Capability.INDEPENDENT_INCREMENTALS),
        "no INDEPENDENT_INCREMENTALS: see the twin test");
    Backed given = realisticBackup(fs);
    mutate(given.source);
    BackupMetadata inc =
        given.repo.backup(BackupRequest.incremental(given.source, given.backup.id()));
    given.repo.delete(given.backup.id());
    check(
        given.repo.list().equals(List.of(inc)),
        "P22",
        () -> "after deleting the base, list() is " + safeList(given.repo));
    check(
        given.repo.verify(inc.id()).ok(),
        "P22",
        () -> "a dependent no longer verifies after its base was deleted");
    Path target = given.root.resolve("restored");
    given.repo.restore(inc.id(), target);
    sameTree(
        "P22",
        "a dependent restored after its base was deleted",
        Snapshot.of(given.source),
        target);
  }

  void p22_dependentIncrementals_deletingBaseIsRefusedWithBackupInUse(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.INCREMENTAL)
            && !capabilities.contains(Capability.INDEPENDENT_INCREMENTALS),
        "INDEPENDENT_INCREMENTALS declared or no INCREMENTAL: see the twin test");
    Backed given = smallBackup(fs);
    mutate(given.source);
    BackupMetadata inc =
        given.repo.backup(BackupRequest.incremental(given.source, given.backup.id()));
    Snapshot before = Snapshot.of(given.root.resolve("repo"));
    BackupInUseException e =
        expect(
            BackupInUseException.class,
            "P22",
            "delete of a base with a dependent",
            () -> given.repo.delete(given.backup.id()));
    check(
        e.dependents().contains(inc.backupId()),
        "P22",
        () ->
            "BackupInUseException names dependents " + e.dependents() + ", not " + inc.backupId());
    unchanged("P22", "a refused delete", before, given.root.resolve("repo"));
    given.repo.delete(inc.id());
    given.repo.delete(given.backup.id());
    check(
        given.repo.list().isEmpty(),
        "P22",
        () -> "after deleting dependent then base, list() is " + safeList(given.repo));
  }

  void p23_prune_deletesExactlyWhatThePolicySelects(Fs fs) throws Exception {
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(root.resolve("repo"));
    boolean incremental = capabilities.contains(Capability.INCREMENTAL);
    Map<String, Snapshot> states = new HashMap<>();
    BackupMetadata previous = null;
    for (int i = 0; i < 5; i++) {
      Files.writeString(source.resolve("round.txt"), "round " + i);
      BackupRequest request =
          incremental && previous != null && i % 2 == 1
              ? BackupRequest.incremental(source, previous.id())
              : BackupRequest.full(source);
      previous = repo.backup(request);
      states.put(previous.backupId(), Snapshot.of(source));
    }
    List<BackupMetadata> all = repo.list();
    RetentionPolicy policy = RetentionPolicy.keepLast(1);
    List<BackupMetadata> expected = repo.pruneCandidates(policy);
    check(
        repo.list().equals(all),
        "P23",
        () -> "pruneCandidates changed the repository: list() is " + safeList(repo));
    check(
        expected.size() < all.size() && !expected.contains(all.get(0)),
        "P23",
        () -> "pruneCandidates(keepLast(1)) names " + ids(expected) + " of " + ids(all));
    List<BackupMetadata> pruned = repo.prune(policy);
    check(
        pruned.equals(expected),
        "P23",
        () ->
            "prune(keepLast(1)) deleted "
                + ids(pruned)
                + ", pruneCandidates named "
                + ids(expected));
    List<BackupMetadata> remaining = new ArrayList<>(all);
    remaining.removeAll(expected);
    check(
        repo.list().equals(remaining),
        "P23",
        () -> "after prune, list() is " + safeList(repo) + ", expected " + ids(remaining));
    int i = 0;
    for (BackupMetadata m : remaining) {
      Path target = root.resolve("kept-" + i++);
      repo.restore(m.id(), target);
      sameTree("P23", "a backup kept by prune", states.get(m.backupId()), target);
    }
  }

  void p24_unknownMalformedAndHostileIds_throwNoSuchBackup(Fs fs) throws Exception {
    Backed given = smallBackup(fs);
    Snapshot before = Snapshot.of(given.root);
    List<String> hostile =
        List.of(
            BackupIds.newId().value(),
            "no-such-backup",
            "../x",
            "..",
            ".",
            "",
            "a/b",
            "/etc/passwd",
            "..\\x",
            "C:\\x",
            "repo",
            given.backup.backupId() + "/..",
            given.backup.backupId().toUpperCase(java.util.Locale.ROOT) + "x",
            " ",
            "\u0000");
    for (String id : hostile) {
      expectUnknownId(given.repo, given.root, id, id.replace("\u0000", "\\0"));
    }
    unchanged("P24", "operations on unknown ids", before, given.root);
    check(
        given.repo.list().equals(List.of(given.backup)),
        "P24",
        () -> "operations on unknown ids changed list()");
  }

  void p24_caseVariantsLongIdsAndSiblingRepositoryPaths_areUnknownIds(Fs fs) throws Exception {
    Path root = root(fs);
    BackupRepository repo = open(root.resolve("repo"));
    BackupRepository sibling = open(root.resolve("other-repo"));
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    BackupMetadata o = sibling.backup(smallTree(root.resolve("src2")));
    Snapshot before = Snapshot.of(root);
    List<String> hostile = new ArrayList<>();
    String upper = b.backupId().toUpperCase(java.util.Locale.ROOT);
    if (!upper.equals(b.backupId())) {
      hostile.add(upper);
      hostile.add(upper.charAt(0) + b.backupId().substring(1));
      hostile.add(
          b.backupId().substring(0, b.backupId().length() - 1) + upper.charAt(upper.length() - 1));
    }
    hostile.removeIf(id -> id.equals(b.backupId()));
    hostile.addAll(
        List.of(
            "a".repeat(129),
            "a".repeat(5000),
            "../other-repo/" + o.backupId(),
            "../other-repo",
            o.backupId(),
            "..%2Fother-repo%2F" + o.backupId(),
            "./" + b.backupId(),
            b.backupId() + "/",
            b.backupId() + " "));
    for (String id : hostile) {
      expectUnknownId(
          repo,
          root,
          id,
          id.length() > 40 ? id.substring(0, 40) + "... (" + id.length() + " characters)" : id);
    }
    unchanged("P24", "operations on case variants, long ids and sibling paths", before, root);
    check(
        repo.list().equals(List.of(b)),
        "P24",
        () -> "operations on hostile ids changed list(): " + safeList(repo));
    check(
        sibling.list().equals(List.of(o)),
        "P24",
        () -> "operations on hostile ids changed the sibling repository");
  }

  /**
   * P24 for one id: a well-formed unknown id is refused by every operation with
   * NoSuchBackupException; a malformed one cannot even be made into a BackupId, so it never reaches
   * the provider.
   */
  private void expectUnknownId(BackupRepository repo, Path root, String text, String shown)
      throws IOException {
    if (!BackupId.isValid(text)) {
      expect(
          IllegalArgumentException.class,
          "P24",
          "BackupId.of('" + shown + "')",
          () -> BackupId.of(text));
      return;
    }
    BackupId id = BackupId.of(text);
    expect(
        NoSuchBackupException.class, "P24", "delete of id '" + shown + "'", () -> repo.delete(id));
    expect(
        NoSuchBackupException.class,
        "P24",
        "restore of id '" + shown + "'",
        () -> repo.restore(id, root.resolve("t")));
    expect(
        NoSuchBackupException.class, "P24", "verify of id '" + shown + "'", () -> repo.verify(id));
    expect(
        NoSuchBackupException.class,
        "P24",
        "storedBytes of id '" + shown + "'",
        () -> repo.storedBytes(id));
    Optional<BackupMetadata> found = repo.find(id);
    check(found.isEmpty(), "P24", () -> "find('" + shown + "') found " + found);
  }
}
