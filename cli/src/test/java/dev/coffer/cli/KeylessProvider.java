package dev.coffer.cli;

import dev.coffer.BackupRepository;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A provider for the CLI's tests that takes no options at all, so no key or passphrase. */
public final class KeylessProvider implements BackupProvider {
  /** Creates the provider; no I/O. */
  public KeylessProvider() {}

  @Override
  public String name() {
    return "keyless";
  }

  @Override
  public String description() {
    return "test double without keys";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.INCREMENTAL);
  }

  @Override
  public List<OptionInfo> options() {
    return List.of();
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    ProviderOptions.parse(name(), options(), options);
    return new FakeProvider().open(location, Map.of());
  }
}
