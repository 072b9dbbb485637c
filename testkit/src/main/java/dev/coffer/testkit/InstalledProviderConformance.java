package dev.coffer.testkit;

import dev.coffer.BackupProviders;
import dev.coffer.spi.BackupProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The suite run against an installed provider chosen by name, for {@link ConformanceMain}: the
 * provider is {@code BackupProviders.provider(System.getProperty("coffer.tck.provider"))} (a fresh
 * instance each time), and its options are the system properties {@code
 * coffer.tck.<provider>.<option>}.
 */
class InstalledProviderConformance extends BackupProviderConformance {

  static final String PROVIDER = "coffer.tck.provider";

  @Override
  protected BackupProvider provider() {
    String name = System.getProperty(PROVIDER);
    if (name == null) {
      throw new IllegalStateException(
          "set the system property " + PROVIDER + " to the provider's name");
    }
    BackupProvider installed = BackupProviders.provider(name);
    try {
      return installed.getClass().getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "cannot create a new instance of " + installed.getClass().getName(), e);
    }
  }

  @Override
  protected Map<String, String> options() {
    return optionsFor(System.getProperty(PROVIDER));
  }

  static Map<String, String> optionsFor(String provider) {
    String prefix = "coffer.tck." + provider + ".";
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith(prefix)) {
        out.put(key.substring(prefix.length()), System.getProperty(key));
      }
    }
    return out;
  }
}
