package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriterLockTest {

  @Test
  void aRunningWritersLeftovers_areKept_andRemovedOnceItIsGone() throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = Files.createDirectories(fs.getPath("/repo"));
      Path lockFile = root.resolve(".lock-1");
      Path staging = Files.createDirectories(root.resolve(".staging-1/data"));
      Files.writeString(staging.resolve("f"), "x");
      try (WriterLock lock = WriterLock.acquire(lockFile)) {
        assertEquals(lockFile, lock.file());
        // Jimfs locks exclude nothing: the registry of this JVM keeps the running writer's files
        assertFalse(WriterLock.removeIfAbandoned(lockFile, root.resolve(".staging-1")));
        assertTrue(Files.exists(staging.resolve("f")));
      }
      assertFalse(Files.exists(lockFile), "close deletes the lock file");
      assertTrue(WriterLock.removeIfAbandoned(lockFile, root.resolve(".staging-1")));
      assertEquals(List.of(), names(root));
    }
  }

  @Test
  void aSecondWriterOfTheSameLockFile_isRefused_andTheFirstKeepsIt() throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.windows())) {
      Path lockFile = Files.createDirectories(fs.getPath("C:\\repo")).resolve(".lock-2");
      try (WriterLock first = WriterLock.acquire(lockFile)) {
        assertThrows(FileAlreadyExistsException.class, () -> WriterLock.acquire(lockFile));
        assertTrue(Files.exists(first.file()));
      }
      Files.writeString(lockFile, ""); // a stray lock file of a crashed writer
      assertThrows(FileAlreadyExistsException.class, () -> WriterLock.acquire(lockFile));
    }
  }

  @Test
  void aLockHeldOutsideThisJvmsRegistry_keepsTheLeftovers(@TempDir Path dir) throws Exception {
    Path lockFile = dir.resolve(".lock-3");
    Path temp = Files.writeString(dir.resolve(".tmp-3"), "partial");
    try (FileChannel other =
            FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileLock held = other.lock()) {
      assertTrue(held.isValid());
      assertFalse(WriterLock.removeIfAbandoned(lockFile, temp));
      assertTrue(Files.exists(temp));
    }
    assertTrue(WriterLock.removeIfAbandoned(lockFile, temp));
    assertEquals(List.of(), names(dir));
  }

  @Test
  void closeTwice_isHarmless_andALockCanBeTakenAgainAfterwards() throws Exception {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.osX())) {
      Path lockFile = Files.createDirectories(fs.getPath("/r")).resolve(".lock-4");
      WriterLock lock = WriterLock.acquire(lockFile);
      lock.close();
      lock.close();
      try (WriterLock again = WriterLock.acquire(lockFile)) {
        assertTrue(Files.exists(again.file()));
      }
    }
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }
}
