package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins the api module's front door (as Caffeine's module test does): which packages it exports, to
 * whom, what it requires and uses, and which types each exported package makes public. A change to
 * any of them is a change to the public API and must change this test on purpose.
 */
class ModuleExportsTest {

  private static final Path CLASSES = classes();

  private static Path classes() {
    try {
      return Path.of(
          BackupRepository.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ModuleDescriptor descriptor() {
    return ModuleFinder.of(CLASSES).find("dev.coffer").orElseThrow().descriptor();
  }

  @Test
  void theModule_exportsItsFourPackagesToEveryone_andOpensNothing() {
    ModuleDescriptor d = descriptor();
    assertEquals(
        Set.of("dev.coffer", "dev.coffer.spi", "dev.coffer.spi.support", "dev.coffer.store"),
        d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    assertTrue(
        d.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified),
        "third-party providers need every exported package, so no export is qualified: "
            + d.exports());
    assertTrue(d.opens().isEmpty(), "nothing is opened for reflection: " + d.opens());
    assertTrue(!d.isOpen(), "the module is not open");
  }

  @Test
  void theModule_requiresTheJdkAlone_andUsesBothServices() {
    ModuleDescriptor d = descriptor();
    assertEquals(
        Set.of("java.base", "jdk.jfr"),
        d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    assertEquals(
        Set.of("dev.coffer.spi.BackupProvider", "dev.coffer.store.StoreProvider"), d.uses());
    assertTrue(d.provides().isEmpty(), "the api provides no service itself");
  }

  @Test
  void eachExportedPackage_makesExactlyItsApiPublic() throws Exception {
    Map<String, Set<String>> expected =
        new TreeMap<>(
            Map.of(
                "dev.coffer",
                    names(
                        "BackupException BackupId BackupInUseException BackupMetadata BackupProviders "
                            + "BackupRepository BackupRequest BackupSource BackupType BackupWarning CorruptBackupException "
                            + "NoSuchBackupException OwnerPolicy Progress ProgressListener RekeyReport RepositoryInfo RestoreMode RestoreRequest "
                            + "RetentionPolicy SourceEnd SpecialFiles VerifyReport WrongKeyException"),
                // the contract alone: what a provider implements and the values it declares
                "dev.coffer.spi", names("BackupProvider Capability OptionInfo"),
                "dev.coffer.spi.support",
                    names(
                        "BackupIds ChangedFilesPolicy FileTrees FinishedSource PosixAttributes "
                            + "ProviderOptions ReadCheck RelativePaths RestoreAttributes RestoreStaging ScanOptions SourceEntry SourceTree "
                            + "WriterLock"),
                "dev.coffer.store",
                    names(
                        "ObjectInfo ObjectKeys ObjectStore ObjectStores StoreProvider StoreRule WriteMode")));
    Map<String, Set<String>> actual = new TreeMap<>();
    for (String pkg : expected.keySet()) {
      actual.put(pkg, publicTopLevelTypes(pkg));
    }
    assertEquals(expected, actual);
  }

  @Test
  void noPackageOutsideTheExportedOnes_existsInTheModule() {
    assertEquals(
        Set.of("dev.coffer", "dev.coffer.spi", "dev.coffer.spi.support", "dev.coffer.store"),
        descriptor().packages(),
        "a new package must be exported deliberately or stay out of the api module");
  }

  private static Set<String> names(String spaced) {
    return new TreeSet<>(List.of(spaced.split(" ")));
  }

  private static Set<String> publicTopLevelTypes(String pkg) throws Exception {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.list(CLASSES.resolve(pkg.replace('.', '/')))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")) {
          continue;
        }
        String simple = name.substring(0, name.length() - ".class".length());
        Class<?> c =
            Class.forName(pkg + "." + simple, false, ModuleExportsTest.class.getClassLoader());
        if (Modifier.isPublic(c.getModifiers())) {
          out.add(simple);
        }
      }
    }
    return out;
  }
}
