package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Format 2's {@code block-size} option through the {@code archive} provider: validated, used by a
 * new full backup, and kept from the base by an incremental whatever the option says.
 */
class Format2BlockSizeTest {

  /** Three changed 8 KiB pages, each in another 64 KiB block of the 4 MiB table. */
  private static final int[] CHANGED_PAGES = {3, 200, 511};

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final Path root = fs.getPath("/work");
  private final Path source = root.resolve("db");
  private final byte[] table = new byte[4 << 20];
  private int round;

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private static BackupRepository open(Path location, Map<String, String> options)
      throws IOException {
    return new ArchiveBackupProvider().open(location, options);
  }

  private static Map<String, String> options(String... more) {
    Map<String, String> o = TestSupport.keyOptions(TestSupport.KEY_HEX);
    for (int i = 0; i < more.length; i += 2) {
      o.put(more[i], more[i + 1]);
    }
    return o;
  }

  private void writeTable() throws IOException {
    Files.createDirectories(source);
    Files.write(source.resolve("table"), table);
    // older than the scan by more than the granularity: a later rewrite changes the mtime
    Files.setLastModifiedTime(source.resolve("table"), FileTime.from(TestSupport.T0));
  }

  private void changePages() throws IOException {
    round++;
    for (int page : CHANGED_PAGES) {
      byte[] changed =
          ("changed page " + page + " in round " + round).getBytes(StandardCharsets.UTF_8);
      System.arraycopy(changed, 0, table, page * 8192, changed.length);
    }
    Files.write(source.resolve("table"), table);
  }

  /** The bytes an incremental after {@link #changePages()} adds, checked by a restore. */
  private long incrementalBytes(BackupRepository r, BackupMetadata full, String targetName)
      throws IOException {
    changePages();
    BackupMetadata incr = r.backup(BackupRequest.incremental(source, full.id()));
    Path target = root.resolve(targetName);
    r.restore(incr.id(), target);
    assertArrayEquals(table, Files.readAllBytes(target.resolve("table")));
    assertTrue(r.verify(incr.id()).ok());
    return r.storedBytes(incr.id());
  }

  @Test
  void smallBlocks_storeOnlyTheChangedPages_whereTheDefaultStoresWholeBlocks() throws IOException {
    new Random(7).nextBytes(table); // incompressible: stored bytes follow what is stored
    writeTable();
    long small;
    try (BackupRepository r =
        open(root.resolve("small"), options("format", "2", "block-size", "8192"))) {
      small = incrementalBytes(r, r.backup(source), "restored-small");
    }
    new Random(7).nextBytes(table);
    writeTable();
    long large;
    try (BackupRepository r = open(root.resolve("default"), options("format", "2"))) {
      large = incrementalBytes(r, r.backup(source), "restored-default");
    }
    assertTrue(large >= 3 * 65536, "64 KiB blocks: three whole blocks, stored " + large);
    assertTrue(small < 3 * 65536 / 2, "8 KiB blocks: three pages, stored " + small);
  }

  @Test
  void incremental_keepsItsBasesBlockSize_whateverTheOptionSays() throws IOException {
    new Random(11).nextBytes(table);
    writeTable();
    Path repo = root.resolve("repo");
    BackupMetadata full;
    try (BackupRepository r = open(repo, options("format", "2", "block-size", "8192"))) {
      full = r.backup(source);
    }
    try (BackupRepository r = open(repo, options("block-size", "1048576"))) {
      long stored = incrementalBytes(r, full, "restored");
      assertTrue(stored < 3 * 65536 / 2, "the base's 8 KiB blocks, stored " + stored);
      // a new full takes the option: its incremental stores whole 1 MiB blocks
      BackupMetadata next = r.backup(source);
      long nextStored = incrementalBytes(r, next, "restored-next");
      assertTrue(nextStored >= 3 * 1048576, "1 MiB blocks, stored " + nextStored);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"5000", "2048", "2097152", "0", "-4096", "64k"})
  void blockSize_notAPowerOfTwoFrom4KiBTo1MiB_isRefusedAndCreatesNothing(String value) {
    Path repo = root.resolve("repo");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> open(repo, options("format", "2", "block-size", value)));
    assertTrue(e.getMessage().contains("block-size"), e.getMessage());
    assertFalse(Files.exists(repo));
  }

  @Test
  void blockSize_onFormat1_isRefused() throws IOException {
    Path repo = root.resolve("repo");
    IllegalArgumentException explicit =
        assertThrows(
            IllegalArgumentException.class,
            () -> open(repo, options("format", "1", "block-size", "8192")));
    assertTrue(explicit.getMessage().contains("block-size"), explicit.getMessage());
    IllegalArgumentException byDefault =
        assertThrows(
            IllegalArgumentException.class, () -> open(repo, options("block-size", "8192")));
    assertTrue(byDefault.getMessage().contains("format=2"), byDefault.getMessage());
    assertFalse(Files.exists(repo));
    open(repo, options()).close(); // an existing format-1 repository
    assertThrows(IllegalArgumentException.class, () -> open(repo, options("block-size", "8192")));
  }
}
