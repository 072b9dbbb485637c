package dev.coffer.testkit.reference;

import dev.coffer.spi.Capability;
import java.util.Set;

/**
 * The reference provider declaring {@link Capability#INDEPENDENT_INCREMENTALS}, which it keeps
 * because its incremental backups are full copies.
 */
public final class IndependentIncrementalsProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public IndependentIncrementalsProvider() {}

  @Override
  public String name() {
    return "tck-independent";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(
        Capability.INCREMENTAL, Capability.INDEPENDENT_INCREMENTALS, Capability.PARTIAL_RESTORE);
  }
}
