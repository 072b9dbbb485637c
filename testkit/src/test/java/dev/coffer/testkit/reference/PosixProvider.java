package dev.coffer.testkit.reference;

import dev.coffer.spi.Capability;
import java.util.EnumSet;
import java.util.Set;

/** The reference provider with POSIX_ATTRIBUTES as well: correct, so every rule from P27 to P31 is checked in full. */
public final class PosixProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public PosixProvider() {}

  @Override
  public String name() {
    return "tck-posix";
  }

  @Override
  public Set<Capability> capabilities() {
    EnumSet<Capability> caps = EnumSet.copyOf(super.capabilities());
    caps.add(Capability.POSIX_ATTRIBUTES);
    return Set.copyOf(caps);
  }
}
