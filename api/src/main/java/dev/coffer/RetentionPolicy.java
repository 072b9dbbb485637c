package dev.coffer;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which backups {@link BackupRepository#prune} keeps: the newest {@code keepLast}, and every backup
 * created within {@code keepWithin} of now (the union of both). The bases of kept incremental
 * backups are kept too when the provider needs them.
 *
 * <pre>{@code
 * repo.prune(RetentionPolicy.keepLast(7).orWithin(Duration.ofDays(30)));
 * }</pre>
 *
 * @param keepLast how many of the newest backups to keep (0 for none by count)
 * @param keepWithin keep backups younger than this ({@link Duration#ZERO} for none by age)
 */
public record RetentionPolicy(int keepLast, Duration keepWithin) {

  /**
   * Validates the components.
   *
   * @param keepLast as described on the record
   * @param keepWithin as described on the record
   * @throws IllegalArgumentException if a value is negative, or both keep nothing (a policy that
   *     deletes every backup is almost certainly a mistake; delete backups one by one instead)
   */
  public RetentionPolicy {
    requireNonNull(keepWithin, "keepWithin");
    if (keepLast < 0 || keepWithin.isNegative()) {
      throw new IllegalArgumentException(
          "retention values must not be negative: " + keepLast + ", " + keepWithin);
    }
    if (keepLast == 0 && keepWithin.isZero()) {
      throw new IllegalArgumentException(
          "a retention policy must keep at least one backup by count or age");
    }
  }

  /**
   * Keeps the newest {@code n} backups.
   *
   * @param n at least 1
   * @return the policy
   */
  public static RetentionPolicy keepLast(int n) {
    return new RetentionPolicy(n, Duration.ZERO);
  }

  /**
   * Keeps the backups created within {@code age} of now.
   *
   * @param age a positive duration
   * @return the policy
   */
  public static RetentionPolicy keepWithin(Duration age) {
    return new RetentionPolicy(0, age);
  }

  /**
   * Returns a policy that also keeps the backups created within {@code age} of now.
   *
   * @param age a positive duration
   * @return the new policy
   */
  public RetentionPolicy orWithin(Duration age) {
    return new RetentionPolicy(keepLast, age);
  }

  /**
   * Chooses the backups this policy does not keep; {@link BackupRepository#pruneCandidates} calls
   * it, so every provider applies the same rules.
   *
   * @param backups every backup in the repository, in any order
   * @param now the current time
   * @param basesMustSurvive whether the bases (transitively) of kept incremental backups must be
   *     kept
   * @return the backups to delete, dependents before their bases (newest first)
   */
  List<BackupMetadata> unkept(List<BackupMetadata> backups, Instant now, boolean basesMustSurvive) {
    requireNonNull(now, "now");
    List<BackupMetadata> sorted = new ArrayList<>(backups);
    sorted.sort(BackupMetadata.NEWEST_FIRST);
    Instant cutoff = now.minus(keepWithin);
    Set<String> kept = new HashSet<>();
    for (int i = 0; i < sorted.size(); i++) {
      BackupMetadata b = sorted.get(i);
      if (i < keepLast || (!keepWithin.isZero() && b.createdAt().isAfter(cutoff))) {
        kept.add(b.backupId());
      }
    }
    if (basesMustSurvive) {
      Map<String, BackupMetadata> byId = new HashMap<>();
      sorted.forEach(b -> byId.put(b.backupId(), b));
      for (String id : List.copyOf(kept)) {
        BackupMetadata b = byId.get(id);
        while (b != null && b.baseBackupId() != null && kept.add(b.baseBackupId())) {
          b = byId.get(b.baseBackupId());
        }
      }
    }
    List<BackupMetadata> doomed = new ArrayList<>();
    for (BackupMetadata b : sorted) {
      if (!kept.contains(b.backupId())) {
        doomed.add(b);
      }
    }
    return doomed;
  }
}
