package dev.coffer.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupProviders;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProviderKindTest {

  @ParameterizedTest
  @EnumSource(ProviderBenchmark.ProviderKind.class)
  void everyProviderKind_opensWithItsOptions_andRoundTripsADatabaseTree_onJimfs(
      ProviderBenchmark.ProviderKind kind) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path source = fs.getPath("/source");
      List<Path> files = DatabaseTree.generate(source, 2L << 20);
      Path target = fs.getPath("/restored");
      try (BackupRepository repo =
          BackupProviders.open(kind.provider, fs.getPath("/repo"), kind.options)) {
        BackupMetadata full = repo.backup(source);
        DatabaseTree.touch(files, 100, 0);
        BackupMetadata incremental = repo.backup(BackupRequest.incremental(source, full.id()));

        assertTrue(repo.verify(incremental.id()).problems().isEmpty());
        repo.restore(incremental.id(), target);
      }
      for (Path file : files) {
        Path restored = target.resolve(source.relativize(file).toString());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(restored), file.toString());
      }
      assertEquals(
          Files.isDirectory(source.resolve("pg_tblspc")),
          Files.isDirectory(target.resolve("pg_tblspc")));
    }
  }
}
