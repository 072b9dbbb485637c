package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The faulty file system's directory handles (where the delegate has them) and its action before an
 * operation, which the TCK's staging-swap check (rule P21) uses.
 */
class FaultySecureDirectoryStreamTest {

  private static final Set<StandardOpenOption> CREATE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

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
  void aHandleOfTheFaultyFileSystem_countsAndFailsItsOperations_likeThoseByName()
      throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(root)) {
      assertTrue(s instanceof SecureDirectoryStream, "Jimfs unix has handles, so the wrapper too");
      SecureDirectoryStream<Path> dir = (SecureDirectoryStream<Path>) s;
      fs.resetCount();
      try (SeekableByteChannel ch = dir.newByteChannel(fs.getPath("a"), CREATE)) {
        ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      }
      assertEquals(2, fs.operations(), "a create and a write");
      assertEquals(3, Files.size(root.resolve("a")));
      fs.failAt(1);
      assertThrows(IOException.class, () -> dir.newByteChannel(fs.getPath("b"), CREATE));
      assertFalse(Files.exists(root.resolve("b")));
      fs.failAt(1);
      assertThrows(IOException.class, () -> dir.deleteFile(fs.getPath("a")));
      assertTrue(Files.exists(root.resolve("a")), "a failed delete deletes nothing");
      dir.move(fs.getPath("a"), dir, fs.getPath("c"));
      assertTrue(Files.exists(root.resolve("c"), LinkOption.NOFOLLOW_LINKS));
      assertEquals(
          5, fs.operations(), "a create, a write, a failed create, a failed delete, a move");
    }
  }

  @Test
  void beforeOperation_runsTheActionJustBeforeTheNthOperation_once() throws IOException {
    List<Boolean> seen = new ArrayList<>();
    Path plain = fs.unwrap(root);
    fs.beforeOperation(
        2,
        () ->
            seen.add(
                Files.exists(plain.resolve("first")) && !Files.exists(plain.resolve("second"))));
    Files.createFile(root.resolve("first"));
    assertEquals(List.of(), seen, "not before the first operation");
    Files.createFile(root.resolve("second"));
    Files.createFile(root.resolve("third"));
    assertEquals(List.of(true), seen, "once, between the first and the second");
  }
}
