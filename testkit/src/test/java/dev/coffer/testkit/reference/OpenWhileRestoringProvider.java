package dev.coffer.testkit.reference;

import dev.coffer.spi.Capability;
import java.util.EnumSet;
import java.util.Set;

/** The POSIX reference provider broken on purpose: {@link ReferenceProvider.Broken#OPEN_WHILE_RESTORING}. */
public final class OpenWhileRestoringProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public OpenWhileRestoringProvider() {}

  @Override
  public String name() {
    return "tck-broken-open-while-restoring";
  }

  @Override
  public Set<Capability> capabilities() {
    EnumSet<Capability> caps = EnumSet.copyOf(super.capabilities());
    caps.add(Capability.POSIX_ATTRIBUTES);
    return Set.copyOf(caps);
  }

  @Override
  Broken broken() {
    return Broken.OPEN_WHILE_RESTORING;
  }
}
