package dev.coffer.testkit.reference;

import dev.coffer.BackupRepository;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small, correct provider used to prove that the conformance suite passes a provider that keeps
 * the contract: each backup is a directory copy with a text manifest holding a CRC32C per file,
 * written in a staging directory and published with one atomic rename. Incremental backups are full
 * copies that record their base. Subclasses in this package break one rule each (see {@link
 * Broken}).
 */
public class ReferenceProvider implements BackupProvider {

  static final String MAC_KEY = "mac-key";
  static final String FSYNC = "fsync";

  /** Creates the provider; does no I/O. */
  public ReferenceProvider() {}

  @Override
  public String name() {
    return "tck-reference";
  }

  @Override
  public String description() {
    return "Directory copies with a CRC32C manifest (the conformance suite's reference provider)";
  }

  @Override
  public Set<Capability> capabilities() {
    EnumSet<Capability> caps =
        EnumSet.of(
            Capability.INCREMENTAL,
            Capability.SYMLINKS,
            Capability.TIMESTAMPS,
            Capability.PARTIAL_RESTORE);
    if (posix()) {
      caps.add(Capability.POSIX_ATTRIBUTES);
    }
    return Set.copyOf(caps);
  }

  @Override
  public List<OptionInfo> options() {
    return List.of(
        OptionInfo.secret(
            MAC_KEY, "hex key (16 to 64 bytes) for an HMAC-SHA256 over each manifest"),
        OptionInfo.flag(FSYNC, "force data to disk before publishing a backup", true),
        ChangedFilesPolicy.CHANGED_FILES,
        ChangedFilesPolicy.CHANGED_RETRIES);
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    Broken b = broken(options);
    if (b == Broken.REFUSED_OPEN_TOUCHES_REPOSITORY
        && Files.isRegularFile(location.resolve(ReferenceRepository.MARKER))) {
      Files.writeString(location.resolve(ReferenceRepository.MARKER), "opened\n");
    }
    if (b == Broken.OPTION_NAMES_IGNORE_CASE) {
      Map<String, String> lower = new java.util.TreeMap<>();
      options.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
      options = lower;
    }
    ProviderOptions parsed = ProviderOptions.parse(name(), options(), options);
    byte[] key = null;
    if (parsed.isSet(MAC_KEY)) {
      String hex = parsed.get(MAC_KEY).orElseThrow();
      if (b == Broken.LONG_KEY_TRUNCATED && hex.length() > 128) {
        hex = hex.substring(0, 128);
      }
      if (hex.length() < 32
          || hex.length() > 128
          || hex.length() % 2 != 0
          || !hex.matches("[0-9a-fA-F]+")) {
        throw new IllegalArgumentException(
            "invalid value for option '"
                + MAC_KEY
                + "' of provider '"
                + name()
                + "': expected 32 to 128 hex digits"
                + (b == Broken.KEY_ERROR_ECHOES_IT ? ", got '" + hex + "'" : ""));
      }
      key = HexFormat.of().parseHex(hex);
    }
    boolean fsync = parsed.getBoolean(FSYNC);
    ChangedFilesPolicy changed = ChangedFilesPolicy.of(parsed);
    return new ReferenceRepository(this, location, key, fsync, changed, options, broken(options));
  }

  /** Whether this variant records and restores POSIX attributes ({@code POSIX_ATTRIBUTES}). */
  boolean posix() {
    return false;
  }

  /** The rule this provider breaks on purpose; {@code null} for the correct provider. */
  Broken broken() {
    return null;
  }

  /**
   * The rule a repository opened with these (raw) options breaks; {@link #broken()} unless
   * overridden.
   */
  Broken broken(Map<String, String> options) {
    return broken();
  }

