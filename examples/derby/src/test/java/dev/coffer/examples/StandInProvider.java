package dev.coffer.examples;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.BackupType;
import dev.coffer.NoSuchBackupException;
import dev.coffer.RestoreRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.spi.BackupIds;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.SourceEntry;
import dev.coffer.spi.SourceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A temporary directory-copy provider, used until the real providers are merged. */
public final class StandInProvider implements BackupProvider {
  @Override
  public String name() {
    return "stand-in";
  }

  @Override
  public String description() {
    return "test stand-in: copies directories";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.INCREMENTAL);
  }

  @Override
  public List<OptionInfo> options() {
    return List.of();
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    Files.createDirectories(location);
    Map<String, BackupMetadata> backups = new ConcurrentHashMap<>();
    return new BackupRepository() {
      @Override
      public BackupMetadata backup(BackupRequest request) throws IOException {
        if (request.baseBackupId() != null && !backups.containsKey(request.baseBackupId())) {
          throw new NoSuchBackupException(request.baseBackupId());
        }
        SourceTree tree = SourceTree.scan(request.source());
        String id = BackupIds.newId();
        Path dir = location.resolve(id);
        Files.createDirectory(dir);
        for (SourceEntry e : tree.entries()) {
          if (e.type() == SourceEntry.Type.DIRECTORY) {
            Files.createDirectories(dir.resolve(e.path()));
          } else {
            Files.copy(tree.root().resolve(e.path()), dir.resolve(e.path()));
          }
        }
        BackupMetadata m = new BackupMetadata(id, Instant.now(), request.source().toString(), tree.files().size(),
            tree.totalBytes(), request.incremental() ? BackupType.INCREMENTAL : BackupType.FULL,
            request.baseBackupId(), "stand-in", "0", request.labels());
        backups.put(id, m);
        return m;
      }

      @Override
      public BackupMetadata restore(RestoreRequest request) throws IOException {
        BackupMetadata m = get(request.backupId());
        SourceTree tree = SourceTree.scan(location.resolve(m.backupId()));
        Files.createDirectories(request.target());
        for (SourceEntry e : tree.entries()) {
          if (e.type() == SourceEntry.Type.DIRECTORY) {
            Files.createDirectories(request.target().resolve(e.path()));
          } else {
            Files.copy(tree.root().resolve(e.path()), request.target().resolve(e.path()));
          }
        }
        return m;
      }

      private BackupMetadata get(String id) throws NoSuchBackupException {
        BackupMetadata m = backups.get(id);
        if (m == null) {
          throw new NoSuchBackupException(id);
        }
        return m;
      }

      @Override
      public List<BackupMetadata> list() {
        List<BackupMetadata> all = new ArrayList<>(backups.values());
        all.sort(BackupMetadata.NEWEST_FIRST);
        return all;
      }

      @Override
      public Optional<BackupMetadata> find(String backupId) {
        return Optional.ofNullable(backups.get(backupId));
      }

      @Override
      public VerifyReport verify(String backupId) throws IOException {
        get(backupId);
        return new VerifyReport(backupId, List.of(), 0, 0);
      }

      @Override
      public void delete(String backupId) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long size(String backupId) throws IOException {
        return get(backupId).totalBytes();
      }

      @Override
      public List<BackupMetadata> prune(RetentionPolicy policy) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() {}
    };
  }
}
