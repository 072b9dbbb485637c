package dev.coffer.testkit;

import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.Progress;
import dev.coffer.RepositoryInfo;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.FileTrees;
import dev.coffer.spi.support.ProviderOptions;
import dev.coffer.spi.support.ReadCheck;
import dev.coffer.spi.support.SourceEntry;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A minimal provider for tests of code that <em>uses</em> providers (a host, a command-line tool):
 * each backup is a plain copy of the source with a SHA-256 sum per file; a key or passphrase, when
 * given, is checked against a hash the repository keeps, so a wrong one fails with {@link
 * WrongKeyException}.
 *
 * <p>Contract: name {@code fake}; options {@code key} (secret), {@code key-file} (a file holding
 * the key; one trailing line break is dropped) and {@code passphrase} (secret); capabilities {@code
 * INCREMENTAL} (an incremental is a full copy recording its base), {@code PARTIAL_RESTORE}, {@code
 * INDEPENDENT_INCREMENTALS} and {@code ENCRYPTION} (declared, so that hosts pass keys; nothing is
 * encrypted). Verify reports a changed file as {@code CORRUPT}, a deleted one as {@code MISSING}
 * and a stray one as {@code UNEXPECTED}; restore refuses a corrupt backup with {@link
 * CorruptBackupException}. It is <em>not</em> a conforming provider (backups are not atomic,
 * nothing is forced to disk, links are followed) and must never hold real data. It is not
 * registered: a test that wants it found by {@code ServiceLoader} lists {@code
 * dev.coffer.testkit.FakeProvider} in its own {@code
 * META-INF/services/dev.coffer.spi.BackupProvider}. Thread-safe for backups through one instance.
 *
 * <p>Files that change while read (rule P34): every file is read through {@link
 * dev.coffer.spi.support.ReadCheck} and the options {@code changed-files} / {@code changed-retries}
 * of {@link dev.coffer.spi.support.ChangedFilesPolicy}, as a real provider does. Two options
 * simulate a live writer deterministically, for tests of how a host handles such a backup: {@code
 * test-grow} (a relative path: one byte is appended to that file after its first read began) and
 * {@code test-delete} (a relative path: that file is deleted after the scan).
 */
public final class FakeProvider implements BackupProvider {

  /** Creates the provider; no I/O. */
  public FakeProvider() {}

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public String description() {
    return "test double: plain copies with SHA-256 sums";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(
        Capability.INCREMENTAL,
        Capability.PARTIAL_RESTORE,
        Capability.INDEPENDENT_INCREMENTALS,
        Capability.ENCRYPTION);
  }

  @Override
  public List<OptionInfo> options() {
    List<OptionInfo> all =
        new ArrayList<>(
            List.of(
                OptionInfo.secret("key", "the key, 64 hex digits"),
                OptionInfo.optional("key-file", "a file holding the key", null),
                OptionInfo.secret("passphrase", "a passphrase")));
    all.addAll(ChangedFilesPolicy.options());
    all.add(
        OptionInfo.optional(
            "test-grow", "test only: append a byte to this file while it is read", null));
    all.add(OptionInfo.optional("test-delete", "test only: delete this file after the scan", null));
    return List.copyOf(all);
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> given) throws IOException {
    ProviderOptions options = ProviderOptions.parse(name(), options(), given);
    String secret = null;
    if (options.get("key-file").isPresent()) {
      secret =
          "key:" + readKeyFile(location.getFileSystem().getPath(options.get("key-file").get()));
    } else if (options.get("key").isPresent()) {
      secret = "key:" + options.get("key").get();
    } else if (options.get("passphrase").isPresent()) {
      secret = "pass:" + options.get("passphrase").get();
    }
    Files.createDirectories(location);
    Path check = location.resolve("key.check");
    if (secret != null) {
      String h = sha256(secret.getBytes(StandardCharsets.UTF_8));
      if (Files.exists(check)) {
        if (!MessageDigest.isEqual(
            Files.readAllBytes(check), h.getBytes(StandardCharsets.US_ASCII))) {
          throw new WrongKeyException("the key does not open repository " + location);
        }
      } else {
        Files.writeString(check, h);
      }
    } else if (Files.exists(check)) {
      throw new WrongKeyException("repository " + location + " needs a key or passphrase");
    }
    return new Repo(
        location,
        ChangedFilesPolicy.of(options),
        options.get("test-grow").orElse(null),
        options.get("test-delete").orElse(null));
  }