  /** The ways the broken variants break the contract. */
  enum Broken {
    /** verify never reads anything and always reports ok (P14). */
    VERIFY_ALWAYS_OK,
    /** restore does not compare checksums (P17, and so P18). */
    RESTORE_SKIPS_CHECKSUMS,
    /**
     * data and manifest are written straight into the published directory, not removed on failure
     * (P10).
     */
    PUBLISHES_EARLY,
    /** symbolic links in the source are followed: their targets are stored as files (P9). */
    FOLLOWS_SYMLINKS,
    /** restore writes a marker file beside its target (P21). */
    WRITES_OUTSIDE_TARGET,
    /** the repository's toString shows the options, secret included (P4). */
    LEAKS_SECRET,
    /** restored files get their recorded mode plus read for group and others (P27, P28). */
    MODES_WRONG,
    /**
     * restored files are created with the file system's default mode, recorded modes applied only
     * at the end (P28).
     */
    OPEN_WHILE_RESTORING,
    // Subtle breaks, one narrow case each (SubtlyBrokenProvider, option "broken"):
    /** verify checks only the size of files over 64 KiB, not their checksum (P14). */
    VERIFY_SKIPS_LARGE_FILE_CONTENT,
    /** verify remembers an ok result per backup and returns it again without reading (P14). */
    VERIFY_TRUSTS_EARLIER_RESULT,
    /** verify reports a missing stored file as CORRUPT (P14). */
    VERIFY_MISLABELS_MISSING,
    /** verify touches the backup's manifest time ("last verified"), content unchanged (P15). */
    VERIFY_TOUCHES_TIMES,
    /** a link's target text is stored normalized ({@code a/./b/../c} becomes {@code a/c}) (P9). */
    NORMALIZES_LINK_TEXT,
    /**
     * find() answers from a cache of its own, so a backup another instance deleted is still found
     * (P13).
     */
    FIND_CACHES,
    /** a refused open of an existing repository rewrites its marker file first (P3). */
    REFUSED_OPEN_TOUCHES_REPOSITORY,
    /** an option given in other case than declared is taken as that option (P3). */
    OPTION_NAMES_IGNORE_CASE,
    /**
     * a partial restore of a directory restores its direct children only, not everything below it
     * (P19).
     */
    PARTIAL_RESTORE_NOT_RECURSIVE,
    /**
     * a partial restore that fails on an unknown path leaves its staging directory behind (P19).
     */
    PARTIAL_RESTORE_LEAVES_STAGING,
    /**
     * restore writes through its staging directory's name, so a directory swapped in under that
     * name by another process receives the restore (P21).
     */
    WRITES_THROUGH_STAGING_NAME,
    /** open logs its options at DEBUG, the secret included (P4: "never in a log line"). */
    LOGS_SECRET,
    /**
     * the finisher is called and its labels kept, but the files it returns are not stored (P33).
     */
    DROPS_FINISHED_FILES,
    /**
     * delete of an existing backup fails with an IOException and deletes nothing (P22, and P11 and
     * P23, which delete as their operation under test); rules that delete only to prepare their
     * check (P10, P13) report a set-up failure, not a break.
     */
    DELETE_FAILS,
    /**
     * a REPLACE restore into a target whose parent is missing creates the parent (P18; CREATE
     * refuses it).
     */
    REPLACE_CREATES_MISSING_PARENT,
    /**
     * a backup of a missing source fails with a plain IOException, not NoSuchFileException (P8).
     */
    MISSING_SOURCE_IS_A_PLAIN_IO_ERROR,
    /** a CREATE restore into a non-empty target replaces its content instead of refusing (P16). */
    CREATE_REPLACES_A_NON_EMPTY_TARGET,
    /** restored modification times are cut to the second (P20). */
    TIMES_TO_THE_SECOND,
    /** a second close() of a repository throws (P5). */
    SECOND_CLOSE_THROWS,
    /**
     * a backup is looked up ignoring the case of its id, as on a case-insensitive file system
     * (macOS, Windows): {@code find} and {@code delete} of an id in other case reach the backup
     * itself (P24).
     */
    IDS_IGNORE_CASE,
    /**
     * createdAt is recorded an hour off (a local time taken for UTC); order and retention are
     * unaffected (P7).
     */
    CREATED_AT_AN_HOUR_OFF,
    /**
     * the name is given to a constructor, and the public no-argument constructor that ServiceLoader
     * calls gives another one (P1; a constructor variant).
     */
    NO_ARG_CONSTRUCTOR_GIVES_ANOTHER_NAME,
    /** description() ends with a line separator (P2; a constructor variant). */
    DESCRIPTION_ENDS_WITH_A_NEWLINE,
    /** options() lists {@code changed-files} twice (P2; a constructor variant). */
    OPTION_DESCRIBED_TWICE,
    /** an incremental backup whose base is unknown is taken anyway, recording that base (P12). */
    UNKNOWN_BASE_ACCEPTED,
    /**
     * an incremental backup keeps, as empty directories, the base's non-empty directories that the
     * source no longer has: it records deletions of files and of empty directories only (P12).
     */
    INCREMENTAL_KEEPS_REMOVED_DIRECTORIES,
    /**
     * a restore under {@code OwnerPolicy.CURRENT} applies the recorded owners as AUTO does (P29).
     */
    CURRENT_OWNERS_TAKEN_AS_AUTO,
    /**
     * a restore under {@code OwnerPolicy.PRESERVE} that cannot set owners goes on as AUTO does,
     * instead of failing (P29).
     */
    PRESERVE_OWNERS_TAKEN_AS_AUTO,
    /**
     * a skipped special file's warning is returned by backup() but not stored with the backup
     * (P30).
     */
    SKIPPED_SPECIAL_FILE_NOT_KEPT,
    /** special files are skipped under {@code SpecialFiles.FAIL} too (P30). */
    SPECIAL_FILES_ALWAYS_SKIPPED,
    /**
     * followed-link patterns of more than one component ({@code pg_tblspc/*}) are ignored: those
     * links stay links (P31).
     */
    FOLLOWED_PATTERNS_WITH_A_SLASH_IGNORED,
    /**
     * without POSIX_ATTRIBUTES, followed-link patterns are ignored instead of refused: the links
     * are stored as links (P31).
     */
    FOLLOWED_LINKS_IGNORED_WITHOUT_POSIX,
    /**
     * a backup keeps a scratch file made with {@code Files.createTempFile} without a directory, on
     * the default file system whatever the repository's, and deletes it at the end (P6).
     */
    TEMP_FILE_ON_THE_DEFAULT_FILE_SYSTEM,
    /**
     * a restore holds a lock file named with a relative {@code Path.of}, in the working directory
     * of the default file system, and deletes it at the end (P6).
     */
    RESTORE_LOCK_IN_THE_WORKING_DIRECTORY,
    /** a key longer than 64 bytes is cut to its first 64 bytes instead of refused (P3). */
    LONG_KEY_TRUNCATED,
    /** the refusal of a key of the wrong length quotes the key (P4). */
    KEY_ERROR_ECHOES_IT,
    /**
     * list() shows the backups of a catalogue shared by the instances of one JVM, read from disk at
     * the first open in the JVM: another instance's backups show, another JVM's do not (P5).
     */
    JVM_WIDE_CATALOGUE,
    /** a refused source (missing, or a file) leaves an empty staging directory behind (P8). */
    REFUSED_SOURCE_LEAVES_STAGING,
    /** a second backup into a repository while one is running in this JVM fails: "busy" (P11). */
    BUSY_WHILE_ANOTHER_BACKUP_RUNS,
    /** latest() is the newest full backup, passing over newer incrementals (P13). */
    LATEST_SKIPS_INCREMENTALS,
    /** verify records an ok result in a file of the repository ("last verified") (P15). */
    VERIFY_RECORDS_ITS_RESULT,
    /** a REPLACE restore onto a regular file deletes the file and restores in its place (P16). */
    A_FILE_TARGET_IS_REPLACED,
    /**
     * a restore that meets a corrupt file publishes the intact files, then throws the
     * CorruptBackupException (P17).
     */
    CORRUPT_RESTORE_KEEPS_GOOD_FILES,
    /** restored files over 64 KiB keep the restore's time, not the recorded one (P20). */
    TIMES_OF_LARGE_FILES_NOT_SET,
    /** a base with dependent incrementals is deleted without INDEPENDENT_INCREMENTALS (P22). */
    BASE_WITH_DEPENDENTS_DELETED,
    /** prune deletes what the policy selects but returns an empty list (P23). */
    PRUNE_RETURNS_NOTHING,
    /** storedBytes of an unknown id is 0 instead of NoSuchBackupException (P24). */
    STORED_BYTES_OF_UNKNOWN_IS_ZERO,
    /**
     * restored directories keep the owner-only mode they were created with; files get theirs (P27).
     */
    DIRECTORY_MODES_NOT_SET,
    /** files are copied without checking whether they changed while read (P34). */
    CHANGES_WHILE_READ_IGNORED,
    /** only a change of size while read counts: a rewrite at the same size passes (P34). */
    SAME_SIZE_REWRITE_IGNORED,
    /** label values are recorded trimmed of leading and trailing spaces (P7). */
    LABEL_VALUES_TRIMMED,
    /**
     * a REPLACE restore renames the old target to {@code <target>.old} beside it and leaves it
     * there, instead of removing it (P21).
     */
    REPLACE_KEEPS_THE_OLD_TARGET_BESIDE_IT
  }
}
