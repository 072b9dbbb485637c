package dev.coffer;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.support.ScanOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What to back up and how: the source directory, an optional incremental base, labels, a progress
 * listener, the symbolic links to follow, what to do with special files, what to leave out and how
 * to end the host's snapshot. Build one with {@link #full(Path)} or {@link #incremental(Path,
 * BackupId)} and refine it with the {@code with...} methods:
 *
 * <pre>{@code
 * repo.backup(BackupRequest.incremental(dataDir, base.id())
 *     .withLabel("checkpoint", "4711")
 *     .withProgress(p -> log.info(p.toString())));
 * }</pre>
 *
 * @param source the directory to back up
 * @param baseBackupId the base backup for an incremental backup, or {@code null} for a full one
 * @param labels key/value pairs stored with the backup's metadata
 * @param progress told about progress; exceptions it throws abort the backup
 * @param followedLinks patterns of the symbolic links whose targets are stored in their place (see
 *     {@link #withFollowedLinks(Set)}); empty by default
 * @param specialFiles what to do with sockets, FIFOs and devices; {@link SpecialFiles#SKIP} by
 *     default
 * @param excluded patterns of the entries left out of the backup (see {@link #withExcluded(Set)});
 *     empty by default
 * @param finisher called once after the copy and before the backup is published, adding files and
 *     labels (see {@link #withFinisher(Finisher)}); {@link Finisher#NONE} by default
 */
public record BackupRequest(
    Path source,
    BackupId baseBackupId,
    Map<String, String> labels,
    ProgressListener progress,
    Set<String> followedLinks,
    SpecialFiles specialFiles,
    Set<String> excluded,
    Finisher finisher) {

  /**
   * Ends a host's snapshot after the copy and before the backup is published, returning what goes
   * into the same backup: usually a {@link BackupSource}'s {@link BackupSource#finish() finish}.
   */
  @FunctionalInterface
  public interface Finisher {
    /** Adds nothing. */
    Finisher NONE = () -> SourceEnd.NONE;

    /**
     * Ends the snapshot. Called exactly once per backup, by the thread running it, after every
     * source entry is copied and before anything is published.
     *
     * @return the files and labels to add; {@code null} means {@link SourceEnd#NONE}
     * @throws IOException if the snapshot cannot be ended; the backup then fails and is never
     *     published
     */
    SourceEnd finish() throws IOException;
  }

  /**
   * Validates and copies the components.
   *
   * @param source as described on the record
   * @param baseBackupId as described on the record
   * @param labels as described on the record
   * @param progress as described on the record
   * @param followedLinks as described on the record; {@code null} means none
   * @param specialFiles as described on the record; {@code null} means {@link SpecialFiles#SKIP}
   * @param excluded as described on the record; {@code null} means none
   * @param finisher as described on the record; {@code null} means {@link Finisher#NONE}
   * @throws NullPointerException if {@code source} is null
   * @throws IllegalArgumentException if a label, a link pattern or an exclusion pattern is
   *     malformed
   */
  public BackupRequest {
    requireNonNull(source, "source");
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    labels.forEach(BackupRequest::checkLabel);
    progress = progress == null ? ProgressListener.NONE : progress;
    followedLinks =
        followedLinks == null
            ? Set.of()
            : Collections.unmodifiableSet(new TreeSet<>(followedLinks));
    followedLinks.forEach(ScanOptions::checkLinkPattern);
    specialFiles = specialFiles == null ? SpecialFiles.SKIP : specialFiles;
    excluded = excluded == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(excluded));
    excluded.forEach(ScanOptions::checkExcludedPattern);
    finisher = finisher == null ? Finisher.NONE : finisher;
  }

  /**
   * A request that leaves nothing out and adds nothing at its end, as before those settings
   * existed.
   *
   * @param source as described on the record
   * @param baseBackupId as described on the record
   * @param labels as described on the record
   * @param progress as described on the record
   * @param followedLinks as described on the record; {@code null} means none
   * @param specialFiles as described on the record; {@code null} means {@link SpecialFiles#SKIP}
   * @throws NullPointerException if {@code source} is null
   * @throws IllegalArgumentException if a label or a link pattern is malformed
   */
  public BackupRequest(
      Path source,
      BackupId baseBackupId,
      Map<String, String> labels,
      ProgressListener progress,
      Set<String> followedLinks,
      SpecialFiles specialFiles) {
    this(
        source,
        baseBackupId,
        labels,
        progress,
        followedLinks,
        specialFiles,
        Set.of(),
        Finisher.NONE);
  }

  /**
   * A request without followed links and with special files skipped, as before those settings
   * existed.
   *
   * @param source as described on the record
   * @param baseBackupId as described on the record
   * @param labels as described on the record
   * @param progress as described on the record
   * @throws NullPointerException if {@code source} is null
   * @throws IllegalArgumentException if a label is malformed
   */
  public BackupRequest(
      Path source, BackupId baseBackupId, Map<String, String> labels, ProgressListener progress) {
    this(source, baseBackupId, labels, progress, Set.of(), SpecialFiles.SKIP);
  }

  /**
   * A full backup of {@code source}.
   *
   * @param source the directory to back up
   * @return the request
   */
  public static BackupRequest full(Path source) {
    return new BackupRequest(source, null, Map.of(), ProgressListener.NONE);
  }

  /**
   * An incremental backup of {@code source} relative to the backup {@code baseBackupId}.
   *
   * @param source the directory to back up
   * @param baseBackupId the id of an existing backup in the same repository
   * @return the request
   */
  public static BackupRequest incremental(Path source, BackupId baseBackupId) {
    requireNonNull(baseBackupId, "baseBackupId");
    return new BackupRequest(source, baseBackupId, Map.of(), ProgressListener.NONE);
  }

  /**
   * An incremental backup of {@code source} on top of the newest backup in {@code repository} (its
   * {@link BackupRepository#latest() latest}), resolved now: the request names that backup as its
   * base.
   *
   * <pre>{@code
   * repo.backup(BackupRequest.incrementalFromLatest(repo, source));
   * }</pre>
   *
   * @param repository the repository the backup goes to
   * @param source the directory to back up
   * @return the request
   * @throws NoSuchBackupException if the repository holds no backup to build on
   * @throws IOException if the repository cannot be read
   */
  public static BackupRequest incrementalFromLatest(BackupRepository repository, Path source)
      throws IOException {
    requireNonNull(repository, "repository");
    requireNonNull(source, "source");
    BackupMetadata latest =
        repository
            .latest()
            .orElseThrow(() -> new NoSuchBackupException("latest (the repository has no backups)"));
    return incremental(source, latest.id());
  }

  /**
   * Returns a copy with these labels replacing the current ones.
   *
   * @param newLabels the labels; keys are non-blank, at most 128 characters, values at most 4096
   * @return the new request
   */
  public BackupRequest withLabels(Map<String, String> newLabels) {
    return new BackupRequest(
        source,
        baseBackupId,
        requireNonNull(newLabels, "labels"),
        progress,
        followedLinks,
        specialFiles,
        excluded,
        finisher);
  }

  /**
   * Returns a copy with one more label.
   *
   * @param key the label's key
   * @param value the label's value
   * @return the new request
   */
  public BackupRequest withLabel(String key, String value) {
    Map<String, String> copy = new TreeMap<>(labels);
    copy.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return withLabels(copy);
  }

  /**
   * Returns a copy that reports progress to {@code listener}.
   *
   * @param listener the listener
   * @return the new request
   */
  public BackupRequest withProgress(ProgressListener listener) {
    return new BackupRequest(
        source,
        baseBackupId,
        labels,
        requireNonNull(listener, "listener"),
        followedLinks,
        specialFiles,
        excluded,
        finisher);
  }

  /**
   * Returns a copy that follows the symbolic links matching these patterns, once: a matching link
   * to a directory is stored as a directory holding its target's content (and restored as a real
   * directory); a matching link that is broken or points to anything but a directory fails the
   * backup. Nothing else is ever followed, and links inside a followed target stay links unless a
   * pattern names them too. A pattern is a {@code /}-separated relative path whose components may
   * use {@code *} (any run of characters) and {@code ?} (one character) within that component; a
   * pattern that matches a directory or file rather than a link changes nothing.
   *
   * <pre>{@code
   * BackupRequest.full(pgData).withFollowedLinks(Set.of("pg_wal", "pg_tblspc/*"));
   * }</pre>
   *
   * @param patterns the link patterns, replacing the current ones
   * @return the new request
   * @throws IllegalArgumentException if a pattern is empty, absolute or contains {@code ..}
   */
  public BackupRequest withFollowedLinks(Set<String> patterns) {
    return new BackupRequest(
        source,
        baseBackupId,
        labels,
        progress,
        requireNonNull(patterns, "patterns"),
        specialFiles,
        excluded,
        finisher);
  }

  /**
   * Returns a copy that treats sockets, FIFOs and devices as {@code policy} says.
   *
   * @param policy skip and report (the default) or refuse the backup
   * @return the new request
   */
  public BackupRequest withSpecialFiles(SpecialFiles policy) {
    return new BackupRequest(
        source,
        baseBackupId,
        labels,
        progress,
        followedLinks,
        requireNonNull(policy, "policy"),
        excluded,
        finisher);
  }

  /**
   * Returns a copy that leaves out the entries matching these patterns, and everything below a
   * matching directory: they are never read, so a file the host deletes or recycles during the
   * backup cannot fail it. The syntax is that of {@link #withFollowedLinks(Set)}: a {@code
   * /}-separated relative path of a fixed depth whose components may use {@code *} and {@code ?};
   * {@code dir/*} leaves out the contents of {@code dir} but keeps {@code dir} itself (restored
   * empty). Exclusions apply below followed links too.
   *
   * <pre>{@code
   * BackupRequest.full(dataDir).withExcluded(Set.of("server.pid", "log/*", "base/tmp"));
   * }</pre>
   *
   * @param patterns the exclusion patterns, replacing the current ones
   * @return the new request
   * @throws IllegalArgumentException if a pattern is empty, absolute or contains {@code ..}
   */
  public BackupRequest withExcluded(Set<String> patterns) {
    return new BackupRequest(
        source,
        baseBackupId,
        labels,
        progress,
        followedLinks,
        specialFiles,
        requireNonNull(patterns, "patterns"),
        finisher);
  }

  /**
   * Returns a copy that calls {@code newFinisher} once, after every source entry is copied and
   * before the backup is published, and stores what it returns in the same backup (see {@link
   * SourceEnd}). A finisher that throws fails the backup, which is then never published.
   *
   * @param newFinisher the finisher, replacing the current one
   * @return the new request
   */
  public BackupRequest withFinisher(Finisher newFinisher) {
    return new BackupRequest(
        source,
        baseBackupId,
        labels,
        progress,
        followedLinks,
        specialFiles,
        excluded,
        requireNonNull(newFinisher, "finisher"));
  }

  /**
   * Whether this is an incremental backup request.
   *
   * @return true when a base id is set
   */
  public boolean incremental() {
    return baseBackupId != null;
  }

  /** A label's rules, shared with {@link SourceEnd}. */
  static void checkLabel(String key, String value) {
    requireNonNull(key, "label key");
    requireNonNull(value, "label value");
    if (key.isBlank() || key.length() > 128) {
      throw new IllegalArgumentException(
          "label key must be 1 to 128 characters and not blank: '" + key + "'");
    }
    if (value.length() > 4096) {
      throw new IllegalArgumentException(
          "label value for '" + key + "' is longer than 4096 characters");
    }
  }
}
