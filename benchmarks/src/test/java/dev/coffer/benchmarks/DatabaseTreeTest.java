package dev.coffer.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DatabaseTreeTest {

  @Test
  void generate_writesAPostgresLikeTreeOfTheRequestedSize_onJimfs() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = fs.getPath("/src");
      long total = 24L << 20;

      List<Path> files = DatabaseTree.generate(root, total);

      long written = 0;
      for (Path f : files) {
        written += Files.size(f);
      }
      assertTrue(Math.abs(written - total) < 64, "written " + written + " of " + total);
      assertTrue(Files.isDirectory(root.resolve("pg_tblspc")));
      try (Stream<Path> walk = Files.walk(root)) {
        assertEquals(files.size(), walk.filter(Files::isRegularFile).count());
      }
    }
  }

  @Test
  void touch_changesContentAndTimeOfOneFileInEvery() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      List<Path> files = DatabaseTree.generate(fs.getPath("/src"), 8L << 20);
      Path first = files.get(0);
      Path second = files.get(1);
      byte[] firstBefore = Files.readAllBytes(first);
      byte[] secondBefore = Files.readAllBytes(second);
      var timeBefore = Files.getLastModifiedTime(first);

      int changed = DatabaseTree.touch(files, 2, 0);

      assertEquals((files.size() + 1) / 2, changed);
      assertFalse(Arrays.equals(firstBefore, Files.readAllBytes(first)));
      assertTrue(Files.getLastModifiedTime(first).compareTo(timeBefore) > 0);
      assertTrue(Arrays.equals(secondBefore, Files.readAllBytes(second)));
    }
  }
}
