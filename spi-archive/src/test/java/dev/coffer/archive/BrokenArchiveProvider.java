package dev.coffer.archive;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.ProgressListener;
import dev.coffer.RekeyReport;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The archive provider broken in one narrow case of P25 (encryption), P26 (compression) or P36
 * (rekey), chosen by its required option {@code broken}: the self-test that measures how well the
 * suite catches subtle bugs of the two capabilities the reference provider does not have.
 * Everything else is the real archive provider.
 */
public final class BrokenArchiveProvider implements BackupProvider {

  static final String BROKEN = "broken";

  /** The narrow bugs, one per variant. */
  enum Broken {
    /** P25: open takes a lock file in the repository before the key check; a refusal keeps it. */
    WRONG_KEY_LEAVES_A_LOCK("P25"),
    /**
     * P25: a wrong key is refused at the call, not at open; a backup writes its staging file before
     * it finds the key wrong, and leaves it.
     */
    WRONG_KEY_REFUSED_AFTER_STAGING("P25"),
    /**
     * P25: archives are written signed, not encrypted (a wrong default): authenticated and
     * compressed, with the key checked, but contents and names readable.
     */
    SIGNS_INSTEAD_OF_ENCRYPTING("P25"),
    /** P26: storedBytes reports the logical size of the backup instead of what it stores. */
    STORED_BYTES_IS_THE_LOGICAL_SIZE("P26"),
    /** P26: storedBytes counts files of 768 KiB and more at their logical size. */
    LARGE_FILES_COUNTED_AT_THEIR_LOGICAL_SIZE("P26"),
    /**
     * P35: recipient options are quietly replaced by a built-in symmetric key (format 2), so a
     * "write-only" host reads everything it wrote.
     */
    RECIPIENTS_REPLACED_BY_A_BUILT_IN_KEY("P35"),
    /**
     * P35: a restore on a write-only host creates the target directory before the data key is found
     * missing, and leaves it.
     */
    WRITE_ONLY_RESTORE_CREATES_THE_TARGET("P35"),
    /**
     * P36 (format 2): rekey reports every backup rekeyed but writes nothing, so the old key still
     * opens them.
     */
    REKEY_ONLY_REPORTS("P36"),
    /**
     * P36 (format 2): rekey re-wraps the keys, then keeps a "journal" copy of each backup's data,
     * writing as much as the backups hold.
     */
    REKEY_COPIES_THE_DATA("P36"),
    /** P36 (format 1, no REKEY): the refused rekey first leaves a marker file in the repository. */
    REFUSED_REKEY_WRITES_FIRST("P36");

    /** The one rule the variant breaks. */
    final String rule;

    Broken(String rule) {
      this.rule = rule;
    }
  }

  /** P26 variant's record of the large files' logical bytes, by location and id. */
  private static final Map<String, Long> LARGE_BYTES = new ConcurrentHashMap<>();

  private final ArchiveBackupProvider real = new ArchiveBackupProvider();

  /** Creates the provider; does no I/O. */
  public BrokenArchiveProvider() {}

  @Override
  public String name() {
    return "tck-broken-archive";
  }

  @Override
  public String description() {
    return "The archive provider broken in one narrow case of encryption or compression";
  }

  @Override
  public Set<Capability> capabilities() {
    return real.capabilities();
  }

