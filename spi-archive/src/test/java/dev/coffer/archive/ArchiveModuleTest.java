package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module's front door, pinned: it exports nothing, is reached only through the service it provides, and
 * opens its packages to Jackson alone (the manifest records are bound reflectively). A package made public by
 * accident, or a second provider, fails here.
 */
class ArchiveModuleTest {

  private static ModuleDescriptor descriptor() throws IOException, URISyntaxException {
    Path root = Path.of(ArchiveBackupProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isDirectory(root)) {
      try (InputStream in = Files.newInputStream(root.resolve("module-info.class"))) {
        return ModuleDescriptor.read(in);
      }
    }
    try (FileSystem jar = FileSystems.newFileSystem(root);
        InputStream in = Files.newInputStream(jar.getPath("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  @Test
  void module_exportsNothing_andProvidesOnlyTheArchiveProvider() throws Exception {
    ModuleDescriptor module = descriptor();
    assertEquals("dev.coffer.archive", module.name());
    assertEquals(Set.of(), module.exports(), "a provider module exports nothing");
    assertEquals(Set.of(), module.uses());
    assertEquals(1, module.provides().size(), module.provides().toString());
    ModuleDescriptor.Provides provides = module.provides().iterator().next();
    assertEquals("dev.coffer.spi.BackupProvider", provides.service());
    assertEquals(List.of(ArchiveBackupProvider.class.getName()), provides.providers());
  }

  @Test
  void module_opensItsPackagesToJacksonOnly_andRequiresOnlyWhatItUses() throws Exception {
    ModuleDescriptor module = descriptor();
    assertFalse(module.isOpen(), "an open module would expose every package to reflection");
    assertTrue(module.packages().containsAll(Set.of("dev.coffer.archive", "dev.coffer.archive.aedb")),
        module.packages().toString());
    for (ModuleDescriptor.Opens opens : module.opens()) {
      assertEquals(Set.of("com.fasterxml.jackson.databind"), opens.targets(), opens.toString());
    }
    assertTrue(module.opens().stream().anyMatch(o -> o.source().equals("dev.coffer.archive.aedb")),
        "the aedb manifest record is bound by Jackson: " + module.opens());
    Set<String> required = module.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    assertEquals(Set.of("java.base", "dev.coffer", "com.github.luben.zstd_jni", "org.bouncycastle.provider",
        "com.fasterxml.jackson.databind"), required);
  }
}
