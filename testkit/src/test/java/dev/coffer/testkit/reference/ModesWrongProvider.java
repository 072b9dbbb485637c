package dev.coffer.testkit.reference;

import dev.coffer.spi.Capability;
import java.util.EnumSet;
import java.util.Set;

/** The POSIX reference provider broken on purpose: {@link ReferenceProvider.Broken#MODES_WRONG}. */
public final class ModesWrongProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public ModesWrongProvider() {}

  @Override
  public String name() {
    return "tck-broken-modes-wrong";
  }

  @Override
  public Set<Capability> capabilities() {
    EnumSet<Capability> caps = EnumSet.copyOf(super.capabilities());
    caps.add(Capability.POSIX_ATTRIBUTES);
    return Set.copyOf(caps);
  }

  @Override
  Broken broken() {
    return Broken.MODES_WRONG;
  }
}