  @Override
  public List<OptionInfo> options() {
    List<OptionInfo> all = new ArrayList<>(real.options());
    all.add(OptionInfo.required(BROKEN, "the rule to break, as a name of Broken"));
    return List.copyOf(all);
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    Map<String, String> rest = new LinkedHashMap<>(options);
    String name = rest.remove(BROKEN);
    if (name == null) {
      throw new IllegalArgumentException(
          "provider '" + name() + "' requires option '" + BROKEN + "'");
    }
    Broken broken;
    try {
      broken = Broken.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid value for option '" + BROKEN + "': expected a name of Broken", e);
    }
    boolean keyPair = rest.containsKey("recipient") || rest.containsKey("identity-file");
    if (broken == Broken.SIGNS_INSTEAD_OF_ENCRYPTING && !keyPair) {
      rest.putIfAbsent("mode", "signed"); // format 1's bug; format 2 (recipients) has no such mode
    }
    boolean writeOnly = rest.containsKey("recipient") && !rest.containsKey("identity-file");
    if (broken == Broken.RECIPIENTS_REPLACED_BY_A_BUILT_IN_KEY
        && (rest.remove("recipient") != null | rest.remove("identity-file") != null)) {
      rest.put("key", TestSupport.KEY_HEX);
      rest.put("format", "2");
    }
    if (broken == Broken.REKEY_ONLY_REPORTS || broken == Broken.REKEY_COPIES_THE_DATA) {
      rest.putIfAbsent("format", "2");
    }
    Path lock = location.resolve("open.lock");
    boolean locked = broken == Broken.WRONG_KEY_LEAVES_A_LOCK && Files.isDirectory(location);
    if (locked) {
      Files.deleteIfExists(lock);
      Files.createFile(lock);
    }
    BackupRepository repo;
    try {
      repo = real.open(location, rest);
    } catch (WrongKeyException e) {
      if (broken == Broken.WRONG_KEY_REFUSED_AFTER_STAGING) {
        return new WrongKeyRepository(e, location, RepositoryInfo.of(this, location));
      }
      throw e; // WRONG_KEY_LEAVES_A_LOCK: the lock is left behind
    } catch (IOException | RuntimeException e) {
      if (locked) {
        Files.deleteIfExists(lock);
      }
      throw e;
    }
    if (locked) {
      Files.deleteIfExists(lock);
    }
    return new Repository(repo, broken, location, name(), writeOnly);
  }

  /** {@code m} as this provider's: the provider name P7 checks. */
  static BackupMetadata renamed(BackupMetadata m, String provider) {
    return new BackupMetadata(
        m.backupId(),
        m.createdAt(),
        m.sourceDir(),
        m.totalFiles(),
        m.totalBytes(),
        m.backupType(),
        m.baseBackupId(),
        provider,
        m.version(),
        m.labels(),
        m.warnings());
  }

  /** A repository opened with a wrong key: every call refuses, but a backup stages first. */
  private static final class WrongKeyRepository implements BackupRepository {
    private final WrongKeyException refusal;
    private final Path location;
    private final RepositoryInfo info;

    WrongKeyRepository(WrongKeyException refusal, Path location, RepositoryInfo info) {
      this.refusal = refusal;
      this.location = location;
      this.info = info;
    }

    private WrongKeyException refused() {
      return new WrongKeyException(refusal.getMessage());
    }

    @Override
    public BackupMetadata backup(BackupRequest request) throws IOException {
      Files.createTempFile(location, "staging-", ".tmp"); // the bug: staged before the key check
      throw refused();
    }

    @Override
    public BackupMetadata restore(RestoreRequest request) throws IOException {
      throw refused();
    }

    @Override
    public List<BackupMetadata> list() throws IOException {
      throw refused();
    }

    @Override
    public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
      throw refused();
    }

    @Override
    public VerifyReport verify(BackupId backupId) throws IOException {
      throw refused();
    }

    @Override
    public void delete(BackupId backupId) throws IOException {
      throw refused();
    }

    @Override
    public RepositoryInfo info() {
      return info;
    }

    @Override
    public long storedBytes(BackupId backupId) throws IOException {
      throw refused();
    }

