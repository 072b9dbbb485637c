package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupRequest;
import dev.coffer.SourceEnd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FinishedSource#finish}: the finisher's files and labels checked against the copied source.
 */
class FinishedSourceTest {

  private static Path source(Path root) throws IOException {
    Path src = Files.createDirectories(root.resolve("src/log"));
    Files.writeString(src.resolve("000001"), "segment 1");
    Files.writeString(root.resolve("src/data"), "data");
    return root.resolve("src");
  }

  private static List<String> paths(SourceTree tree) {
    return tree.entries().stream().map(SourceEntry::path).toList();
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void finisherFiles_areAdded_mergingDirectoriesTheSourceHas(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path src = source(root);
    Path end = root.resolve("end");
    Files.createDirectories(end.resolve("log/status"));
    Files.writeString(root.resolve("end/log/000002"), "segment 2");
    Files.writeString(root.resolve("end/label"), "start 1 stop 2");
    AtomicInteger calls = new AtomicInteger();
    BackupRequest request =
        BackupRequest.full(src)
            .withLabel("start", "1")
            .withFinisher(
                () -> {
                  calls.incrementAndGet();
                  return new SourceEnd(end, Map.of("stop", "2"));
                });

    FinishedSource finished = FinishedSource.finish(request, SourceTree.scan(src));
    assertEquals(1, calls.get());
    assertEquals(
        List.of("label", "log/000002", "log/status"),
        paths(finished.tree()),
        "log is merged, not added");
    assertEquals(end.toRealPath(), finished.tree().root().toRealPath());
    assertEquals(14 + 9, finished.tree().totalBytes());
    assertEquals(Map.of("start", "1", "stop", "2"), finished.labels());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void nothingReturned_addsNothing(FileSystems kind) throws IOException {
    Path src = source(kind.newRoot());
    SourceTree copied = SourceTree.scan(src);
    FinishedSource none =
        FinishedSource.finish(BackupRequest.full(src).withLabel("a", "b"), copied);
    assertEquals(List.of(), none.tree().entries());
    assertEquals(Map.of("a", "b"), none.labels());
    FinishedSource nul =
        FinishedSource.finish(BackupRequest.full(src).withFinisher(() -> null), copied);
    assertEquals(List.of(), nul.tree().entries(), "a finisher returning null adds nothing");
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void aFileOrLinkAtACopiedPath_failsNamingIt(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path src = source(root);
    SourceTree copied = SourceTree.scan(src);
    Path end = Files.createDirectories(root.resolve("end/log"));
    Files.writeString(end.resolve("000001"), "another segment 1");
    BackupException e =
        assertThrows(
            BackupException.class,
            () ->
                FinishedSource.finish(
                    BackupRequest.full(src)
                        .withFinisher(() -> new SourceEnd(end.getParent(), null)),
                    copied));
    assertTrue(
        e.getMessage().contains("'log/000001'") && e.getMessage().contains("already has a file"),
        e.getMessage());

    Path other = Files.createDirectories(root.resolve("other/data"));
    e =
        assertThrows(
            BackupException.class,
            () ->
                FinishedSource.finish(
                    BackupRequest.full(src)
                        .withFinisher(() -> new SourceEnd(other.getParent(), null)),
                    copied));
    assertTrue(
        e.getMessage().contains("'data'"),
        "a directory where the source has a file: " + e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void aLabelTheBackupHas_orAMissingDirectory_fails(FileSystems kind) throws IOException {
    Path root = kind.newRoot();
    Path src = source(root);
    SourceTree copied = SourceTree.scan(src);
    BackupException e =
        assertThrows(
            BackupException.class,
            () ->
                FinishedSource.finish(
                    BackupRequest.full(src)
                        .withLabel("lsn", "0/1")
                        .withFinisher(() -> new SourceEnd(null, Map.of("lsn", "0/2"))),
                    copied));
    assertTrue(e.getMessage().contains("'lsn'"), e.getMessage());
    e =
        assertThrows(
            BackupException.class,
            () ->
                FinishedSource.finish(
                    BackupRequest.full(src)
                        .withFinisher(() -> new SourceEnd(root.resolve("gone"), null)),
                    copied));
    assertTrue(
        e.getMessage().contains("gone") && e.getMessage().contains("not a directory"),
        e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(FileSystems.class)
  void aFailingFinisher_failsWithItsOwnException(FileSystems kind) throws IOException {
    Path src = source(kind.newRoot());
    IOException boom = new IOException("backup mode could not be ended");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                FinishedSource.finish(
                    BackupRequest.full(src)
                        .withFinisher(
                            () -> {
                              throw boom;
                            }),
                    SourceTree.scan(src)));
    assertSame(boom, e);
  }
}
