package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The default {@link BackupRepository#backup(BackupSource, String)}: labels recorded, close in
 * every outcome.
 */
class BackupSourceTest {

  private static class Source implements BackupSource {
    final List<String> calls = new ArrayList<>();

    @Override
    public Path directory() {
      return Path.of("snapshot");
    }

    @Override
    public Map<String, String> labels() {
      return Map.of("lsn", "0/16B3748");
    }

    @Override
    public void completed(BackupMetadata backup) {
      calls.add("completed " + backup.backupId());
    }

    @Override
    public void close() {
      calls.add("close");
    }
  }

  /**
   * A repository whose backup either records the request or fails; everything else is the fake's.
   */
  private static final class Repo extends FakeProvider.Opened {
    BackupRequest seen;
    IOException failure;
    boolean finishes;
    SourceEnd ended;

    Repo() {
      super(Path.of("repo"), Map.of(), null);
    }

    @Override
    public BackupMetadata backup(BackupRequest request) throws IOException {
      seen = request;
      if (failure != null) {
        throw failure;
      }
      if (finishes) {
        ended = request.finisher().finish();
      }
      return new BackupMetadata(
          "b1",
          Instant.EPOCH,
          request.source().toString(),
          0,
          0,
          request.incremental() ? BackupType.INCREMENTAL : BackupType.FULL,
          request.baseBackupId() == null ? null : request.baseBackupId().value(),
          "test",
          "0",
          request.labels());
    }
  }

  @Test
  void backup_recordsLabels_thenCompleted_thenClose() throws IOException {
    Source source = new Source();
    Repo repo = new Repo();
    BackupMetadata b = repo.backup(source);
    assertEquals(Map.of("lsn", "0/16B3748"), b.labels());
    assertEquals(BackupType.FULL, b.backupType());
    assertEquals(Path.of("snapshot"), repo.seen.source());
    assertEquals(List.of("completed b1", "close"), source.calls);
  }

  @Test
  void backup_withBase_isIncremental() throws IOException {
    Source source = new Source();
    BackupMetadata b = new Repo().backup(source, BackupId.of("base-1"));
    assertEquals(BackupType.INCREMENTAL, b.backupType());
    assertEquals("base-1", b.baseBackupId());
  }

  @Test
  void backup_failingCopy_closesWithoutCompleted() {
    Source source = new Source();
    Repo repo = new Repo();
    repo.failure = new IOException("disk full");
    IOException e = assertThrows(IOException.class, () -> repo.backup(source));
    assertSame(repo.failure, e);
    assertEquals(List.of("close"), source.calls);
  }

  /** A host in backup mode: leaves files out, and ends its backup mode in finish. */
  private static final class OnlineSource extends Source {
    @Override
    public Set<String> excluded() {
      return Set.of("server.pid", "log/*");
    }

    @Override
    public SourceEnd finish() {
      calls.add("finish");
      return new SourceEnd(Path.of("end"), Map.of("stop", "0/2"));
    }
  }

  @Test
  void backup_passesExclusionsAndFinish_whichTheProviderCallsBeforeCompleted() throws IOException {
    OnlineSource source = new OnlineSource();
    Repo repo = new Repo();
    repo.finishes = true;
    repo.backup(source);
    assertEquals(Set.of("log/*", "server.pid"), repo.seen.excluded());
    assertEquals(new SourceEnd(Path.of("end"), Map.of("stop", "0/2")), repo.ended);
    assertEquals(List.of("finish", "completed b1", "close"), source.calls);
  }

  @Test
  void backup_ofAPlainSource_leavesNothingOutAndFinishesWithNothing() throws IOException {
    Repo repo = new Repo();
    repo.finishes = true;
    repo.backup(new Source());
    assertEquals(Set.of(), repo.seen.excluded());
    assertSame(SourceEnd.NONE, repo.ended);
  }

  @Test
  void backup_malformedRequest_stillCloses() {
    Source source =
        new Source() {
          @Override
          public Map<String, String> labels() {
            return Map.of(" ", "blank key"); // refused while the request is built, inside the try
          }
        };
    assertThrows(
        IllegalArgumentException.class, () -> new Repo().backup(source, BackupId.of("base-1")));
    assertEquals(List.of("close"), source.calls);
  }

  @Test
  void backup_malformedBase_isRefusedWhereTheIdIsMade() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BackupId.of("../x"));
    assertTrue(e.getMessage().contains("'../x'"), e.getMessage());
  }
}