    @Override
    public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
      throw refused();
    }

    @Override
    public void close() {}
  }

  /** The real repository, with the chosen bug around it. */
  private static final class Repository implements BackupRepository {
    private final BackupRepository real;
    private final Broken broken;
    private final Path location;
    private final String provider;
    private final boolean writeOnly;

    Repository(
        BackupRepository real, Broken broken, Path location, String provider, boolean writeOnly) {
      this.writeOnly = writeOnly;
      this.real = real;
      this.broken = broken;
      this.location = location;
      this.provider = provider;
    }

    /** The key of backup {@code id} in {@link #LARGE_BYTES}. */
    private String key(String id) {
      return location.toAbsolutePath() + "/" + id;
    }

    @Override
    public BackupMetadata backup(BackupRequest request) throws IOException {
      long large = 0;
      if (broken == Broken.LARGE_FILES_COUNTED_AT_THEIR_LOGICAL_SIZE) {
        try (Stream<Path> all = Files.walk(request.source())) {
          for (Path p : (Iterable<Path>) all::iterator) {
            if (Files.isRegularFile(p) && Files.size(p) >= 768 << 10) {
              large += Files.size(p);
            }
          }
        }
      }
      BackupMetadata b = renamed(real.backup(request), provider);
      LARGE_BYTES.put(key(b.id().value()), large);
      return b;
    }

    @Override
    public BackupMetadata restore(RestoreRequest request) throws IOException {
      if (broken == Broken.WRITE_ONLY_RESTORE_CREATES_THE_TARGET && writeOnly) {
        Files.createDirectories(request.target()); // the bug: made before the key is found missing
      }
      return renamed(real.restore(request), provider);
    }

    @Override
    public List<BackupMetadata> list() throws IOException {
      return real.list().stream().map(m -> renamed(m, provider)).toList();
    }

    @Override
    public List<BackupId> unlisted() throws IOException {
      return real.unlisted();
    }

    @Override
    public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
      return real.find(backupId).map(m -> renamed(m, provider));
    }

    @Override
    public VerifyReport verify(BackupId backupId) throws IOException {
      return real.verify(backupId);
    }

    @Override
    public VerifyReport verify(BackupId backupId, ProgressListener listener) throws IOException {
      return real.verify(backupId, listener);
    }

    @Override
    public void delete(BackupId backupId) throws IOException {
      real.delete(backupId);
    }

    @Override
    public RekeyReport rekey(Map<String, String> newKeys, Consumer<RekeyReport> progress)
        throws IOException {
      switch (broken) {
        case REKEY_ONLY_REPORTS -> {
          long n = real.list().size();
          RekeyReport r = new RekeyReport(n, n, 0, 0);
          progress.accept(r);
          return r;
        }
        case REKEY_COPIES_THE_DATA -> {
          RekeyReport r = real.rekey(newKeys, progress);
          Path journal = Files.createDirectories(location.resolve("rekey-journal"));
          try (Stream<Path> data = Files.list(location.resolve("data"))) {
            for (Path p : (Iterable<Path>) data::iterator) {
              Files.copy(p, journal.resolve(p.getFileName().toString()));
            }
          }
          return r;
        }
        case REFUSED_REKEY_WRITES_FIRST -> {
          Files.writeString(location.resolve("rekey.marker"), "started");
          return real.rekey(newKeys, progress);
        }
        default -> {
          return real.rekey(newKeys, progress);
        }
      }
    }

    @Override
    public RepositoryInfo info() {
      RepositoryInfo i = real.info();
      return new RepositoryInfo(provider, i.capabilities(), i.location());
    }

    @Override
    public long storedBytes(BackupId backupId) throws IOException {
      long size = real.storedBytes(backupId);
      return switch (broken) {
        case STORED_BYTES_IS_THE_LOGICAL_SIZE -> real.find(backupId).orElseThrow().totalBytes();
        case LARGE_FILES_COUNTED_AT_THEIR_LOGICAL_SIZE ->
            size + LARGE_BYTES.getOrDefault(key(backupId.value()), 0L);
        default -> size;
      };
    }

    @Override
    public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
      return real.prune(policy).stream().map(m -> renamed(m, provider)).toList();
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }
}
