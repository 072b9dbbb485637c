package dev.coffer.testkit;

import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.support.ParameterDeclarations;

/**
 * Supplies the file systems a conformance test runs on: all of {@link Fs} unless the configuration
 * parameter (or system property) {@code coffer.tck.filesystems} names a comma-separated subset;
 * only {@link Fs#DISK} of them for a suite whose repositories are in object stores.
 */
final class FileSystemsSource implements ArgumentsProvider {

  static final String KEY = "coffer.tck.filesystems";

  @Override
  public Stream<? extends Arguments> provideArguments(
      ParameterDeclarations parameters, ExtensionContext context) {
    String value = context.getConfigurationParameter(KEY).orElse("");
    return forSuite(context.getRequiredTestClass(), selected(value)).stream().map(Arguments::of);
  }

  /** The file systems {@code suite} runs on: {@code chosen}, or the disk for a suite on stores. */
  static List<Fs> forSuite(Class<?> suite, List<Fs> chosen) {
    if (BackupProviderConformance.keepsRepositoriesInStores(suite)) {
      return List.of(Fs.DISK); // the stores keep their objects as files on the disk
    }
    return chosen;
  }

  static List<Fs> selected(String value) {
    if (value == null || value.isBlank()) {
      return List.of(Fs.values());
    }
    List<Fs> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        out.add(Fs.valueOf(part.trim().toUpperCase(Locale.ROOT)));
      }
    }
    return out;
  }
}
