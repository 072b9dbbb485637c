package dev.coffer.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoresTest {

  @TempDir Path dir;

  @Test
  void fileUri_opensADirectoryStore_creatingTheDirectory() throws IOException {
    Path root = dir.resolve("new/store");
    try (ObjectStore store = ObjectStores.open(root.toUri(), Map.of("fsync", "false"))) {
      store.write("a/b", new ByteArrayInputStream(new byte[] {1, 2, 3}), WriteMode.REPLACE);
      assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(root.resolve("a").resolve("b")));
    }
  }

  @Test
  void optionsInTheQuery_areDecodedAndChecked() throws IOException {
    URI uri = URI.create(dir.toUri() + "?fsync=false");
    try (ObjectStore store = ObjectStores.open(uri, Map.of())) {
      assertEquals(dir.toUri(), store.uri());
    }
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class, () -> ObjectStores.open(uri, Map.of("fsync", "true")));
    assertTrue(twice.getMessage().contains("both in the URI and as an option"), twice.getMessage());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> ObjectStores.open(URI.create(dir.toUri() + "?colour=blue"), Map.of()));
    assertTrue(unknown.getMessage().contains("unknown option 'colour'"), unknown.getMessage());
  }

  @Test
  void queryValues_arePercentDecoded_andPlusStaysPlus() {
    Map<String, String> o =
        ObjectStores.queryOptions(URI.create("s3://b/p?endpoint=http%3A%2F%2Fh%3A9000&x=a+b"));
    assertEquals(Map.of("endpoint", "http://h:9000", "x", "a+b"), o);
  }

  @Test
  void unknownScheme_isRefusedNamingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ObjectStores.open(URI.create("nosuch://bucket/x"), Map.of()));
    assertTrue(e.getMessage().contains("no store provider serves scheme 'nosuch'"), e.getMessage());
  }

  @Test
  void anInstalledFileSystemsScheme_opensADirectoryStoreOnIt() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem("stores-test", Configuration.unix())) {
      Path root = fs.getPath("/repo");
      try (ObjectStore store = ObjectStores.open(root.toUri(), Map.of())) {
        store.write("k", new ByteArrayInputStream(new byte[] {9}), WriteMode.REPLACE);
      }
      assertTrue(Files.exists(root.resolve("k")));
    }
  }

  @Test
  void directoryStore_ifAbsent_refusesAnExistingObject_andLeavesNoTemporaryFile()
      throws IOException {
    try (ObjectStore store = ObjectStores.directory(dir)) {
      store.write("x/once", new ByteArrayInputStream(new byte[] {1}), WriteMode.IF_ABSENT);
      assertThrows(
          FileAlreadyExistsException.class,
          () ->
              store.write("x/once", new ByteArrayInputStream(new byte[] {2}), WriteMode.IF_ABSENT));
      try (InputStream in = store.read("x/once")) {
        assertArrayEquals(new byte[] {1}, in.readAllBytes());
      }
    }
    try (Stream<Path> files = Files.list(dir.resolve("x"))) {
      assertEquals(1, files.count(), "only the object: no .tmp- file is left behind");
    }
  }

  @Test
  void directoryStore_deletingTheLastObject_removesItsEmptyDirectories() throws IOException {
    try (ObjectStore store = ObjectStores.directory(dir)) {
      store.write("a/b/c", new ByteArrayInputStream(new byte[0]), WriteMode.REPLACE);
      store.delete("a/b/c");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }
}
