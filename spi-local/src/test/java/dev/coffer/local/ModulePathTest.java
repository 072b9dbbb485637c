package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The provider is found on the module path too (tests otherwise run on the class path). */
class ModulePathTest {

  private static Path locationOf(Class<?> c) throws Exception {
    return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static <S> List<Object> load(ModuleLayer layer, Class<S> service) {
    return ServiceLoader.load(layer, service).stream().map(p -> (Object) p.get()).toList();
  }

  @Test
  void provider_isDiscoveredInAModuleLayer_andItsModuleExportsNothing() throws Exception {
    ModuleFinder finder =
        ModuleFinder.of(
            locationOf(LocalBackupProvider.class),
            locationOf(dev.coffer.spi.BackupProvider.class),
            locationOf(com.fasterxml.jackson.databind.ObjectMapper.class),
            locationOf(com.fasterxml.jackson.core.JsonParser.class),
            locationOf(com.fasterxml.jackson.annotation.JsonProperty.class));
    Configuration cf =
        ModuleLayer.boot()
            .configuration()
            .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.coffer.local"));
    ModuleLayer layer =
        ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    Class<?> service = layer.findLoader("dev.coffer").loadClass("dev.coffer.spi.BackupProvider");
    List<Object> providers = load(layer, service);
    assertEquals(
        List.of("dev.coffer.local.LocalBackupProvider"),
        providers.stream().map(p -> p.getClass().getName()).toList());
    assertEquals("dev.coffer.local", providers.get(0).getClass().getModule().getName());
    assertTrue(
        layer.findModule("dev.coffer.local").orElseThrow().getDescriptor().exports().isEmpty());
  }
}
