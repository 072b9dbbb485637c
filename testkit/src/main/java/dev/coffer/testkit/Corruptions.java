package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A repository holding a warm-up backup and the backup under test, and every way to corrupt the
 * latter: each stored file (the files that appeared with the backup) flipped, truncated to half and
 * deleted, and a stray file added to each stored directory. Each {@link Corruption} is undone after
 * use. Built by {@link ConformanceEnvironment#corruptions}.
 */
final class Corruptions {
  Path root;
  Path location;
  BackupRepository repo;
  BackupMetadata backup;
  Snapshot source;
  List<String> storedFiles;
  List<String> storedDirs;
  final List<Corruption> all = new ArrayList<>();

  private static final String STRAY = "coffer-tck-stray";

  enum CorruptionKind {
    FLIP,
    TRUNCATE,
    DELETE,
    STRAY
  }

  /** One reversible change to one stored item. */
  static final class Corruption {
    final CorruptionKind kind;
    final Path path;
    final String rel;
    private byte[] saved;

    Corruption(CorruptionKind kind, Path path, String rel) {
      this.kind = kind;
      this.path = path;
      this.rel = rel;
    }

    void apply() throws IOException {
      switch (kind) {
        case FLIP:
          {
            saved = Files.readAllBytes(path);
            byte[] changed = saved.clone();
            changed[changed.length / 2] ^= (byte) 0x5A;
            Files.write(path, changed);
            break;
          }
        case TRUNCATE:
          {
            saved = Files.readAllBytes(path);
            try (var ch = Files.newByteChannel(path, StandardOpenOption.WRITE)) {
              ch.truncate(saved.length / 2);
            }
            break;
          }
        case DELETE:
          saved = Files.readAllBytes(path);
          Files.delete(path);
          break;
        default:
          Files.writeString(path.resolve(STRAY), "a stray file planted by the conformance suite");
      }
    }

    void undo() throws IOException {
      if (kind == CorruptionKind.STRAY) {
        Files.deleteIfExists(path.resolve(STRAY));
      } else {
        Files.write(path, saved);
      }
    }

    @Override
    public String toString() {
      switch (kind) {
        case FLIP:
          return "flipping one byte of stored file " + rel;
        case TRUNCATE:
          return "truncating stored file " + rel + " to half";
        case DELETE:
          return "deleting stored file " + rel;
        default:
          return "adding a stray file to stored directory " + (rel.isEmpty() ? "." : rel);
      }
    }
  }
}
