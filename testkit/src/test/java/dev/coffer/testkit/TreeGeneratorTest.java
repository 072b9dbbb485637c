package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TreeGeneratorTest {

  private static Snapshot generate(long seed) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = fs.getPath("/t");
      TreeGenerator gen = new TreeGenerator(seed);
      gen.databaseLayout(root, 1 << 16);
      gen.sizes(root.resolve("sizes"), 1 << 14);
      gen.caseCollidingNames(root.resolve("case"));
      gen.manySmallFiles(root.resolve("small"), 250);
      return Snapshot.of(root);
    }
  }

  @Test
  void sameSeed_givesTheSameTree_otherSeed_another() throws IOException {
    assertTrue(generate(42).sameAs(generate(42)));
    assertFalse(generate(42).sameAs(generate(43)));
  }

  @Test
  void databaseLayout_hasTheAdvertisedShapes() throws IOException {
    Snapshot s = generate(7);
    assertTrue(s.files().contains("wal/000001.log"));
    assertTrue(s.files().contains("sst/L0/000010.sst"));
    assertTrue(s.entries().get("LOCK").size() == 0);
    assertTrue(s.directories().contains("sst/L1") && s.directories().contains("empty"));
    assertTrue(
        s.files().contains("sizes/size-0.bin") && s.files().contains("sizes/size-16384.bin"));
    assertTrue(s.entries().get("sizes/size-16383.bin").size() == 16383);
    assertTrue(s.files().contains("case/Readme") && s.files().contains("case/README"));
    assertTrue(
        s.files().stream().anyMatch(f -> f.startsWith("d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/")));
    assertTrue(s.files().stream().filter(f -> f.startsWith("small/")).count() == 250);
  }
}
