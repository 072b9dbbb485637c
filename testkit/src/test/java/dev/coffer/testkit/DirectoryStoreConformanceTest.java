package dev.coffer.testkit;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.ObjectStores;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The built-in directory store keeps the store contract on the real disk and on Jimfs. */
class DirectoryStoreConformanceTest {

  @TempDir Path disk;

  @Nested
  class OnTheRealDiskThroughAFileUri extends ObjectStoreConformance {
    @Override
    protected ObjectStore openStore() throws IOException {
      return ObjectStores.open(disk.resolve("store").toUri(), Map.of());
    }
  }

  abstract static class OnJimfs extends ObjectStoreConformance {
    private final FileSystem fs;

    OnJimfs(Configuration configuration) {
      fs = Jimfs.newFileSystem(configuration);
    }

    @Override
    protected ObjectStore openStore() throws IOException {
      return ObjectStores.directory(
          fs.getRootDirectories().iterator().next().resolve("stores").resolve("one"));
    }

    @Override
    protected void closeStore(ObjectStore store) throws IOException {
      store.close();
      fs.close();
    }
  }

  @Nested
  class OnJimfsUnix extends OnJimfs {
    OnJimfsUnix() {
      super(Configuration.unix());
    }
  }

  @Nested
  class OnJimfsWindows extends OnJimfs {
    OnJimfsWindows() {
      super(Configuration.windows());
    }
  }

  @Nested
  class OnJimfsOsX extends OnJimfs {
    OnJimfsOsX() {
      super(Configuration.osX());
    }
  }
}
