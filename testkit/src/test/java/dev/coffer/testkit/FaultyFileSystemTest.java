package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.testkit.FaultyFileSystem.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultyFileSystemTest {

  private FaultyFileSystem fs;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    fs = FaultyFileSystem.wrap(Jimfs.newFileSystem(Configuration.unix()));
    root = Files.createDirectories(fs.getPath("/work"));
  }

  @AfterEach
  void tearDown() throws IOException {
    fs.close();
  }

  @Test
  void paths_areOfTheFaultyFileSystem_andOperationsGoThroughIt() throws IOException {
    Path file = root.resolve("a").resolve("b.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "hello");
    assertEquals(fs, file.getFileSystem());
    assertEquals(fs, file.toRealPath().getFileSystem());
    try (Stream<Path> s = Files.list(root.resolve("a"))) {
      List<Path> listed = s.collect(Collectors.toList());
      assertEquals(List.of(file), listed);
      assertEquals(fs, listed.get(0).getFileSystem());
    }
    assertEquals("a/b.txt", root.relativize(file).toString());
    assertTrue(fs.operations() > 0);
  }

  @Test
  void failAt_failsExactlyTheNthOperation_thenClears() throws IOException {
    fs.resetCount();
    Files.createDirectory(root.resolve("one"));
    Files.createDirectory(root.resolve("two"));
    assertEquals(2, fs.operations());
    fs.failAt(2, Operation.CREATE);
    Files.createDirectory(root.resolve("three"));
    IOException e =
        assertThrows(IOException.class, () -> Files.createDirectory(root.resolve("four")));
    assertTrue(e.getMessage().contains("injected failure of CREATE"), e.getMessage());
    assertFalse(Files.exists(root.resolve("four")));
    Files.createDirectory(root.resolve("four"));
  }

  @Test
  void failAt_force_failsTheForceOnly() throws IOException {
    fs.failAt(1, Operation.FORCE);
    try (FileChannel ch =
        FileChannel.open(
            root.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertThrows(IOException.class, () -> ch.force(true));
      ch.force(true);
    }
    assertEquals(3, Files.size(root.resolve("f")));
  }

  @Test
  void diskFullAfter_writesWhatFitsThenFails() throws IOException {
    fs.diskFullAfter(10);
    Path f = root.resolve("big");
    FileSystemException e =
        assertThrows(FileSystemException.class, () -> Files.write(f, new byte[100]));
    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    assertEquals(10, Files.size(f));
    fs.clearFaults();
    Files.write(f, new byte[100]);
    assertEquals(100, Files.size(f));
  }

  @Test
  void shortReads_returnOneByteAtATime_butReadAllBytesStillWorks() throws IOException {
    byte[] data = new byte[1000];
    new java.util.Random(1).nextBytes(data);
    Files.write(root.resolve("d"), data);
    fs.shortReads(true);
    try (InputStream in = Files.newInputStream(root.resolve("d"))) {
      byte[] buf = new byte[100];
      assertEquals(1, in.read(buf));
    }
    assertArrayEquals(data, Files.readAllBytes(root.resolve("d")));
  }

  @Test
  void crash_truncatesUnforcedDataToTheLastForcedLength_andFailsUntilRecover() throws IOException {
    Path forced = root.resolve("forced");
    Path unforced = root.resolve("unforced");
    try (FileChannel ch =
        FileChannel.open(forced, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[50]));
      ch.force(true);
      ch.write(ByteBuffer.wrap(new byte[25]));
    }
    Files.write(unforced, new byte[40]);
    fs.crash();
    assertThrows(IOException.class, () -> Files.size(forced));
    assertThrows(IOException.class, () -> Files.createDirectory(root.resolve("x")));
    fs.recover();
    assertEquals(50, Files.size(forced));
    assertEquals(0, Files.size(unforced));
  }

  @Test
  void crashAt_crashesAtTheNthOperation() throws IOException {
    fs.crashAt(2);
    Files.createDirectory(root.resolve("one"));
    assertThrows(IOException.class, () -> Files.createDirectory(root.resolve("two")));
    assertTrue(fs.crashed());
    assertThrows(IOException.class, () -> Files.createDirectory(root.resolve("three")));
    fs.recover();
    assertTrue(Files.isDirectory(root.resolve("one")));
    assertFalse(Files.exists(root.resolve("two")));
  }

  @Test
  void move_keepsTrackOfUnforcedData() throws IOException {
    Files.createDirectories(root.resolve("staging"));
    Files.write(root.resolve("staging").resolve("f"), new byte[30]);
    Files.move(root.resolve("staging"), root.resolve("published"));
    fs.crash();
    fs.recover();
    assertEquals(0, Files.size(root.resolve("published").resolve("f")));
  }

  @Test
  void wrap_pathOfAnotherFileSystem_isRefused() {
    assertThrows(java.nio.file.ProviderMismatchException.class, () -> fs.wrap(Path.of("/tmp")));
    assertThrows(IllegalArgumentException.class, () -> fs.failAt(0));
  }

  @Test
  void afterReads_changesTheFileRightAfterTheNthReadOfAChannel() throws IOException {
    Files.write(root.resolve("g"), new byte[10]);
    fs.afterReads(
        root.resolve("g"),
        1,
        p -> {
          try {
            Files.write(p, new byte[5], java.nio.file.StandardOpenOption.APPEND);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(root.resolve("g"))) {
      assertEquals(10, ch.read(ByteBuffer.allocate(10)));
      assertEquals(15, ch.size(), "appended after the first read returned");
    }
  }

  @Test
  void beforeOpenForReading_deletesTheFileJustBeforeItIsOpened_butNotForAWrite()
      throws IOException {
    Files.write(root.resolve("h"), new byte[10]);
    fs.beforeOpenForReading(
        root.resolve("h"),
        p -> {
          try {
            Files.delete(p);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    Files.write(root.resolve("h"), new byte[3]); // opened for writing: the plan waits
    assertEquals(3, Files.size(root.resolve("h")));
    assertThrows(
        java.nio.file.NoSuchFileException.class,
        () -> java.nio.channels.FileChannel.open(root.resolve("h")).close());
    Files.write(root.resolve("h"), new byte[4]);
    assertEquals(4, Files.readAllBytes(root.resolve("h")).length, "the action ran once");
  }
}
