package dev.coffer.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the S3 store's module: it exports and opens nothing (it is reached through {@code
 * ServiceLoader} alone) and provides exactly one {@code StoreProvider}.
 */
class ModuleExportsTest {

  @Test
  void theModule_exportsNothing_andProvidesExactlyOneStoreProvider() throws Exception {
    Path classes =
        Path.of(S3StoreProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor d =
        ModuleFinder.of(classes).find("dev.coffer.store.aws").orElseThrow().descriptor();
    assertTrue(d.exports().isEmpty(), "a store module exports nothing: " + d.exports());
    assertTrue(d.opens().isEmpty(), "nothing is opened for reflection: " + d.opens());
    assertEquals(
        List.of("dev.coffer.store.StoreProvider -> [dev.coffer.store.s3.S3StoreProvider]"),
        d.provides().stream().map(p -> p.service() + " -> " + p.providers()).toList());
  }
}
