package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.spi.BackupProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves discovery on the module path (rule P1): compiles a provider as a named module that {@code
 * provides dev.coffer.spi.BackupProvider}, resolves it beside the real {@code dev.coffer} module in
 * a fresh {@link ModuleLayer}, and asks that layer's {@link BackupProviders} for the installed
 * providers. This fails if the api's module-info lacks {@code uses} (ServiceLoader refuses) or its
 * exports are wrong (the provider does not compile).
 */
class ModulePathDiscoveryTest {

  @Test
  void installed_findsAProviderDeclaredWithProvidesInAModule(@TempDir Path dir) throws Exception {
    Path apiModule =
        Path.of(BackupProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(
        Files.exists(apiModule.resolve("module-info.class")),
        "api must be a named module: " + apiModule);

    Path src = dir.resolve("src");
    Path out = dir.resolve("out");
    Files.createDirectories(src.resolve("test/provider"));
    Files.writeString(
        src.resolve("module-info.java"),
        """
        module test.provider {
          requires dev.coffer;
          provides dev.coffer.spi.BackupProvider with test.provider.ModuleProvider;
        }
        """);
    Files.writeString(
        src.resolve("test/provider/ModuleProvider.java"),
        """
        package test.provider;
        public class ModuleProvider implements dev.coffer.spi.BackupProvider {
          public String name() { return "from-module"; }
          public String description() { return "declared with provides"; }
          public java.util.Set<dev.coffer.spi.Capability> capabilities() { return java.util.Set.of(); }
          public java.util.List<dev.coffer.spi.OptionInfo> options() { return java.util.List.of(); }
          public dev.coffer.BackupRepository open(java.nio.file.Path l, java.util.Map<String, String> o) {
            throw new UnsupportedOperationException();
          }
        }
        """);
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--module-path",
                apiModule.toString(),
                "-d",
                out.toString(),
                src.resolve("module-info.java").toString(),
                src.resolve("test/provider/ModuleProvider.java").toString()));
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                new PrintStream(diagnostics, true, StandardCharsets.UTF_8),
                args.toArray(String[]::new));
    assertEquals(0, rc, diagnostics.toString(StandardCharsets.UTF_8));

    ModuleFinder finder = ModuleFinder.of(apiModule, out);
    Configuration cf =
        ModuleLayer.boot()
            .configuration()
            .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.coffer"));
    ModuleLayer layer =
        ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    ClassLoader loader = layer.findLoader("dev.coffer");

    Class<?> registry = loader.loadClass("dev.coffer.BackupProviders");
    Method installed = registry.getMethod("installed", ClassLoader.class);
    List<?> providers = (List<?>) installed.invoke(null, loader);
    Method name = loader.loadClass("dev.coffer.spi.BackupProvider").getMethod("name");
    List<String> names = new ArrayList<>();
    for (Object p : providers) {
      names.add((String) name.invoke(p));
    }
    assertEquals(List.of("from-module"), names);
    assertEquals("test.provider", providers.get(0).getClass().getModule().getName());
  }
}
