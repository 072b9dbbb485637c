package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pins the archive provider's module: it exports nothing (it is reached through {@code
 * ServiceLoader} alone), opens its packages to Jackson only (the manifest records of format 1 and
 * of aedb's manifests), and provides exactly one {@code BackupProvider}. A package made public by
 * accident, a new {@code opens} or a second provider fails here.
 */
class ModuleExportsTest {

  private static ModuleDescriptor descriptor() throws Exception {
    Path classes =
        Path.of(
            ArchiveBackupProvider.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    return ModuleFinder.of(classes).find("dev.coffer.archive").orElseThrow().descriptor();
  }

  @Test
  void theModule_exportsNothing_andOpensItsPackageToJacksonOnly() throws Exception {
    ModuleDescriptor d = descriptor();
    assertTrue(d.exports().isEmpty(), "a provider module exports nothing: " + d.exports());
    assertFalse(d.isOpen(), "an open module would expose every package to reflection");
    assertEquals(
        Set.of(
            "dev.coffer.archive -> [com.fasterxml.jackson.databind]",
            "dev.coffer.archive.aedb -> [com.fasterxml.jackson.databind]"),
        d.opens().stream().map(o -> o.source() + " -> " + o.targets()).collect(Collectors.toSet()));
    assertTrue(
        d.packages().containsAll(Set.of("dev.coffer.archive", "dev.coffer.archive.aedb")),
        d.packages().toString());
  }

  @Test
  void theModule_providesExactlyOneBackupProvider() throws Exception {
    ModuleDescriptor d = descriptor();
    assertEquals(
        List.of("dev.coffer.spi.BackupProvider -> [dev.coffer.archive.ArchiveBackupProvider]"),
        d.provides().stream().map(p -> p.service() + " -> " + p.providers()).toList());
    assertEquals(Set.of(), d.uses());
    assertEquals(
        Set.of(
            "java.base",
            "dev.coffer",
            "com.github.luben.zstd_jni",
            "org.bouncycastle.provider",
            "com.fasterxml.jackson.databind"),
        d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
  }
}