  private static String readKeyFile(Path file) throws IOException {
    String s;
    try {
      s = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException(
          "cannot read the file given with --key-file (option key-file, "
              + e.getClass().getSimpleName()
              + "; its name is not shown)");
    }
    return s.endsWith("\r\n")
        ? s.substring(0, s.length() - 2)
        : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A repository: one directory per backup, holding {@code data/} and {@code meta.properties}. */
  private static final class Repo implements BackupRepository {
    private static final String LABEL = "label.";
    private static final String SUM = "sum.";
    private static final String WARNING = "warning.";
    private final Path root;
    private final ChangedFilesPolicy changed;
    private final String grow;
    private final String delete;

    Repo(Path root, ChangedFilesPolicy changed, String grow, String delete) {
      this.root = root;
      this.changed = changed;
      this.grow = grow;
      this.delete = delete;
    }

    @Override
    public synchronized BackupMetadata backup(BackupRequest request) throws IOException {
      Path src = request.source();
      if (!Files.exists(src)) {
        throw new NoSuchFileException(src.toString());
      }
      if (!Files.isDirectory(src)) {
        throw new NotDirectoryException(src.toString());
      }
      if (request.incremental() && find(request.baseBackupId()).isEmpty()) {
        throw new NoSuchBackupException(request.baseBackupId());
      }
      String id = BackupIds.newId().value();
      Path dir = root.resolve(id);
      Path data = dir.resolve("data");
      Files.createDirectories(data);
      List<Path> all = new ArrayList<>();
      try (Stream<Path> s = Files.walk(src)) {
        s.sorted().forEach(all::add);
      }
      Map<Path, SourceEntry> scanned = new TreeMap<>(); // the scan: what ReadCheck compares against
      for (Path p : all) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          scanned.put(
              p,
              new SourceEntry(
                  relative(src, p),
                  SourceEntry.Type.FILE,
                  Files.size(p),
                  Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant(),
                  null));
        }
      }
      if (delete != null) {
        Files.delete(src.resolve(delete));
      }
      long total = scanned.values().stream().mapToLong(SourceEntry::sizeBytes).sum();
      long fileCount = scanned.size();
      Properties meta = new Properties();
      List<BackupWarning> warnings = new ArrayList<>();
      long count = 0;
      long bytes = 0;
      for (Path p : all) {
        if (p.equals(src)) {
          continue;
        }
        String rel = relative(src, p);
        if (Files.isDirectory(p)) {
          Files.createDirectories(data.resolve(rel));
          continue;
        }
        SourceEntry entry = scanned.get(p);
        byte[] read =
            entry == null
                ? Files.readAllBytes(p)
                : read(p, rel, entry, warnings); // a link: followed
        if (read == null) {
          continue; // vanished: left out, recorded
        }
        Files.write(data.resolve(rel), read);
        meta.setProperty(SUM + rel, sha256(read));
        count++;
        bytes += read.length;
        request
            .progress()
            .onProgress(new Progress(Progress.Phase.BACKUP, count, fileCount, bytes, total, rel));
      }
      BackupMetadata m =
          new BackupMetadata(
              id,
              Instant.now(),
              src.toString(),
              count,
              bytes,
              request.incremental() ? BackupType.INCREMENTAL : BackupType.FULL,
              request.incremental() ? request.baseBackupId().value() : null,
              "fake",
              "1",
              request.labels(),
              warnings);
      for (int i = 0; i < warnings.size(); i++) {
        BackupWarning w = warnings.get(i);
        meta.setProperty(WARNING + i, w.kind().name() + "\t" + w.path() + "\t" + w.detail());
      }
      meta.setProperty("createdAt", m.createdAt().toString());
      meta.setProperty("sourceDir", m.sourceDir());
      if (m.baseBackupId() != null) {
        meta.setProperty("base", m.baseBackupId());
      }
      m.labels().forEach((k, v) -> meta.setProperty(LABEL + k, v));
      try (Writer w =
          Files.newBufferedWriter(dir.resolve("meta.properties"), StandardCharsets.UTF_8)) {
        meta.store(w, null);
      }
      return m;
    }

