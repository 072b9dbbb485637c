package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.RestoreRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The archive provider (formats 1 and 2) on the real disk, where restores write through a {@link
 * SecureDirectoryStream}: another process renames the staging directory away during a restore and
 * puts a link to its own directory in its place (issue #16). Nothing reaches that directory, the
 * restore fails, the target stays absent, and the staging directory is emptied where it was moved
 * to, through its handle.
 */
class StagingSwapTest {

  @TempDir Path tmp;

  /** Both archive formats, swapped at each of the first four progress calls. */
  static Stream<Arguments> swaps() {
    return Stream.of("1", "2")
        .flatMap(
            format -> IntStream.rangeClosed(1, 4).mapToObj(call -> Arguments.of(format, call)));
  }

  @ParameterizedTest(name = "format {0}, swapped at progress call {1}")
  @MethodSource("swaps")
  void aStagingDirectorySwappedForALink_receivesNothing_andTheRestoreFails(String format, int call)
      throws IOException {
    try (DirectoryStream<Path> probe = Files.newDirectoryStream(tmp)) {
      assumeTrue(probe instanceof SecureDirectoryStream, "this file system has no handle API");
    }
    Path source = tmp.resolve("source");
    Files.createDirectories(source.resolve("d/e"));
    TestSupport.write(source.resolve("a.txt"), "first");
    TestSupport.write(source.resolve("d/b.txt"), "second");
    TestSupport.write(source.resolve("d/e/c.txt"), "third");
    TestSupport.write(source.resolve("f.txt"), "fourth");
    Path parent = Files.createDirectory(tmp.resolve("restores"));
    Path attacker = Files.createDirectory(tmp.resolve("attacker"));
    Path target = parent.resolve("target");
    AtomicInteger calls = new AtomicInteger();
    Map<String, String> options = TestSupport.keyOptions(TestSupport.KEY_HEX);
    options.put("format", format);
    try (BackupRepository repo = new ArchiveBackupProvider().open(tmp.resolve("repo"), options)) {
      BackupMetadata b = repo.backup(source);
      RestoreRequest request =
          RestoreRequest.of(b.id(), target)
              .withProgress(
                  p -> {
                    if (calls.incrementAndGet() == call) {
                      swap(parent, attacker);
                    }
                  });
      BackupException e = assertThrows(BackupException.class, () -> repo.restore(request));
      assertTrue(e.getMessage().contains("moved or replaced"), e.getMessage());
    }
    assertEquals(
        List.of(), TestSupport.names(attacker), "nothing lands in the swapped-in directory");
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "the target stays absent");
    assertEquals(
        List.of(), TestSupport.names(parent.resolve("moved-away")), "emptied through its handle");
  }

  /**
   * The other process: the staging directory (the only entry) renamed away, a link in its place.
   */
  private static void swap(Path parent, Path attacker) {
    try {
      List<String> staged = TestSupport.names(parent);
      assertEquals(1, staged.size(), "one staging directory: " + staged);
      Path staging = parent.resolve(staged.get(0));
      Files.move(staging, parent.resolve("moved-away"));
      Files.createSymbolicLink(staging, attacker);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
