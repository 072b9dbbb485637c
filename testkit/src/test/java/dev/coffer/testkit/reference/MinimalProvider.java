package dev.coffer.testkit.reference;

import dev.coffer.spi.Capability;
import java.util.Set;

/**
 * The reference provider with no capability: every optional operation is refused (the suite's
 * twins).
 */
public final class MinimalProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public MinimalProvider() {}

  @Override
  public String name() {
    return "tck-minimal";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }
}