    /** Reads one file as rule P34 asks; null when it vanished (then a warning says so). */
    private byte[] read(Path p, String rel, SourceEntry entry, List<BackupWarning> warnings)
        throws IOException {
      for (int reads = 1; ; reads++) {
        byte[] read;
        Optional<BackupWarning> change;
        try {
          ReadCheck check = reads == 1 ? ReadCheck.before(p, entry) : ReadCheck.reread(p, entry);
          if (rel.equals(grow) && reads == 1) {
            Files.write(p, new byte[] {'+'}, StandardOpenOption.APPEND);
          }
          read = Files.readAllBytes(p);
          change = check.after(read.length);
        } catch (NoSuchFileException e) {
          read = null;
          change = Optional.of(ReadCheck.vanished(entry));
        }
        if (change.isEmpty() || !changed.readAgain(change.get(), reads)) {
          change.ifPresent(warnings::add);
          return read;
        }
      }
    }

    private static String relative(Path from, Path p) {
      StringBuilder sb = new StringBuilder();
      for (Path part : from.relativize(p)) {
        sb.append(sb.length() == 0 ? "" : "/").append(part);
      }
      return sb.toString();
    }

    private Properties meta(String id) throws IOException {
      if (!BackupId.isValid(id)
          || !Files.isRegularFile(root.resolve(id).resolve("meta.properties"))) {
        throw new NoSuchBackupException(id);
      }
      Properties p = new Properties();
      try (Reader r =
          Files.newBufferedReader(
              root.resolve(id).resolve("meta.properties"), StandardCharsets.UTF_8)) {
        p.load(r);
      }
      return p;
    }

    private static Map<String, String> withPrefix(Properties p, String prefix) {
      Map<String, String> out = new TreeMap<>();
      for (String k : p.stringPropertyNames()) {
        if (k.startsWith(prefix)) {
          out.put(k.substring(prefix.length()), p.getProperty(k));
        }
      }
      return out;
    }

    private BackupMetadata metadata(String id) throws IOException {
      Properties p = meta(id);
      long files = 0;
      long bytes = 0;
      for (String rel : withPrefix(p, SUM).keySet()) {
        files++;
        Path f = root.resolve(id).resolve("data").resolve(rel);
        bytes += Files.exists(f) ? Files.size(f) : 0;
      }
      String base = p.getProperty("base");
      List<BackupWarning> warnings = new ArrayList<>();
      for (int i = 0; p.getProperty(WARNING + i) != null; i++) {
        String[] w = p.getProperty(WARNING + i).split("\t", 3);
        warnings.add(new BackupWarning(w[1], BackupWarning.Kind.valueOf(w[0]), w[2]));
      }
      return new BackupMetadata(
          id,
          Instant.parse(p.getProperty("createdAt")),
          p.getProperty("sourceDir"),
          files,
          bytes,
          base == null ? BackupType.FULL : BackupType.INCREMENTAL,
          base,
          "fake",
          "1",
          withPrefix(p, LABEL),
          warnings);
    }

