package dev.coffer.cli;

import dev.coffer.BackupId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.Progress;
import dev.coffer.RestoreMode;
import dev.coffer.RestoreRequest;
import dev.coffer.RepositoryInfo;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A tiny provider for the CLI's tests: each backup is a plain copy with SHA-256 sums; a key or passphrase,
 * when given, is checked against a hash stored in the repository. Not a real provider: nothing is encrypted.
 */
public final class FakeProvider implements BackupProvider {
  private static final ObjectMapper MAPPER = new ObjectMapper();

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
    return Set.of(Capability.INCREMENTAL, Capability.PARTIAL_RESTORE, Capability.INDEPENDENT_INCREMENTALS,
        Capability.ENCRYPTION);
  }

  @Override
  public List<OptionInfo> options() {
    return List.of(
        OptionInfo.secret("key", "the key, 64 hex digits"),
        OptionInfo.optional("key-file", "a file holding the key", null),
        OptionInfo.secret("passphrase", "a passphrase"));
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> given) throws IOException {
    ProviderOptions options = ProviderOptions.parse(name(), options(), given);
    String secret = null;
    if (options.get("key-file").isPresent()) {
      secret = "key:" + Repositories.readSecret(location.getFileSystem().getPath(options.get("key-file").get()), "--key-file").strip();
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
        if (!Files.readString(check).equals(h)) {
          throw new WrongKeyException("the key does not open repository " + location);
        }
      } else {
        Files.writeString(check, h);
      }
    } else if (Files.exists(check)) {
      throw new WrongKeyException("repository " + location + " needs a key or passphrase");
    }
    return new Repo(location);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Repo implements BackupRepository {
    private final Path root;

    Repo(Path root) {
      this.root = root;
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
      ObjectNode sums = MAPPER.createObjectNode();
      List<String> dirs = new ArrayList<>();
      List<Path> files = new ArrayList<>();
      try (Stream<Path> s = Files.walk(src)) {
        s.sorted().forEach(files::add);
      }
      long total = files.stream().filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
      long count = 0;
      long bytes = 0;
      long fileCount = files.stream().filter(Files::isRegularFile).count();
      for (Path p : files) {
        if (p.equals(src)) {
          continue;
        }
        String rel = src.relativize(p).toString();
        if (Files.isDirectory(p)) {
          Files.createDirectories(data.resolve(rel));
          dirs.add(rel);
        } else {
          Files.copy(p, data.resolve(rel));
          sums.put(rel, sha256(Files.readAllBytes(p)));
          count++;
          bytes += Files.size(p);
          request.progress().onProgress(new Progress(Progress.Phase.BACKUP, count, fileCount, bytes, total, rel));
        }
      }
      BackupMetadata m = new BackupMetadata(id, Instant.now(), src.toString(), count, bytes,
          request.incremental() ? BackupType.INCREMENTAL : BackupType.FULL,
          request.incremental() ? request.baseBackupId().value() : null, "fake", "1",
          request.labels());
      ObjectNode meta = MAPPER.createObjectNode();
      meta.put("createdAt", m.createdAt().toString());
      meta.put("sourceDir", m.sourceDir());
      meta.put("base", m.baseBackupId());
      meta.set("labels", MAPPER.valueToTree(m.labels()));
      meta.set("sums", sums);
      meta.set("dirs", MAPPER.valueToTree(dirs));
      Files.writeString(dir.resolve("meta.json"), MAPPER.writeValueAsString(meta));
      return m;
    }

    private JsonNode meta(String id) throws IOException {
      if (!BackupId.isValid(id) || !Files.isRegularFile(root.resolve(id).resolve("meta.json"))) {
        throw new NoSuchBackupException(id);
      }
      return MAPPER.readTree(Files.readString(root.resolve(id).resolve("meta.json")));
    }

    private BackupMetadata metadata(String id) throws IOException {
      JsonNode n = meta(id);
      Map<String, String> labels = new TreeMap<>();
      n.get("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
      long files = 0;
      long bytes = 0;
      for (Iterator<String> it = n.get("sums").fieldNames(); it.hasNext(); ) {
        String rel = it.next();
        files++;
        Path f = root.resolve(id).resolve("data").resolve(rel);
        bytes += Files.exists(f) ? Files.size(f) : 0;
      }
      String base = n.get("base").isNull() ? null : n.get("base").asText();
      return new BackupMetadata(id, Instant.parse(n.get("createdAt").asText()), n.get("sourceDir").asText(), files,
          bytes, base == null ? BackupType.FULL : BackupType.INCREMENTAL, base, "fake", "1", labels);
    }

    @Override
    public BackupMetadata restore(RestoreRequest request) throws IOException {
      BackupMetadata m = metadata(request.backupId().value());
      VerifyReport report = verify(request.backupId());
      if (!report.ok()) {
        throw new CorruptBackupException("backup " + request.backupId() + " is corrupt: " + report.problems().get(0).detail(),
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
        DemoTree.delete(target);
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
        String rel = data.relativize(p).toString();
        if (!request.selects(rel) && request.paths().stream().noneMatch(x -> x.startsWith(rel + "/"))) {
          continue;
        }
        if (Files.isDirectory(p)) {
          Files.createDirectories(target.resolve(rel));
        } else {
          Files.copy(p, target.resolve(rel));
          done++;
          request.progress().onProgress(new Progress(Progress.Phase.RESTORE, done, m.totalFiles(), 0, -1, rel));
        }
      }
      return m;
    }

    @Override
    public List<BackupMetadata> list() throws IOException {
      List<BackupMetadata> out = new ArrayList<>();
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isRegularFile(p.resolve("meta.json"))) {
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
      JsonNode n = meta(backupId.value());
      Path data = root.resolve(backupId.value()).resolve("data");
      List<VerifyReport.Problem> problems = new ArrayList<>();
      Set<String> expected = new TreeSet<>();
      long files = 0;
      long bytes = 0;
      for (Map.Entry<String, JsonNode> e : n.get("sums").properties()) {
        expected.add(e.getKey());
        Path f = data.resolve(e.getKey());
        if (!Files.exists(f)) {
          problems.add(new VerifyReport.Problem(e.getKey(), VerifyReport.Kind.MISSING, "not stored"));
          continue;
        }
        byte[] b = Files.readAllBytes(f);
        files++;
        bytes += b.length;
        String actual = sha256(b);
        if (!actual.equals(e.getValue().asText())) {
          problems.add(new VerifyReport.Problem(e.getKey(), VerifyReport.Kind.CORRUPT,
              "sha256 mismatch: recorded " + e.getValue().asText().substring(0, 8) + ", computed " + actual.substring(0, 8)));
        }
      }
      try (Stream<Path> s = Files.walk(data)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          String rel = data.relativize(p).toString();
          if (Files.isRegularFile(p) && !expected.contains(rel)) {
            problems.add(new VerifyReport.Problem(rel, VerifyReport.Kind.UNEXPECTED, "stored but not recorded"));
          }
        }
      }
      return new VerifyReport(backupId.value(), problems, files, bytes);
    }

    @Override
    public void delete(BackupId backupId) throws IOException {
      meta(backupId.value());
      DemoTree.delete(root.resolve(backupId.value()));
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
