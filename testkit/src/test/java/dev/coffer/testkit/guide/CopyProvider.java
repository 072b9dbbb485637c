package dev.coffer.testkit.guide;

import dev.coffer.BackupRepository;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provider of docs/writing-a-provider.md: each backup is a checksummed copy of the source
 * directory. Registered in {@code META-INF/services/dev.coffer.spi.BackupProvider} (P1).
 */
public final class CopyProvider implements BackupProvider {

  static final String NAME = "guide-copy";

  /** Creates the provider; no I/O (P1): the work starts in {@link #open}. */
  public CopyProvider() {}

  @Override
  public String name() {
    return NAME; // P2: [a-z][a-z0-9-]*, unique among installed providers
  }

  @Override
  public String description() {
    return "the provider guide's example: checksummed directory copies";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(); // no optional behaviour: the TCK checks that each one is refused
  }

  @Override
  public List<OptionInfo> options() {
    List<OptionInfo> all = new ArrayList<>();
    all.add(
        OptionInfo.flag("fsync", "force every file to disk before a backup is published", true));
    all.addAll(ChangedFilesPolicy.options()); // P34: changed-files, changed-retries
    return List.copyOf(all);
  }

  @Override
  public BackupRepository open(Path location, Map<String, String> options) throws IOException {
    // P3: unknown, missing or malformed options fail here, before anything is created
    ProviderOptions parsed = ProviderOptions.parse(NAME, options(), options);
    return CopyRepository.open(location, parsed.getBoolean("fsync"), ChangedFilesPolicy.of(parsed));
  }
}