    @Override
    public BackupMetadata restore(RestoreRequest request) throws IOException {
      BackupMetadata m = metadata(request.backupId().value());
      VerifyReport report = verify(request.backupId());
      if (!report.ok()) {
        throw new CorruptBackupException(
            "backup " + request.backupId() + " is corrupt: " + report.problems().get(0).detail(),
            report.problems().get(0).path());
      }
      Path target = request.target();
      if (Files.exists(target) && request.mode() == RestoreMode.CREATE) {
        try (Stream<Path> s = Files.list(target)) {
          if (s.findAny().isPresent()) {
            throw new DirectoryNotEmptyException(target.toString());
          }
        }
      }
      Path data = root.resolve(request.backupId().value()).resolve("data");
      for (String p : request.paths()) {
        if (!Files.exists(data.resolve(p))) {
          throw new NoSuchFileException(p);
        }
      }
      if (Files.exists(target)) {
        FileTrees.deleteRecursively(target);
      }
      Files.createDirectories(target);
      long done = 0;
      List<Path> all;
      try (Stream<Path> s = Files.walk(data)) {
        all = s.sorted().toList();
      }
      for (Path p : all) {
        if (p.equals(data)) {
          continue;
        }
        String rel = relative(data, p);
        if (!request.selects(rel)
            && request.paths().stream().noneMatch(x -> x.startsWith(rel + "/"))) {
          continue;
        }
        if (Files.isDirectory(p)) {
          Files.createDirectories(target.resolve(rel));
        } else {
          Files.copy(p, target.resolve(rel));
          done++;
          request
              .progress()
              .onProgress(new Progress(Progress.Phase.RESTORE, done, m.totalFiles(), 0, -1, rel));
        }
      }
      return m;
    }

    @Override
    public List<BackupMetadata> list() throws IOException {
      List<BackupMetadata> out = new ArrayList<>();
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isRegularFile(p.resolve("meta.properties"))) {
            out.add(metadata(p.getFileName().toString()));
          }
        }
      }
      out.sort(BackupMetadata.NEWEST_FIRST);
      return out;
    }

    @Override
    public Optional<BackupMetadata> find(BackupId backupId) throws IOException {
      try {
        return Optional.of(metadata(backupId.value()));
      } catch (NoSuchBackupException e) {
        return Optional.empty();
      }
    }

    @Override
    public VerifyReport verify(BackupId backupId) throws IOException {
      Map<String, String> sums = withPrefix(meta(backupId.value()), SUM);
      Path data = root.resolve(backupId.value()).resolve("data");
      List<VerifyReport.Problem> problems = new ArrayList<>();
      long files = 0;
      long bytes = 0;
      for (Map.Entry<String, String> e : sums.entrySet()) {
        Path f = data.resolve(e.getKey());
        if (!Files.exists(f)) {
          problems.add(
              new VerifyReport.Problem(e.getKey(), VerifyReport.Kind.MISSING, "not stored"));
          continue;
        }
        byte[] b = Files.readAllBytes(f);
        files++;
        bytes += b.length;
        String actual = sha256(b);
        if (!actual.equals(e.getValue())) {
          problems.add(
              new VerifyReport.Problem(
                  e.getKey(),
                  VerifyReport.Kind.CORRUPT,
                  "sha256 mismatch: recorded "
                      + e.getValue().substring(0, 8)
                      + ", computed "
                      + actual.substring(0, 8)));
        }
      }
      Set<String> expected = new TreeSet<>(sums.keySet());
      try (Stream<Path> s = Files.walk(data)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          String rel = relative(data, p);
          if (Files.isRegularFile(p) && !expected.contains(rel)) {
            problems.add(
                new VerifyReport.Problem(
                    rel, VerifyReport.Kind.UNEXPECTED, "stored but not recorded"));
          }
        }
      }
      return new VerifyReport(backupId.value(), problems, files, bytes);
    }

    @Override
    public void delete(BackupId backupId) throws IOException {
      meta(backupId.value());
      FileTrees.deleteRecursively(root.resolve(backupId.value()));
    }

    @Override
    public long storedBytes(BackupId backupId) throws IOException {
      return metadata(backupId.value()).totalBytes();
    }

    @Override
    public RepositoryInfo info() {
      return RepositoryInfo.of(new FakeProvider(), root);
    }

    @Override
    public List<BackupMetadata> prune(RetentionPolicy policy) throws IOException {
      List<BackupMetadata> doomed = pruneCandidates(policy);
      for (BackupMetadata b : doomed) {
        delete(b.id());
      }
      return doomed;
    }

    @Override
    public void close() {}
  }
}
